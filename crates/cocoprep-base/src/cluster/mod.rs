//! The cluster layer shared by every long job: split the work between the tasks of an array
//! job, find a task's share in the batch system's variables, mark finished shards, print job
//! scripts, and say which shards are left.
//!
//! * [`shard`]: [`Shard`] (`--shard I/N`) and the stable assignment of work to shards.
//! * [`environment`]: `--shard-from-env` for Slurm, Grid Engine, PBS, Kubernetes Indexed
//!   Jobs and AWS Batch.
//! * [`marker`]: `<root>/.cocoprep-jobs/<job-id>/shard-I-of-N.done` and `job.json`, and the
//!   scan behind `cocoprep status`.
//! * [`script`]: `--emit slurm|sge|pbs` job scripts and re-submit lines.
//! * [`array`]: array-index expressions (`1,3-5`).
//!
//! ```
//! use cocoprep_base::cluster::{Shard, array};
//!
//! let shard: Shard = "1/4".parse()?;
//! let mine: Vec<usize> = (0..10).filter(|&i| shard.owns_position(i)).collect();
//! assert_eq!(mine, [1, 5, 9]);
//! assert_eq!(array::format_indices(&[1, 3, 4, 5]), "1,3-5");
//! # Ok::<(), cocoprep_base::cluster::Error>(())
//! ```

pub mod array;
pub mod environment;
pub mod marker;
pub mod script;
pub mod shard;

use std::path::PathBuf;

pub use environment::{EnvironmentShard, Scheduler, shard_from_environment};
pub use marker::{DoneMarker, JobId, JobRecord, JobStatus};
pub use script::{BatchSystem, JobScript};
pub use shard::Shard;

/// What can go wrong in the cluster layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--shard` text that is not `I/N`.
    #[error("expected I/N with 0 <= I < N (like `0/4`), got `{text}`")]
    InvalidShard {
        /// The text given.
        text: String,
    },
    /// A shard index not below the count.
    #[error("shard index must be in 0..{count}, got {index}")]
    ShardOutOfRange {
        /// The index.
        index: usize,
        /// The count.
        count: usize,
    },
    /// `--shards 0`.
    #[error("--shards must be at least 1")]
    ZeroShards,
    /// `--shard-from-env` outside an array task.
    #[error(
        "--shard-from-env: no array task in the environment (none of SLURM_ARRAY_TASK_ID, \
         SGE_TASK_ID, PBS_ARRAY_INDEX, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set); \
         run inside an array job, or pass --shard I/N"
    )]
    NoArrayTask,
    /// An index variable without any way to know the count.
    #[error(
        "`{variable}` gives this task's index but not how many shards there are; \
         pass --shards N (N = the number of tasks of the whole array)"
    )]
    ShardsNeeded {
        /// The index variable.
        variable: &'static str,
    },
    /// A variable that is not a number (or not a valid index).
    #[error("`{variable}` is `{value}`, which is not a valid array task index")]
    InvalidVariable {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
    },
    /// An index at or beyond the count.
    #[error(
        "`{variable}` is `{value}`, which is shard {index}, outside 0..{count}; \
         pass the --shards N the array was made for (Slurm `--array=0-<N-1>`, \
         Grid Engine `-t 1-<N>`, PBS `-J 0-<N-1>`)"
    )]
    IndexOutsideArray {
        /// The index variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// The shard index it gives.
        index: usize,
        /// The shard count.
        count: usize,
    },
    /// An array with gaps or a step, from which shard numbers cannot be derived.
    #[error(
        "the array job is not one contiguous range ({count} tasks over {span} ids, see \
         `{variable}`), so shard numbers cannot be derived from it; pass --shards N"
    )]
    ArrayNotContiguous {
        /// The variable that shows it.
        variable: &'static str,
        /// Tasks in the array.
        count: usize,
        /// Ids the array spans.
        span: usize,
    },
    /// A marker or job file that cannot be read or written.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A marker or job file that is not valid JSON of the expected shape.
    #[error("`{}` is not a cocoprep job file", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}
