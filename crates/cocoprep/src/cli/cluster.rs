//! Arguments every long job shares: `--shard`, `--shard-from-env`, `--shards`, `--emit`; and
//! `cocoprep status`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use cocoprep_base::cluster::Shard;

/// How a long job is split between the tasks of an array job (flattened into each such
/// command's arguments; resolved into `commands::cluster::ClusterSettings`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Cluster (array jobs)")]
pub struct ClusterArgs {
    /// Do share I of N of the work (0-based): N copies of this command with I = 0..N-1
    /// together do it all, each writing a disjoint part of the output. A finished shard
    /// leaves a marker in OUTPUT/.cocoprep-jobs/ and does nothing when run again; `cocoprep
    /// status OUTPUT` lists the shards left.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["shard_from_env", "emit"])]
    pub shard: Option<Shard>,

    /// Take the share from the array task's variables: Slurm SLURM_ARRAY_TASK_ID, Grid Engine
    /// SGE_TASK_ID (1-based), PBS PBS_ARRAY_INDEX, Kubernetes JOB_COMPLETION_INDEX, AWS Batch
    /// AWS_BATCH_JOB_ARRAY_INDEX (the last three need --shards). Otherwise as --shard.
    #[arg(long, conflicts_with = "emit")]
    pub shard_from_env: bool,

    /// The number of shards: with --shard-from-env, the size of the whole array (so that
    /// re-submitting some tasks keeps their numbers); with --emit, the array to ask for.
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,

    /// Print a job script that runs this command as an array job of --shards tasks (each
    /// with --shard-from-env --shards N, absolute paths, one log file per task in the
    /// submit folder, cores per task = --jobs, default 4), and exit. Submit it with
    /// `sbatch FILE` or `qsub FILE`.
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub emit: Option<EmitArg>,

    /// The job script this task came from (written into scripts by `--emit ... > FILE`),
    /// for `cocoprep status`'s re-submit line.
    #[arg(long, value_name = "FILE", hide = true)]
    pub job_script: Option<PathBuf>,
}

/// Batch systems `--emit` writes job scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitArg {
    /// A Slurm array job (`sbatch`; `#SBATCH --array=0-<N-1>`).
    Slurm,
    /// A Grid Engine array job (`qsub`; `#$ -t 1-<N>`).
    Sge,
    /// A PBS Pro / OpenPBS array job (`qsub`; `#PBS -J 0-<N-1>`).
    Pbs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// An output folder of a sharded command (`get --dir`, the folder of `features butd`'s
    /// PREFIX, `-o` of `masks semantic` and `convert yolo`).
    #[arg(value_name = "ROOT")]
    pub root: PathBuf,

    /// Print the jobs as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
