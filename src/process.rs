//! The only place that starts processes (`credential_process`, the `aws`
//! CLI), never through a shell: a command line is split the way a POSIX
//! shell would split it, then run directly, with its output captured and
//! the child killed when its time is up.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Printed more than its stdout cap: killed, nothing of it kept.
    TooMuchOutput { cap: u64 },
}

/// How much of a child's output is kept, per call: stdout is what the
/// caller parses, so past its cap the run is an error; stderr is only
/// quoted, so past its cap the rest is read and dropped.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub stdout: u64,
    pub stderr: u64,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Spawn(m) => f.write_str(m),
            RunError::TimedOut => f.write_str("timed out"),
            RunError::TooMuchOutput { cap } => write!(
                f,
                "printed more than {} on stdout, the most read from it",
                crate::env::size(*cap)
            ),
        }
    }
}

/// Reads `pipe` to its end, keeping at most `cap` bytes; `over` is set as
/// soon as there is more. The rest is drained, never kept, so a chatty
/// child does not block on a full pipe.
fn capped_reader(
    pipe: Option<Box<dyn Read + Send>>,
    cap: u64,
    over: Arc<AtomicBool>,
) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = (&mut p).take(cap).read_to_end(&mut buf);
            let mut byte = [0u8; 1];
            if matches!(p.read(&mut byte), Ok(1)) {
                over.store(true, Ordering::SeqCst);
                let _ = std::io::copy(&mut p, &mut std::io::sink());
            }
        }
        buf
    })
}

/// Runs `argv` (no shell) with `env` added to (or, for `None` values,
/// removed from) the inherited environment, stdin closed, its output
/// bounded by `caps`. Killed when `limit` passes or stdout runs over.
pub fn run(
    argv: &[String],
    env: &[(String, Option<String>)],
    limit: Duration,
    caps: Caps,
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
    // Both pipes are read on threads so a chatty child never blocks on a
    // full pipe while we wait for it.
    let stdout_over = Arc::new(AtomicBool::new(false));
    let out = capped_reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        caps.stdout,
        Arc::clone(&stdout_over),
    );
    let err = capped_reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        caps.stderr,
        Arc::new(AtomicBool::new(false)),
    );
    let started = Instant::now();
    let status = loop {
        let over = stdout_over.load(Ordering::SeqCst);
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if over || started.elapsed() >= limit => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(if over {
                    RunError::TooMuchOutput { cap: caps.stdout }
                } else {
                    RunError::TimedOut
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(RunError::Spawn(format!("waiting for '{program}': {e}"))),
        }
    };
    let stdout = out.join().unwrap_or_default();
    if stdout_over.load(Ordering::SeqCst) {
        return Err(RunError::TooMuchOutput { cap: caps.stdout });
    }
    Ok(Output {
        code: status.code(),
        stdout,
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

    const CAPS: Caps = Caps {
        stdout: 1 << 20,
        stderr: 1 << 10,
    };

    #[test]
    fn output_is_capped() {
        // 5 MB on each stream: stdout past its cap is an error, at once
        // (the child is killed, not waited for); stderr is cut.
        let flood = "head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2; sleep 30";
        let started = Instant::now();
        let e = run(
            &s(&["/bin/sh", "-c", flood]),
            &[],
            Duration::from_secs(20),
            CAPS,
        )
        .unwrap_err();
        assert_eq!(e, RunError::TooMuchOutput { cap: 1 << 20 });
        assert_eq!(
            e.to_string(),
            "printed more than 1 MiB on stdout, the most read from it"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let o = run(
            &s(&["/bin/sh", "-c", "head -c 5000000 /dev/zero >&2; echo done"]),
            &[],
            Duration::from_secs(20),
            CAPS,
        )
        .unwrap();
        assert_eq!(
            (o.stderr.len(), o.stdout.as_slice()),
            (1024, &b"done\n"[..])
        );
        let o = run(
            &s(&["/bin/sh", "-c", "head -c 1048576 /dev/zero"]),
            &[],
            Duration::from_secs(20),
            CAPS,
        )
        .unwrap();
        assert_eq!(o.stdout.len(), 1 << 20);
    }

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
            CAPS,
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
            CAPS,
        )
        .unwrap();
        assert_eq!(o.code, Some(7));
        assert_eq!(String::from_utf8_lossy(&o.stderr), "v\n");
    }

    #[test]
    fn killed_at_the_limit() {
        let started = Instant::now();
        let r = run(
            &s(&["/bin/sleep", "30"]),
            &[],
            Duration::from_millis(200),
            CAPS,
        );
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
            CAPS,
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
        let e = run(&s(&["/nonexistent/aws"]), &[], Duration::from_secs(1), CAPS).unwrap_err();
        assert!(matches!(e, RunError::Spawn(m) if m.contains("/nonexistent/aws")));
    }
}
