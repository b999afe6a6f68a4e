//! The cluster layer of the binary: `--shard`, `--shard-from-env`, `--shards`, `--emit`
//! resolved once into [`ClusterSettings`], and [`run_job`], which every long job calls
//! around its work: it prints job scripts, skips finished shards and writes done markers.
//!
//! Adding the layer to a command: flatten `ClusterArgs` into its arguments, resolve it with
//! [`ClusterSettings::resolve`], describe the job with a [`JobSpec`] (canonical words, output
//! root), and call [`run_job`] with a closure that does the work of one shard.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;
use cocoprep_base::cluster::marker::{self, DoneMarker, JobId, JobRecord};
use cocoprep_base::cluster::{BatchSystem, JobScript, Scheduler, Shard, shard_from_environment};

use super::Outcome;
use crate::cli::{ClusterArgs, EmitArg};
use crate::output;
use crate::settings::GlobalSettings;

/// Cores a task of an emitted script asks for when `--jobs` is not given: few enough to be
/// scheduled on any node; pass `-j N` with `--emit` for more.
pub const DEFAULT_CPUS_PER_TASK: usize = 4;

/// What the cluster options ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterMode {
    /// The whole job in this process.
    Single,
    /// One shard, and where it came from (a batch system, or `--shard`).
    Shard {
        shard: Shard,
        scheduler: Option<Scheduler>,
    },
    /// Print a job script for this batch system and this many tasks (`None`: the
    /// command's default, where it has one).
    Emit {
        system: BatchSystem,
        shards: Option<usize>,
    },
}

/// The resolved cluster options.
#[derive(Clone, Debug)]
pub struct ClusterSettings {
    pub mode: ClusterMode,
    /// The job script the task came from, for `status`'s re-submit line.
    pub job_script: Option<PathBuf>,
}

impl ClusterSettings {
    /// Resolves the options, reading the array task's variables for `--shard-from-env`.
    pub fn resolve(args: ClusterArgs) -> anyhow::Result<Self> {
        let ClusterArgs {
            shard,
            shard_from_env,
            shards,
            emit,
            job_script,
        } = args;
        anyhow::ensure!(shards != Some(0), "--shards must be at least 1");
        let mode = match (shard, shard_from_env, emit) {
            (Some(shard), _, _) => {
                if let Some(count) = shards {
                    anyhow::ensure!(
                        count == shard.count,
                        "--shard {shard} and --shards {count} disagree on the number of shards"
                    );
                }
                ClusterMode::Shard {
                    shard,
                    scheduler: None,
                }
            }
            (None, true, _) => {
                let found = shard_from_environment(shards)?;
                ClusterMode::Shard {
                    shard: found.shard,
                    scheduler: Some(found.scheduler),
                }
            }
            (None, false, Some(system)) => ClusterMode::Emit {
                system: match system {
                    EmitArg::Slurm => BatchSystem::Slurm,
                    EmitArg::Sge => BatchSystem::Sge,
                    EmitArg::Pbs => BatchSystem::Pbs,
                },
                shards,
            },
            (None, false, None) => {
                anyhow::ensure!(
                    shards.is_none(),
                    "--shards N needs --shard-from-env (inside an array job) or --emit SYSTEM"
                );
                ClusterMode::Single
            }
        };
        Ok(Self { mode, job_script })
    }

    /// The shard this process does, if any.
    pub fn shard(&self) -> Option<Shard> {
        match self.mode {
            ClusterMode::Shard { shard, .. } => Some(shard),
            _ => None,
        }
    }
}

/// A long job as the cluster layer sees it.
#[derive(Clone, Debug)]
pub struct JobSpec {
    /// The command's words (`features butd`).
    pub command: &'static str,
    /// The canonical arguments after the command words: absolute paths, every option that
    /// changes the output, none that does not (shard, threads, verbosity). They make the
    /// job id and the command line of emitted scripts.
    pub arguments: Vec<String>,
    /// The output folder that holds `.cocoprep-jobs/`.
    pub root: PathBuf,
    /// Cores each task of an emitted script asks for (and passes as `--jobs`).
    pub cpus_per_task: usize,
}

impl JobSpec {
    /// The job's id.
    pub fn job_id(&self) -> JobId {
        JobId::new(self.command, &self.canonical_words())
    }

    /// `command words + arguments`.
    fn canonical_words(&self) -> Vec<String> {
        self.command
            .split(' ')
            .map(str::to_owned)
            .chain(self.arguments.iter().cloned())
            .collect()
    }
}

/// An absolute path as a word of a canonical command line.
pub fn absolute_word(path: &Path) -> anyhow::Result<String> {
    let absolute = std::path::absolute(path)
        .with_context(|| format!("cannot make `{}` absolute", path.display()))?;
    Ok(absolute.to_string_lossy().into_owned())
}

/// Runs one command under the cluster options: prints the job script (`--emit`), runs the
/// whole job (`Single`), or runs one shard: skipped at once when its marker exists, else
/// `work(Some(shard))` and, when that succeeds, a done marker. `work` returns the outcome
/// and the number of items it did (for the marker).
pub fn run_job(
    settings: &ClusterSettings,
    spec: &JobSpec,
    global: &GlobalSettings,
    work: impl FnOnce(Option<Shard>) -> anyhow::Result<(Outcome, u64)>,
) -> anyhow::Result<Outcome> {
    match settings.mode {
        ClusterMode::Single => Ok(work(None)?.0),
        ClusterMode::Emit { system, shards } => {
            let shards = shards.context("--emit needs --shards N (the number of array tasks)")?;
            emit(system, shards, spec, global)?;
            Ok(Outcome::Success)
        }
        ClusterMode::Shard { shard, scheduler } => {
            let root = &spec.root;
            let job = spec.job_id();
            if let Some((path, _)) = marker::read_marker(root, &job, shard) {
                output::note(
                    global,
                    format!("shard {shard} already done (marker {})", path.display()),
                );
                return Ok(Outcome::Success);
            }
            let job_script = match &settings.job_script {
                Some(path) => Some(std::path::absolute(path)?),
                None => None,
            };
            marker::write_job_record(
                root,
                &JobRecord {
                    job_id: job.to_string(),
                    command: spec.command.to_owned(),
                    command_line: spec.canonical_words(),
                    shards: shard.count,
                    scheduler,
                    job_script,
                },
            )?;
            let started = SystemTime::now();
            let (outcome, items) = work(Some(shard))?;
            if outcome == Outcome::Success {
                let path = marker::write_marker(
                    root,
                    &job,
                    &DoneMarker {
                        job_id: job.to_string(),
                        command_line: std::env::args().collect(),
                        shard: shard.index,
                        shards: shard.count,
                        host: marker::host_name(),
                        started: marker::timestamp(started),
                        finished: marker::timestamp(SystemTime::now()),
                        items,
                        scheduler,
                    },
                )?;
                output::note(
                    global,
                    format!("shard {shard} done (marker {})", path.display()),
                );
            }
            Ok(outcome)
        }
    }
}

/// Prints the job script of `spec` for `system` and `shards` tasks.
pub fn emit(
    system: BatchSystem,
    shards: usize,
    spec: &JobSpec,
    global: &GlobalSettings,
) -> anyhow::Result<()> {
    anyhow::ensure!(shards > 0, "--shards must be at least 1");
    let program = std::env::current_exe()
        .ok()
        .map(|path| path.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cocoprep".to_owned());
    let mut command = vec![program];
    command.extend(spec.canonical_words());
    let cpus = if global.jobs > 0 {
        global.jobs
    } else {
        spec.cpus_per_task
    };
    command.extend(["--jobs".to_owned(), cpus.to_string()]);
    if let Some(script) = stdout_file() {
        command.extend([
            "--job-script".to_owned(),
            script.to_string_lossy().into_owned(),
        ]);
    }
    let script = JobScript {
        system,
        name: format!("cocoprep-{}", spec.command.replace(' ', "-")),
        shards,
        cpus_per_task: cpus,
        memory: "8G".to_owned(),
        time_limit: "24:00:00".to_owned(),
        command,
        origin: format!("cocoprep {} --emit {}", spec.command, system.name()),
    };
    output::stdout(&script.render())
}

/// The file stdout is redirected to (`--emit slurm > job.sbatch`), so that the script can
/// name itself for `status`'s re-submit line. Linux only; `None` for terminals and pipes.
fn stdout_file() -> Option<PathBuf> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let path = std::fs::read_link("/proc/self/fd/1").ok()?;
    std::fs::metadata(&path)
        .is_ok_and(|metadata| metadata.is_file())
        .then_some(path)
}
