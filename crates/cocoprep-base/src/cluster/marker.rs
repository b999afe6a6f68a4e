//! Done markers: what lets a re-submitted array job skip its finished shards, and
//! `cocoprep status` say which are left.
//!
//! A job's folder is `<root>/.cocoprep-jobs/<job-id>/`, where `<root>` is the command's
//! output folder and `<job-id>` is `<command>-<16 hex>`, a stable hash of the command's
//! canonical inputs and options (never of the shard, the thread count or the verbosity).
//! It holds `job.json` ([`JobRecord`]: the command and N, written by every shard with the
//! same content) and one `shard-I-of-N.done` ([`DoneMarker`]) per finished shard. Both are
//! written atomically (temporary name, fsync, rename), so parallel shards never see half a
//! file.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Error, Scheduler, Shard};

/// The folder under an output root that holds the jobs' markers.
pub const JOBS_FOLDER: &str = ".cocoprep-jobs";

/// The name of a job's record in its folder.
pub const JOB_RECORD: &str = "job.json";

/// A job's identity: `<command>-<16 hex>` (`features-butd-0123456789abcdef`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(String);

impl JobId {
    /// The id of `command` (`features butd`: spaces become `-`) run with the canonical
    /// words `canonical` (absolute paths, every option that changes the output).
    pub fn new(command: &str, canonical: &[String]) -> Self {
        // FNV-1a over the words, each followed by a 0 byte so that `["ab", "c"]` and
        // `["a", "bc"]` differ. Fixed forever: markers of earlier runs depend on it.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for word in canonical {
            for &byte in word.as_bytes().iter().chain(&[0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Self(format!("{}-{hash:016x}", command.replace(' ', "-")))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// `<root>/.cocoprep-jobs/<job-id>`.
pub fn job_folder(root: &Path, job: &JobId) -> PathBuf {
    root.join(JOBS_FOLDER).join(job.as_str())
}

/// `<root>/.cocoprep-jobs/<job-id>/shard-I-of-N.done`.
pub fn marker_path(root: &Path, job: &JobId, shard: Shard) -> PathBuf {
    job_folder(root, job).join(format!("{}.done", shard.file_label()))
}

/// `job.json`: what a job is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The job id.
    pub job_id: String,
    /// The command (`features butd`).
    pub command: String,
    /// The canonical command line the job id is made from (without cluster options).
    pub command_line: Vec<String>,
    /// How many shards the job has.
    pub shards: usize,
    /// The batch system that ran it, when the shard came from its variables.
    pub scheduler: Option<Scheduler>,
    /// The job script, when it is known (`--emit ... > FILE` records it).
    pub job_script: Option<PathBuf>,
}

/// `shard-I-of-N.done`: one finished shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneMarker {
    /// The job id.
    pub job_id: String,
    /// The command line as it was run.
    pub command_line: Vec<String>,
    /// The shard index.
    pub shard: usize,
    /// The shard count.
    pub shards: usize,
    /// The machine it ran on.
    pub host: String,
    /// When the shard started (RFC 3339, UTC).
    pub started: String,
    /// When it finished (RFC 3339, UTC).
    pub finished: String,
    /// Work items it did (images, files; what the command counts).
    pub items: u64,
    /// The batch system that ran it, when known.
    pub scheduler: Option<Scheduler>,
}

/// Writes `job.json` into the job's folder (creating it).
pub fn write_job_record(root: &Path, record: &JobRecord) -> Result<PathBuf, Error> {
    let path = root.join(JOBS_FOLDER).join(&record.job_id).join(JOB_RECORD);
    write_json(&path, record)?;
    Ok(path)
}

/// Writes a shard's done marker.
pub fn write_marker(root: &Path, job: &JobId, marker: &DoneMarker) -> Result<PathBuf, Error> {
    let shard = Shard::new(marker.shard, marker.shards)?;
    let path = marker_path(root, job, shard);
    write_json(&path, marker)?;
    Ok(path)
}

/// The marker of `shard`, if that shard is done (its marker exists and is readable).
pub fn read_marker(root: &Path, job: &JobId, shard: Shard) -> Option<(PathBuf, DoneMarker)> {
    let path = marker_path(root, job, shard);
    let marker = read_json(&path).ok()?;
    Some((path, marker))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(value).expect("job files serialize");
    text.push('\n');
    crate::output::write_atomic(path, text.as_bytes()).map_err(|source| Error::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Error> {
    let bytes = fs_err::read(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Json {
        path: path.to_owned(),
        source,
    })
}

/// Where one job stands.
#[derive(Clone, Debug, Serialize)]
pub struct JobStatus {
    /// The job's folder.
    pub folder: PathBuf,
    /// Its `job.json`.
    pub record: JobRecord,
    /// Finished shards, ascending.
    pub done: Vec<usize>,
    /// Shards without a marker, ascending.
    pub unfinished: Vec<usize>,
}

impl JobStatus {
    /// Whether every shard is done.
    pub fn is_complete(&self) -> bool {
        self.unfinished.is_empty()
    }
}

/// Every job under `root/.cocoprep-jobs`, sorted by id (none when the folder is missing).
pub fn scan_jobs(root: &Path) -> Result<Vec<JobStatus>, Error> {
    let jobs_folder = root.join(JOBS_FOLDER);
    let entries = match fs_err::read_dir(&jobs_folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: jobs_folder,
                source,
            });
        }
    };
    let mut jobs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            action: "read",
            path: jobs_folder.clone(),
            source,
        })?;
        let folder = entry.path();
        let record_path = folder.join(JOB_RECORD);
        if !record_path.is_file() {
            continue;
        }
        let record: JobRecord = read_json(&record_path)?;
        let job = JobId(record.job_id.clone());
        let (done, unfinished) = (0..record.shards).partition(|&index| {
            read_marker(
                root,
                &job,
                Shard {
                    index,
                    count: record.shards,
                },
            )
            .is_some()
        });
        jobs.push(JobStatus {
            folder,
            record,
            done,
            unfinished,
        });
    }
    jobs.sort_by(|a, b| a.record.job_id.cmp(&b.record.job_id));
    Ok(jobs)
}

/// The machine's name, for markers (`unknown` when it cannot be found).
pub fn host_name() -> String {
    let from_kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_kernel
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `time` as RFC 3339 in UTC, to the second: `2025-01-31T23:59:07Z`.
pub fn timestamp(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's `civil_from_days`, for days since 1970-01-01 (non-negative here).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn job_ids_depend_on_every_word_and_nothing_else() {
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let id = JobId::new("features butd", &words(&["/a.tsv", "--output-dir", "/x"]));
        assert!(id.as_str().starts_with("features-butd-"));
        assert_eq!(id.as_str().len(), "features-butd-".len() + 16);
        assert_eq!(
            id,
            JobId::new("features butd", &words(&["/a.tsv", "--output-dir", "/x"]))
        );
        assert_ne!(
            id,
            JobId::new("features butd", &words(&["/a.tsv", "--output-dir", "/y"]))
        );
        assert_ne!(
            JobId::new("get", &words(&["ab", "c"])),
            JobId::new("get", &words(&["a", "bc"]))
        );
        // Fixed forever: an existing marker must keep matching its job.
        assert_eq!(JobId::new("get", &[]).as_str(), "get-cbf29ce484222325");
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap_day = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_661);
        assert_eq!(timestamp(leap_day), "2000-02-29T01:01:01Z");
        let end_of_year = UNIX_EPOCH + Duration::from_secs(1_735_689_599);
        assert_eq!(timestamp(end_of_year), "2024-12-31T23:59:59Z");
    }

    #[test]
    fn markers_and_records_are_found_by_the_scan() {
        let root = tempfile::tempdir().unwrap();
        let job = JobId::new("masks semantic", &["/in.json".to_owned()]);
        let record = JobRecord {
            job_id: job.to_string(),
            command: "masks semantic".to_owned(),
            command_line: vec!["/in.json".to_owned()],
            shards: 4,
            scheduler: Some(Scheduler::Slurm),
            job_script: None,
        };
        write_job_record(root.path(), &record).unwrap();
        for index in [0, 2] {
            let marker = DoneMarker {
                job_id: job.to_string(),
                command_line: vec!["cocoprep".to_owned()],
                shard: index,
                shards: 4,
                host: host_name(),
                started: timestamp(SystemTime::now()),
                finished: timestamp(SystemTime::now()),
                items: 3,
                scheduler: None,
            };
            write_marker(root.path(), &job, &marker).unwrap();
        }
        assert!(read_marker(root.path(), &job, Shard::new(2, 4).unwrap()).is_some());
        assert!(read_marker(root.path(), &job, Shard::new(1, 4).unwrap()).is_none());
        let jobs = scan_jobs(root.path()).unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(
            (jobs[0].done.clone(), jobs[0].unfinished.clone()),
            (vec![0, 2], vec![1, 3])
        );
        assert_eq!(jobs[0].record, record);
        assert!(scan_jobs(&root.path().join("missing")).unwrap().is_empty());
    }
}
