//! The only place that starts processes (`credential_process`, the `aws`
//! CLI), never through a shell: a command line is split the way a POSIX
//! shell would split it, then run directly, with its output captured and
//! the child killed when its time is up.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Splits a command line into words as `sh` would for a simple command:
/// whitespace separates, `'…'` is literal, `"…"` keeps spaces and honours
/// `\"`, `\\`, `\$`, `` \` ``; a backslash outside quotes escapes the next
/// character. No expansion of any kind. `None` for an unterminated quote.
pub fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        x => cur.push(x),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            x @ ('"' | '\\' | '$' | '`') => cur.push(x),
                            '\n' => {}
                            x => {
                                cur.push('\\');
                                cur.push(x);
                            }
                        },
                        x => cur.push(x),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(x) => cur.push(x),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// What a finished child gave.
#[derive(Debug)]
pub struct Output {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Debug, PartialEq)]
pub enum RunError {
    /// Could not start it (not found, not executable…).
    Spawn(String),
    /// Still running at the limit: killed.
    TimedOut,
}

/// The most a child may print before we stop keeping it: plenty for a
/// LookupEvents page or a credential document.
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// Runs `argv` (no shell) with `env` added to (or, for `None` values,
/// removed from) the inherited environment, stdin closed. Killed when
/// `limit` passes.
pub fn run(
    argv: &[String],
    env: &[(String, Option<String>)],
    limit: Duration,
) -> Result<Output, RunError> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| RunError::Spawn("empty command".into()))?;
    let mut cmd = Command::new(program);
    // Its own process group, so that at the limit the whole tree goes
    // (the aws CLI's own children, the command sudo started…).
    cmd.process_group(0);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| RunError::Spawn(format!("cannot run '{program}': {e}")))?;
    // Read both pipes on threads so a chatty child never blocks on a full
    // pipe while we wait for it.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_OUTPUT).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= limit => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut);
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(RunError::Spawn(format!("waiting for '{program}': {e}"))),
        }
    };
    Ok(Output {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// SIGTERM to the child's process group, a short grace, then SIGKILL.
/// `kill` is run directly (std has no way to signal a group).
fn kill_group(pid: u32) {
    let signal = |sig: &str| {
        let _ = Command::new("kill")
            .args([sig, "--", &format!("-{pid}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM");
    thread::sleep(Duration::from_millis(200));
    signal("-KILL");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split("aws  sts get-caller-identity").unwrap(),
            s(&["aws", "sts", "get-caller-identity"])
        );
        assert_eq!(
            split(r#"/bin/echo 'a b' "c \"d\" $x" e\ f"#).unwrap(),
            s(&["/bin/echo", "a b", "c \"d\" $x", "e f"])
        );
        assert_eq!(split(r#"x '' "" y"#).unwrap(), s(&["x", "", "", "y"]));
        assert_eq!(split(r#""a\b""#).unwrap(), s(&[r"a\b"]));
        assert_eq!(split("a;b|c").unwrap(), s(&["a;b|c"]));
        assert_eq!(split("   ").unwrap(), Vec::<String>::new());
        assert_eq!(split("'open"), None);
        assert_eq!(split("\"open"), None);
    }

    #[test]
    fn runs_without_a_shell() {
        let o = run(
            &s(&["/bin/echo", "a;b", "$HOME"]),
            &[],
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(o.code, Some(0));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "a;b $HOME\n");
    }

    #[test]
    fn environment_and_exit_codes() {
        let o = run(
            &s(&["/bin/sh", "-c", "echo \"$CT_TEST_VAR\" >&2; exit 7"]),
            &[("CT_TEST_VAR".into(), Some("v".into()))],
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(o.code, Some(7));
        assert_eq!(String::from_utf8_lossy(&o.stderr), "v\n");
    }

    #[test]
    fn killed_at_the_limit() {
        let started = Instant::now();
        let r = run(&s(&["/bin/sleep", "30"]), &[], Duration::from_millis(200));
        assert_eq!(r.unwrap_err(), RunError::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn the_whole_tree_is_killed() {
        let pidfile = std::env::temp_dir().join(format!("ct-grandchild-{}", std::process::id()));
        let script = format!("sleep 30 & echo $! > {}; wait", pidfile.display());
        let r = run(
            &s(&["/bin/sh", "-c", &script]),
            &[],
            Duration::from_millis(500),
        );
        assert_eq!(r.unwrap_err(), RunError::TimedOut);
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let _ = std::fs::remove_file(&pidfile);
        thread::sleep(Duration::from_millis(100));
        let alive = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .is_ok_and(|st| !st.contains(") Z "));
        assert!(!alive, "the grandchild {} survived", pid.trim());
    }

    #[test]
    fn missing_program() {
        let e = run(&s(&["/nonexistent/aws"]), &[], Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, RunError::Spawn(m) if m.contains("/nonexistent/aws")));
    }
}
