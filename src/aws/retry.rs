//! The SDKs' "standard" retry mode, pure: which failures are worth another
//! attempt, and how long to wait before it.
//!
//! Retried: throttling codes, transient codes, HTTP 500/502/503/504 and
//! 429, and answers that never came (refused, reset, DNS, TLS hiccups).
//! Never retried: authentication (a proxy's 407 included, see
//! `http::TransportError::transient`), authorization and validation
//! errors — they would fail the same way and only burn the poller's time.

use std::time::Duration;

/// Error codes the SDKs treat as throttling (botocore `retries/standard.py`).
const THROTTLING: [&str; 13] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
];

/// Transient error codes, and STS's IdP hiccup.
const TRANSIENT: [&str; 4] = [
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "IDPCommunicationError",
];

pub fn is_throttling(code: &str) -> bool {
    THROTTLING.contains(&code)
}

/// Is an AWS error answer worth another attempt?
pub fn retryable_answer(status: u16, code: Option<&str>) -> bool {
    code.is_some_and(|c| is_throttling(c) || TRANSIENT.contains(&c))
        || matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Longest single wait, as in the SDKs.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Full jitter: `unit × min(base × 2^(retry−1), 20 s)`, with `unit` drawn
/// from [0, 1) and `retry` counting from 1. The base is 1 s.
pub fn backoff(retry: u32, unit: f64) -> Duration {
    let exp = 2f64.powi(i32::try_from(retry.saturating_sub(1).min(30)).unwrap_or(30));
    let ceiling = exp.min(MAX_BACKOFF.as_secs_f64());
    Duration::from_secs_f64(ceiling * unit.clamp(0.0, 1.0))
}

/// A wait is only worth it when it leaves most of the budget for the
/// attempt itself: at most a third of what remains.
pub fn fits(wait: Duration, remaining: Duration) -> bool {
    wait.saturating_mul(3) < remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_retried() {
        assert!(retryable_answer(400, Some("ThrottlingException")));
        assert!(retryable_answer(400, Some("Throttling")));
        assert!(retryable_answer(400, Some("RequestTimeout")));
        for s in [429, 500, 502, 503, 504] {
            assert!(retryable_answer(s, None), "{s}");
        }
        for c in [
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "ExpiredTokenException",
            "AccessDeniedException",
            "TrailNotFoundException",
            "ValidationError",
        ] {
            assert!(!retryable_answer(400, Some(c)), "{c}");
        }
        assert!(!retryable_answer(403, None));
        assert!(!retryable_answer(407, None));
        assert!(!retryable_answer(501, None));
    }

    #[test]
    fn full_jitter_backoff() {
        assert_eq!(backoff(1, 0.0), Duration::ZERO);
        assert_eq!(backoff(1, 0.5), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(10, 1.0), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX, 1.0), MAX_BACKOFF);
        assert!(fits(Duration::from_secs(1), Duration::from_secs(10)));
        assert!(!fits(Duration::from_secs(4), Duration::from_secs(10)));
    }
}
