//! When and how long to wait before trying again.

use std::time::Duration;

/// Exponential backoff with jitter: `initial * 2^attempt`, capped, plus up to 25 % random
/// jitter so that several connections that failed together do not retry in lockstep.
pub fn backoff(initial: Duration, maximum: Duration, attempt: u32) -> Duration {
    let base = initial.saturating_mul(1u32 << attempt.min(16)).min(maximum);
    let jitter_range = base.as_millis() as u64 / 4;
    let jitter = if jitter_range == 0 {
        0
    } else {
        pseudo_random() % jitter_range
    };
    base + Duration::from_millis(jitter)
}

/// Whether an HTTP status is worth retrying: server errors, rate limiting, timeouts.
pub fn status_is_transient(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

fn pseudo_random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let initial = Duration::from_millis(100);
        let maximum = Duration::from_secs(2);
        assert!(backoff(initial, maximum, 0) < Duration::from_millis(126));
        assert!(backoff(initial, maximum, 3) >= Duration::from_millis(800));
        assert!(backoff(initial, maximum, 30) <= Duration::from_millis(2500));
    }
}
