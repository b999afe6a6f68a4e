//! The worker-thread policy: one rayon pool for the whole process, built once.
//!
//! The binary calls [`configure_global_pool`] at start-up with `-j/--jobs` (or
//! `COCOPREP_JOBS`); every parallel loop in every library then runs on that pool. Libraries
//! never build pools of their own: a library user who wants fewer threads runs the call
//! inside their own `rayon::ThreadPool::install`, and [`worker_count`] follows it.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The threads a parallel step should use: `jobs` when given (non-zero), else the size of
/// the rayon pool the caller runs in (the global pool: one thread per core unless
/// [`configure_global_pool`] said otherwise).
pub fn worker_count(jobs: usize) -> usize {
    match jobs {
        // Outside any pool, asking rayon would start its global pool now; the size it
        // will have is known without that (see `configure_global_pool` for why it matters).
        0 if rayon::current_thread_index().is_none() => match CONFIGURED.load(Ordering::Relaxed) {
            0 => available_cores(),
            configured => configured,
        },
        0 => rayon::current_num_threads(),
        jobs => jobs,
    }
}

/// The global pool size [`configure_global_pool`] set (0 = rayon's default).
static CONFIGURED: AtomicUsize = AtomicUsize::new(0);

/// The number of cores this process may use (1 when that cannot be known).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |count| count.get())
}

/// Sets the size of rayon's global pool to `jobs` threads and returns that size. Call once,
/// before any parallel work; a second call (or one after rayon already started its pool)
/// keeps the existing pool and returns its size.
///
/// `jobs == 0` means one thread per available core, which is rayon's own default, so the
/// pool is then left to start at its first use instead of now. That matters for memory:
/// glibc gives each thread that allocates its own malloc arena, and a pool started before
/// the readers' short-lived threads made `masks rle` on a train2017-sized file peak 12%
/// higher (928 vs 829 MB) than when the pool's threads come after them and reuse their
/// arenas.
pub fn configure_global_pool(jobs: usize) -> usize {
    if jobs == 0 {
        return available_cores();
    }
    // An error means the global pool exists already (rayon allows one): keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|index| format!("cocoprep-worker-{index}"))
        .build_global();
    let threads = rayon::current_num_threads();
    CONFIGURED.store(threads, Ordering::Relaxed);
    threads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_jobs_win_over_the_pool_size() {
        assert_eq!(worker_count(3), 3);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| worker_count(0)), 2);
    }
}
