//! How many threads to use.

/// `jobs`, or one per available core when 0.
pub(crate) fn worker_count(jobs: usize) -> usize {
    match jobs {
        0 => std::thread::available_parallelism().map_or(1, |count| count.get()),
        jobs => jobs,
    }
}

/// Runs `work` on a thread pool of `jobs` threads (0 = one per core).
pub(crate) fn with_threads<T: Send>(jobs: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(worker_count(jobs))
        .build()
    {
        Ok(pool) => pool.install(work),
        // Without a pool of our own, rayon's global pool does the work.
        Err(_) => work(),
    }
}
