//! A counting semaphore: at most N holders of a permit at a time.
//!
//! For pipelines whose threads mostly wait (on the network, say) but sometimes compute: many
//! threads keep requests in flight, while [`Permits`] lets only as many of them into the
//! computing step as there are cores, so the step's buffers exist a few at a time instead of
//! once per thread and the cores do not switch between dozens of half-done images.

use std::sync::{Condvar, Mutex, PoisonError};

/// At most `limit` [`Permit`]s exist at a time; [`Permits::acquire`] waits for one.
#[derive(Debug)]
pub struct Permits {
    limit: usize,
    taken: Mutex<usize>,
    released: Condvar,
}

/// One permit, given back when dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    permits: &'a Permits,
}

impl Permits {
    /// `limit` permits (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            taken: Mutex::new(0),
            released: Condvar::new(),
        }
    }

    /// Waits until a permit is free and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        while *taken >= self.limit {
            taken = self
                .released
                .wait(taken)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *taken += 1;
        Permit { permits: self }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut taken = self
            .permits
            .taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *taken -= 1;
        drop(taken);
        self.permits.released.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::Permits;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_limit_hold_a_permit_at_once() {
        let permits = Permits::new(2);
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        let _permit = permits.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(inside.load(Ordering::SeqCst), 0);
    }
}
