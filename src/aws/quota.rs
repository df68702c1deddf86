//! Pacing requests under AWS's quotas: LookupEvents allows 2 requests per
//! second per account and region, the other CloudTrail reads 10.
//!
//! With a state directory, every check on the poller shares one bucket per
//! (account or access key, region, endpoint, API), kept in a file under an
//! advisory lock: N checks started at once queue behind each other at the
//! published pace instead of throttling each other. Without one, a check
//! only paces its own requests.
//!
//! The bucket is GCRA (a virtual scheduler): the file holds the
//! theoretical arrival time `tat` of the next request; a request takes the
//! slot `max(now, tat)` and moves `tat` one interval on. Waiting happens
//! outside the lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::clock::Clock;
use crate::statefile::{SMALL_CAP, StateDir, VERSION};

/// Requests per second per API; 0 is "do not pace".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub lookup_events: f64,
    pub other: f64,
    /// S3's requests (every operation at this one rate).
    pub s3: f64,
}

impl Default for Rates {
    /// A little under the published quotas (2 and 10 per second), so a
    /// poller's own clock jitter never tips it over. S3 has no such
    /// account-wide quota (3 500 writes and 5 500 reads a second per
    /// prefix, and a `SlowDown` is retried): pacing the log files' GETs
    /// at CloudTrail's 9 a second made a read of 300 files last 33 s
    /// whatever its CPU, so they go unpaced unless `--api-rate` says.
    fn default() -> Self {
        Rates {
            lookup_events: 1.8,
            other: 9.0,
            s3: 0.0,
        }
    }
}

impl Rates {
    /// `--api-rate=N`: the same rate for every API.
    pub fn all(rate: f64) -> Rates {
        Rates {
            lookup_events: rate,
            other: rate,
            s3: rate,
        }
    }

    /// Whether S3's requests are paced (then at [`Rates::interval`] of
    /// their operation, the same rate as every other's).
    pub fn paces_s3(&self) -> bool {
        self.s3 > 0.0 && self.s3.is_finite()
    }

    pub fn interval(&self, api: &str) -> Option<Duration> {
        let r = if api == "LookupEvents" {
            self.lookup_events
        } else {
            self.other
        };
        (r > 0.0 && r.is_finite()).then(|| Duration::from_secs_f64(1.0 / r))
    }
}

/// Why a request may not go.
#[derive(Debug, PartialEq)]
pub struct TooLong {
    pub wait: Duration,
}

/// `Sync`: one throttle serves the threads of a pool of S3 reads.
pub trait Throttle: Sync {
    /// Which account the requests are for, once the credentials are known:
    /// shared buckets are per account (or access key), region, endpoint.
    fn set_scope(&self, _scope: String) {}

    /// Whether S3's requests wait for [`Throttle::acquire`] too.
    fn paces_s3(&self) -> bool;

    /// Waits for the right to send one `api` request, or says the wait
    /// would not fit in `remaining`.
    fn acquire(&self, api: &str, clock: &dyn Clock, remaining: Duration) -> Result<(), TooLong>;
}

/// A check pacing only its own requests, per scope as the quotas are
/// (another region's first request does not wait for this one's).
pub struct LocalPacer {
    rates: Rates,
    scope: Mutex<String>,
    last: Mutex<HashMap<String, Instant>>,
}

impl LocalPacer {
    pub fn new(rates: Rates) -> Self {
        LocalPacer {
            rates,
            scope: Mutex::new(String::new()),
            last: Mutex::new(HashMap::new()),
        }
    }
}

impl Throttle for LocalPacer {
    fn paces_s3(&self) -> bool {
        self.rates.paces_s3()
    }

    fn set_scope(&self, scope: String) {
        if let Ok(mut s) = self.scope.lock() {
            *s = scope;
        }
    }

    fn acquire(&self, api: &str, clock: &dyn Clock, remaining: Duration) -> Result<(), TooLong> {
        let Some(interval) = self.rates.interval(api) else {
            return Ok(());
        };
        let now = clock.now();
        let key = format!(
            "{}|{api}",
            self.scope.lock().map(|s| s.clone()).unwrap_or_default()
        );
        let wait = {
            let Ok(mut last) = self.last.lock() else {
                return Ok(());
            };
            let slot = last.get(&key).map_or(now, |l| (*l + interval).max(now));
            let wait = slot.saturating_duration_since(now);
            if wait >= remaining {
                return Err(TooLong { wait });
            }
            last.insert(key, slot);
            wait
        };
        if !wait.is_zero() {
            clock.sleep(wait);
        }
        Ok(())
    }
}

/// The longest wait for a bucket's lock, and at most half of what is
/// left of the run: a bucket is held for one read and one write of a
/// 40-byte file (milliseconds, even with thirty checks queued), so a lock
/// still held after this is stuck or hostile.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Buckets shared by every check through the state directory.
pub struct SharedBucket<'a> {
    state: &'a StateDir,
    rates: Rates,
    /// Account or access key id, region and endpoint; set once the
    /// credentials are known ([`SharedBucket::set_scope`]).
    scope: Mutex<String>,
    /// Used when the state file cannot be locked (then we pace alone).
    fallback: LocalPacer,
    /// A lock waited on in vain once is not waited on again in this run.
    stuck: AtomicBool,
}

impl<'a> SharedBucket<'a> {
    pub fn new(state: &'a StateDir, rates: Rates) -> Self {
        SharedBucket {
            state,
            rates,
            scope: Mutex::new(String::new()),
            fallback: LocalPacer::new(rates),
            stuck: AtomicBool::new(false),
        }
    }

    pub fn set_scope(&self, scope: String) {
        self.fallback.set_scope(scope.clone());
        if let Ok(mut s) = self.scope.lock() {
            *s = scope;
        }
    }
}

/// The next slot stored in a bucket file's bytes, if they are of this
/// version.
pub fn stored_tat(bytes: &[u8]) -> Option<i64> {
    crate::statefile::parse(bytes)?.get("tat_ms")?.as_i64()
}

/// One GCRA step, pure: the slot for a request at `now` given the stored
/// `tat`, and the new `tat` (all in milliseconds since the epoch).
pub fn gcra(now: i64, tat: i64, interval_ms: i64) -> (i64, i64) {
    let slot = now.max(tat);
    (slot, slot.saturating_add(interval_ms))
}

impl Throttle for SharedBucket<'_> {
    fn paces_s3(&self) -> bool {
        self.rates.paces_s3()
    }

    fn set_scope(&self, scope: String) {
        SharedBucket::set_scope(self, scope);
    }

    fn acquire(&self, api: &str, clock: &dyn Clock, remaining: Duration) -> Result<(), TooLong> {
        let Some(interval) = self.rates.interval(api) else {
            return Ok(());
        };
        let scope = self.scope.lock().map(|s| s.clone()).unwrap_or_default();
        let path = self.state.file("bucket", &format!("{scope}|{api}"));
        let lock = (!self.stuck.load(Ordering::Relaxed))
            .then(|| self.state.lock(&path, clock, LOCK_WAIT.min(remaining / 2)))
            .flatten();
        let Some(lock) = lock else {
            self.stuck.store(true, Ordering::Relaxed);
            return self.fallback.acquire(api, clock, remaining);
        };
        let now = clock.epoch_millis();
        // A tat far in the future is a broken clock or file: start over.
        let tat = self
            .state
            .read_bytes(&path, SMALL_CAP)
            .and_then(|b| stored_tat(&b))
            .filter(|t| *t < now.saturating_add(3_600_000))
            .unwrap_or(0);
        let interval_ms = i64::try_from(interval.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let (slot, next) = gcra(now, tat, interval_ms);
        let wait = Duration::from_millis(u64::try_from(slot - now).unwrap_or(0));
        if wait >= remaining {
            drop(lock);
            return Err(TooLong { wait });
        }
        // A bucket that cannot be written only costs us the sharing.
        let _ = self.state.write(
            &path,
            &json!({"version": VERSION, "tat_ms": next}),
            SMALL_CAP,
        );
        drop(lock);
        if !wait.is_zero() {
            clock.sleep(wait);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_queues_at_the_interval() {
        // Three requests at the same instant: 0, 500, 1000 ms later.
        let mut tat = 0;
        let mut slots = Vec::new();
        for _ in 0..3 {
            let (slot, next) = gcra(10_000, tat, 500);
            slots.push(slot - 10_000);
            tat = next;
        }
        assert_eq!(slots, vec![0, 500, 1000]);
        // After a quiet spell the next one goes at once.
        assert_eq!(gcra(20_000, tat, 500).0, 20_000);
    }

    #[test]
    fn rates() {
        let r = Rates::default();
        assert_eq!(
            r.interval("LookupEvents"),
            Some(Duration::from_secs_f64(1.0 / 1.8))
        );
        assert_eq!(
            r.interval("GetTrailStatus"),
            Some(Duration::from_secs_f64(1.0 / 9.0))
        );
        assert_eq!(Rates::all(0.0).interval("LookupEvents"), None);
        assert!(!r.paces_s3() && Rates::all(50.0).paces_s3() && !Rates::all(0.0).paces_s3());
    }

    #[test]
    fn local_pacer_spaces_and_refuses_long_waits() {
        let clock = crate::clock::SystemClock;
        let p = LocalPacer::new(Rates::all(20.0));
        let t0 = Instant::now();
        for _ in 0..3 {
            p.acquire("LookupEvents", &clock, Duration::from_secs(5))
                .unwrap();
        }
        assert!(t0.elapsed() >= Duration::from_millis(95));
        let slow = LocalPacer::new(Rates::all(0.5));
        slow.acquire("X", &clock, Duration::from_secs(5)).unwrap();
        assert!(
            slow.acquire("X", &clock, Duration::from_millis(100))
                .is_err()
        );
    }
}
