//! Time, read through one trait so that tests can set it and a check reads it once.

use std::time::{Duration, Instant};

/// Where time comes from. `main` hands in the system clock; tests hand in
/// a fake one, so nothing below reads the clock by itself. `Sync`: the
/// S3 reads of logintegrity share one client across a few threads.
pub trait Clock: Sync {
    /// Wall-clock seconds since the epoch (for signing and time windows).
    fn epoch(&self) -> i64;
    /// Wall-clock milliseconds since the epoch (for buckets shared with
    /// other processes).
    fn epoch_millis(&self) -> i64;
    /// Monotonic now (for deadlines and pacing).
    fn now(&self) -> Instant;
    fn sleep(&self, d: Duration);
    /// A number in [0, 1) for retry jitter.
    fn jitter(&self) -> f64;
}

/// The run's deadline, handed as data to loops of pure code (matching
/// events against the user's patterns) so that they stop when `--timeout`
/// runs out, and the modes stay free of I/O.
#[derive(Clone, Copy)]
pub struct Deadline<'a> {
    clock: &'a dyn Clock,
    at: Option<Instant>,
    limit: crate::error::Limit,
}

impl<'a> Deadline<'a> {
    pub fn new(clock: &'a dyn Clock, at: Instant, limit: crate::error::Limit) -> Deadline<'a> {
        Deadline {
            clock,
            at: Some(at),
            limit,
        }
    }

    /// A deadline that never passes (tests, and work with no time limit).
    pub fn none() -> Deadline<'static> {
        Deadline {
            clock: &SystemClock,
            at: None,
            limit: crate::error::Limit {
                secs: 0,
                option: "--timeout",
            },
        }
    }

    /// `op` may go on, or the run's time is up.
    pub fn check(&self, op: &'static str) -> Result<(), crate::error::Error> {
        match self.at {
            Some(at) if self.clock.now() >= at => Err(crate::error::Error::Timeout {
                op,
                limit: self.limit,
            }),
            _ => Ok(()),
        }
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn epoch(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
    fn epoch_millis(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
    fn jitter(&self) -> f64 {
        // xorshift64* over the clock's nanoseconds and the pid: plenty for
        // spreading retries of checks started at the same second.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut x = u64::from(nanos) ^ (u64::from(std::process::id()) << 32) | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        // 53 random bits over 2^53.
        r as f64 / (1u64 << 53) as f64
    }
}
