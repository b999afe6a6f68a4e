//! `OUT/webdata.json`: what a run knows once the whole input has been read (rows, shards,
//! the array size it was split over), for `status` to name the shards still missing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The job file's name.
pub const JOB_FILE: &str = "webdata.json";

/// The facts `status` needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    /// Rows in the input.
    pub rows: u64,
    /// Shards the rows make.
    pub shards: u64,
    /// Rows per shard.
    pub samples_per_shard: u64,
    /// Digits of shard numbers.
    pub shard_digits: usize,
    /// Array tasks the shards are split over (`--shard I/N`'s N), if sharded.
    pub array_tasks: Option<usize>,
    /// The output format.
    pub output_format: String,
}

impl JobFile {
    /// `OUT/webdata.json`.
    pub fn path(folder: &Path) -> PathBuf {
        folder.join(JOB_FILE)
    }

    /// Writes the file atomically (every task of an array writes the same content).
    pub fn write(&self, folder: &Path) -> Result<(), Error> {
        let path = Self::path(folder);
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| Error::Json {
            path: path.clone(),
            source,
        })?;
        cocoprep_base::output::write_atomic(&path, &bytes).map_err(Error::write(&path))
    }

    /// Reads the file, `None` when it does not exist yet.
    pub fn read(folder: &Path) -> Result<Option<Self>, Error> {
        let path = Self::path(folder);
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = fs_err::read(&path).map_err(Error::read(&path))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| Error::Json { path, source })
    }
}
