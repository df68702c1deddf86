//! A small bounded pool of threads for independent reads (logintegrity's
//! S3 GETs): a first run may read thousands of files, one at a time
//! would spend the check's time waiting on round trips.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::trace::Trace;

/// Connections open at once by default: enough to hide the round trip
/// of small files, few enough for a poller running many checks (and far
/// below S3's 5 500 GETs per second per prefix).
pub const WORKERS: usize = 8;

/// `f(i)` for every `i` in `0..n`, on at most `workers` threads, the
/// results in order. Each call writes its debug lines to a trace of its
/// own, appended to `trace` in order afterwards, so `--debug` reads as if
/// the calls had run one after the other. Runs in this thread when there
/// is one call, one worker, or no thread can be started.
pub fn map<T: Send>(
    n: usize,
    workers: usize,
    trace: &mut Trace,
    f: impl Fn(usize, &mut Trace) -> T + Sync,
) -> Vec<T> {
    let workers = workers.min(n);
    if workers <= 1 {
        return (0..n).map(|i| f(i, trace)).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T, Trace)>> = Mutex::new(Vec::with_capacity(n));
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let mut t = trace.fork();
            let v = f(i, &mut t);
            if let Ok(mut d) = done.lock() {
                d.push((i, v, t));
            }
        }
    };
    std::thread::scope(|scope| {
        // This thread is one of the workers.
        for _ in 1..workers {
            // A thread refused: the others, or this one below, do its share.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    let mut done = done.into_inner().unwrap_or_else(|p| p.into_inner());
    done.sort_by_key(|(i, _, _)| *i);
    let mut out = Vec::with_capacity(n);
    for (_, v, t) in done {
        trace.absorb(t);
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_lines_come_back_in_order() {
        let mut trace = Trace::new(true);
        trace.secrets(["s3cr3t-value-123".to_owned()]);
        let out = map(50, 4, &mut trace, |i, t| {
            std::thread::sleep(std::time::Duration::from_micros(((50 - i) * 20) as u64));
            t.log(|| format!("call {i}"));
            assert_eq!(t.known_secrets(), ["s3cr3t-value-123".to_owned()]);
            i * 2
        });
        assert_eq!(out, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        let expected: Vec<String> = (0..50).map(|i| format!("call {i}")).collect();
        assert_eq!(trace.lines, expected);
    }

    #[test]
    fn one_call_or_one_worker_stays_in_this_thread() {
        let me = std::thread::current().id();
        let mut trace = Trace::new(false);
        assert_eq!(
            map(3, 1, &mut trace, |_, _| std::thread::current().id()),
            vec![me; 3]
        );
        assert_eq!(
            map(1, 8, &mut trace, |_, _| std::thread::current().id()),
            vec![me]
        );
        assert!(map(0, 8, &mut trace, |i, _| i).is_empty());
    }

    #[test]
    fn at_most_workers_calls_run_at_once() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let mut trace = Trace::new(false);
        map(40, 3, &mut trace, |_, _| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(2));
            running.fetch_sub(1, Ordering::SeqCst);
        });
        assert!(peak.load(Ordering::SeqCst) <= 3, "{peak:?}");
        assert!(peak.load(Ordering::SeqCst) >= 2, "{peak:?}");
    }
}
