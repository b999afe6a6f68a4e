//! `cocoprep status ROOT`: where the sharded jobs writing into ROOT stand, and the exact
//! line that re-submits their unfinished shards.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_base::cluster::marker::{self, JobStatus};
use cocoprep_base::cluster::script::{resubmit_lines, shell_quote};
use cocoprep_base::cluster::{BatchSystem, Scheduler, array};
use serde::Serialize;

use super::Outcome;
use crate::cli::StatusArgs;
use crate::output;
use crate::settings::GlobalSettings;

/// Stands for the job script's path in re-submit lines when it is not known.
const UNKNOWN_SCRIPT: &str = "JOB_SCRIPT";

#[derive(Clone, Debug)]
pub struct StatusSettings {
    pub root: PathBuf,
    pub json: bool,
}

impl StatusSettings {
    pub fn resolve(args: StatusArgs) -> Self {
        let StatusArgs { root, json } = args;
        Self { root, json }
    }
}

/// One job in `status --json`.
#[derive(Debug, Serialize)]
struct JobReport<'a> {
    job_id: &'a str,
    command: &'a str,
    command_line: &'a [String],
    shards: usize,
    done: &'a [usize],
    unfinished: &'a [usize],
    /// `unfinished` as an array expression (`1,3-5`).
    unfinished_array: String,
    scheduler: Option<Scheduler>,
    job_script: Option<&'a PathBuf>,
    /// The commands that run the unfinished shards again.
    resubmit: Vec<String>,
    complete: bool,
}

pub fn run(settings: &StatusSettings, _global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let StatusSettings { root, json } = settings;
    anyhow::ensure!(root.is_dir(), "`{}` is not a folder", root.display());
    let jobs = marker::scan_jobs(root)
        .with_context(|| format!("cannot read the jobs under `{}`", root.display()))?;
    let reports: Vec<JobReport> = jobs.iter().map(report).collect();
    let complete = reports.iter().all(|job| job.complete);
    if *json {
        let value = serde_json::json!({
            "root": root,
            "complete": complete,
            "jobs": reports,
        });
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
    } else {
        output::stdout(&render(root, &reports))?;
    }
    Ok(if complete {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}

fn report(job: &JobStatus) -> JobReport<'_> {
    let record = &job.record;
    let script = record.job_script.as_ref().map_or_else(
        || UNKNOWN_SCRIPT.to_owned(),
        |path| path.to_string_lossy().into_owned(),
    );
    let system = match record.scheduler {
        Some(Scheduler::Slurm) => Some(BatchSystem::Slurm),
        Some(Scheduler::Sge) => Some(BatchSystem::Sge),
        Some(Scheduler::Pbs) => Some(BatchSystem::Pbs),
        _ => None,
    };
    let resubmit = match system {
        Some(system) => resubmit_lines(system, &job.unfinished, &script),
        // Shards run by hand (`--shard I/N`) or by a system without a script file: the
        // command itself, once per unfinished shard.
        None => job
            .unfinished
            .iter()
            .map(|index| {
                let words: Vec<String> = record
                    .command_line
                    .iter()
                    .map(|word| shell_quote(word))
                    .collect();
                format!(
                    "cocoprep {} --shard {index}/{}",
                    words.join(" "),
                    record.shards
                )
            })
            .collect(),
    };
    JobReport {
        job_id: &record.job_id,
        command: &record.command,
        command_line: &record.command_line,
        shards: record.shards,
        done: &job.done,
        unfinished: &job.unfinished,
        unfinished_array: array::format_indices(&job.unfinished),
        scheduler: record.scheduler,
        job_script: record.job_script.as_ref(),
        resubmit,
        complete: job.is_complete(),
    }
}

fn render(root: &std::path::Path, jobs: &[JobReport]) -> String {
    if jobs.is_empty() {
        return format!(
            "no sharded jobs under {}\n",
            root.join(marker::JOBS_FOLDER).display()
        );
    }
    let mut text = String::new();
    for job in jobs {
        text.push_str(&format!(
            "{}  {}: {} of {} shards done",
            job.job_id,
            job.command,
            job.done.len(),
            job.shards
        ));
        if job.complete {
            text.push_str(", complete\n");
            continue;
        }
        text.push_str(&format!(", unfinished: {}\n", job.unfinished_array));
        for line in &job.resubmit {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}
