//! What an output folder holds: rows by status and by error, the shards complete and
//! missing, and the array tasks to re-submit for the missing ones.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::job::JobFile;
use crate::layout::ShardLayout;
use crate::output::ShardStats;

/// The state of an output folder.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FolderStatus {
    /// Rows in the input (once a run has read it all).
    pub rows: Option<u64>,
    /// Shards the input makes (once known).
    pub shards: Option<u64>,
    /// Shards with a stats file.
    pub complete_shards: Vec<u64>,
    /// Shards without one (when the total is known).
    pub missing_shards: Vec<u64>,
    /// The array tasks (`--shard I/N`'s I) owning the missing shards, when the run was an
    /// array of `array_tasks` tasks; otherwise the missing shards themselves.
    pub tasks_to_resubmit: Vec<u64>,
    /// The array size the run used.
    pub array_tasks: Option<usize>,
    /// Totals over the complete shards.
    pub totals: ShardStats,
    /// Failed rows by reason.
    pub errors: BTreeMap<String, u64>,
}

/// Reads `folder`'s stats files and job file.
pub fn folder_status(folder: &Path) -> Result<FolderStatus, Error> {
    let job = JobFile::read(folder)?;
    let layout = ShardLayout {
        samples_per_shard: job.as_ref().map_or(10_000, |job| job.samples_per_shard),
        shard_digits: job.as_ref().map_or(5, |job| job.shard_digits),
    };
    let mut status = FolderStatus {
        rows: job.as_ref().map(|job| job.rows),
        shards: job.as_ref().map(|job| job.shards),
        array_tasks: job.as_ref().and_then(|job| job.array_tasks),
        ..FolderStatus::default()
    };
    let entries = fs_err::read_dir(folder).map_err(Error::read(folder))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with("_stats.json") {
            continue;
        }
        let Some(shard) = layout.shard_of_file_name(&name) else {
            continue;
        };
        let stats = ShardStats::read(&entry.path())?;
        status.totals.count += stats.count;
        status.totals.successes += stats.successes;
        status.totals.failed_to_download += stats.failed_to_download;
        status.totals.failed_to_resize += stats.failed_to_resize;
        status.totals.duration += stats.duration;
        for (reason, count) in stats.status_dict {
            *status.totals.status_dict.entry(reason.clone()).or_insert(0) += count;
            if reason != "success" {
                *status.errors.entry(reason).or_insert(0) += count;
            }
        }
        status.complete_shards.push(shard);
    }
    status.complete_shards.sort_unstable();
    if let Some(shards) = status.shards {
        status.missing_shards = (0..shards)
            .filter(|shard| status.complete_shards.binary_search(shard).is_err())
            .collect();
        let mut tasks: Vec<u64> = match status.array_tasks {
            Some(count) => status
                .missing_shards
                .iter()
                .map(|shard| shard % count as u64)
                .collect(),
            None => status.missing_shards.clone(),
        };
        tasks.sort_unstable();
        tasks.dedup();
        status.tasks_to_resubmit = tasks;
    }
    Ok(status)
}

impl FolderStatus {
    /// Whether every shard is complete (false while the total is unknown).
    pub fn is_complete(&self) -> bool {
        self.shards.is_some() && self.missing_shards.is_empty()
    }
}
