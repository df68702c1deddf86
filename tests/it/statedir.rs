//! The state directory under a hostile neighbour: a lock held forever or
//! a FIFO planted where a state file goes never makes a check outlast its
//! `--timeout`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{Reply, Request, SECRET, Server, TempDir, run_env};

fn trail_server() -> Server {
    Server::start(|_q: &Request| Reply::json(200, json!({"IsLogging": true})))
}

fn status_check(s: &Server, dir: &str, extra: &[&str]) -> crate::util::Run {
    let url = s.url("/");
    let mut args = vec![
        crate::util::PLUGIN.to_owned(),
        "--mode=checktrailstatus".into(),
        "--region=eu-west-1".into(),
        "--trail-name=t".into(),
        "--aws-access-key=AKIDEXAMPLE".into(),
        format!("--aws-secret-key={SECRET}"),
        format!("--endpoint-url={url}"),
        format!("--statefile-dir={dir}"),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run_env(&a, &[])
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect()
}

/// Sleeps 10 s, or less once `done`.
fn after_10s_unless(done: &AtomicBool) {
    for _ in 0..100 {
        if done.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_held_state_lock_respects_the_timeout() {
    let s = trail_server();
    let state = TempDir::new("held-lock");
    let dir = state.0.to_string_lossy().into_owned();
    assert_eq!(status_check(&s, &dir, &[]).code, 0);
    let locks: Vec<std::fs::File> = files(&state.0)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".lock"))
        .map(|p| {
            let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
            f.lock().unwrap();
            f
        })
        .collect();
    assert!(!locks.is_empty(), "the bucket's lock file");
    // Released after 10 s whatever happens, so that a plugin waiting
    // without a deadline ends (and fails the timing below) instead of
    // hanging the suite.
    let done = Arc::new(AtomicBool::new(false));
    let release = std::thread::spawn({
        let done = Arc::clone(&done);
        move || {
            after_10s_unless(&done);
            drop(locks);
        }
    });
    let t0 = Instant::now();
    let r = status_check(&s, &dir, &["--timeout=3", "--debug"]);
    let took = t0.elapsed();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        took < Duration::from_secs(4),
        "took {took:?}:\n{}",
        r.stdout
    );
    assert!(r.stdout.contains("still locked"), "{}", r.stdout);
    done.store(true, Ordering::SeqCst);
    release.join().unwrap();
}

#[test]
fn a_fifo_where_a_state_file_goes_never_blocks() {
    let s = trail_server();
    let state = TempDir::new("fifo");
    let dir = state.0.to_string_lossy().into_owned();
    assert_eq!(status_check(&s, &dir, &[]).code, 0);
    let planted = files(&state.0);
    assert!(!planted.is_empty());
    for p in &planted {
        std::fs::remove_file(p).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap();
        assert!(made.success());
    }
    // As above: from 10 s on, every FIFO is opened and closed again and
    // again, so that a plugin blocked in open() ends.
    let fifos = planted.clone();
    let done = Arc::new(AtomicBool::new(false));
    let unblock = std::thread::spawn({
        let done = Arc::clone(&done);
        move || {
            after_10s_unless(&done);
            while !done.load(Ordering::SeqCst) {
                for p in &fifos {
                    let _ = std::fs::OpenOptions::new().read(true).write(true).open(p);
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    let t0 = Instant::now();
    let r = status_check(&s, &dir, &["--timeout=3", "--debug"]);
    let took = t0.elapsed();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        took < Duration::from_secs(4),
        "took {took:?}:\n{}",
        r.stdout
    );
    assert!(r.stdout.contains("not a regular file"), "{}", r.stdout);
    done.store(true, Ordering::SeqCst);
    unblock.join().unwrap();
}

/// Past the events kept between runs (20 000), a run counts right, says
/// so under `--debug`, and keeps no file: the next reads its whole window.
#[test]
fn a_window_over_the_cache_cap_is_read_whole_each_time() {
    const PAGES: usize = 401;
    let t = crate::util::now() - 60;
    let s = Server::paged(PAGES, move |page| {
        (0..50)
            .map(|i| {
                let id = format!("e{page}-{i}");
                let record = json!({"eventID": id, "eventName": "CreateVpc"});
                json!({"EventId": id, "EventName": "CreateVpc", "EventTime": t,
                    "CloudTrailEvent": record.to_string()})
            })
            .collect()
    });
    let state = TempDir::new("events-cap");
    let dir = state.0.to_string_lossy().into_owned();
    let url = s.url("/");
    // The debug lines of 401 pages are far over stdout's 8 KB budget: the
    // whole text goes to a file, which is not cut.
    let out = TempDir::new("events-cap-out");
    let out_file = out.0.join("out.txt");
    let count = || {
        let r = run_env(
            &[
                crate::util::PLUGIN,
                "--mode=countevents",
                "--region=eu-west-1",
                "--aws-access-key=AKIDEXAMPLE",
                &format!("--aws-secret-key={SECRET}"),
                &format!("--endpoint-url={url}"),
                &format!("--statefile-dir={dir}"),
                &format!("--output-file={}", out_file.display()),
                "--max-pages=500",
                "--api-rate=0",
                "--debug",
            ],
            &[],
        );
        assert_eq!((r.stdout.as_str(), r.code), ("", 0));
        std::fs::read_to_string(&out_file).unwrap()
    };
    // One run is enough (each takes seconds): with no events file, the
    // next one cannot read incrementally.
    let text = count();
    assert!(
        text.starts_with("OK: Number of events: 20050.00"),
        "{}",
        text.lines().next().unwrap_or_default()
    );
    assert!(text.contains("over the 20000 kept between runs"), "{text}");
    assert_eq!(s.requests().len(), PAGES, "a whole read");
    assert!(
        files(&state.0)
            .iter()
            .all(|p| !p.to_string_lossy().contains("_events_")),
        "no events file"
    );
}

/// Directories the plugin creates are private whatever the umask, parents
/// included.
#[test]
fn created_state_directories_are_0700_under_umask_000() {
    use std::os::unix::fs::PermissionsExt;
    let s = trail_server();
    let base = TempDir::new("umask");
    let deep = base.0.join("a/b");
    let url = s.url("/");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$@\" >/dev/null")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_check_cloudtrail"))
        .args([
            crate::util::PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
            "--aws-access-key=AKIDEXAMPLE",
            &format!("--aws-secret-key={SECRET}"),
            &format!("--endpoint-url={url}"),
            &format!("--statefile-dir={}", deep.display()),
        ])
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    for d in [base.0.join("a"), deep.clone()] {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
    for f in files(&deep) {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}
