//! `00000_stats.json`: img2dataset's per-shard statistics, written last, so that a shard
//! is done exactly when its stats file exists (img2dataset's own resume rule).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::sample::{Sample, Status};

/// img2dataset's stats keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardStats {
    /// Rows in the shard.
    pub count: u64,
    /// Rows with status `success`.
    pub successes: u64,
    /// Rows with status `failed_to_download`.
    pub failed_to_download: u64,
    /// Rows with status `failed_to_resize`.
    pub failed_to_resize: u64,
    /// Seconds the shard took.
    pub duration: f64,
    /// Unix time the shard started.
    pub start_time: f64,
    /// Unix time the shard ended.
    pub end_time: f64,
    /// Rows by error message (`success` for successes).
    pub status_dict: BTreeMap<String, u64>,
}

impl ShardStats {
    /// Counts one row.
    pub fn add(&mut self, sample: &Sample) {
        self.count += 1;
        match sample.status {
            Status::Success => self.successes += 1,
            Status::FailedToDownload => self.failed_to_download += 1,
            Status::FailedToResize => self.failed_to_resize += 1,
        }
        let reason = match sample.status {
            Status::Success => "success".to_owned(),
            _ => sample.error_message.clone().unwrap_or_default(),
        };
        *self.status_dict.entry(reason).or_insert(0) += 1;
    }

    /// Writes the stats (indent 4, like `json.dump(indent=4)`) atomically.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        self.serialize(&mut serializer)
            .map_err(|source| Error::Json {
                path: path.to_owned(),
                source,
            })?;
        cocoprep_base::output::write_atomic(path, &bytes).map_err(Error::write(path))
    }

    /// Reads a stats file.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = fs_err::read(path).map_err(Error::read(path))?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            path: path.to_owned(),
            source,
        })
    }
}
