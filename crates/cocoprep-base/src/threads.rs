//! The worker-thread policy: one rayon pool for the whole process, built once.
//!
//! The binary calls [`configure_global_pool`] at start-up with `-j/--jobs` (or
//! `COCOPREP_JOBS`); every parallel loop in every library then runs on that pool. Libraries
//! never build pools of their own: a library user who wants fewer threads runs the call
//! inside their own `rayon::ThreadPool::install`, and [`worker_count`] follows it.

/// The threads a parallel step should use: `jobs` when given (non-zero), else the size of
/// the rayon pool the caller runs in (the global pool: one thread per core unless
/// [`configure_global_pool`] said otherwise).
pub fn worker_count(jobs: usize) -> usize {
    match jobs {
        0 => rayon::current_num_threads(),
        jobs => jobs,
    }
}

/// The number of cores this process may use (1 when that cannot be known).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |count| count.get())
}

/// Builds rayon's global pool with `jobs` threads (0 = one per available core) and returns
/// the number of threads it has. Call once, before any parallel work; a second call (or one
/// after rayon already started its default pool) keeps the existing pool and returns its size.
pub fn configure_global_pool(jobs: usize) -> usize {
    let threads = if jobs == 0 { available_cores() } else { jobs };
    // An error means the global pool exists already (rayon allows one): keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("cocoprep-worker-{index}"))
        .build_global();
    rayon::current_num_threads()
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
