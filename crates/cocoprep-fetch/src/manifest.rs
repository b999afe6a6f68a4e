//! What `get` verified, per resource: the archive's size and digests, and every extracted
//! file with its size and CRC-32. Stored as `DIR/.cocoprep/manifests/<resource>.json`.
//!
//! A resource whose manifest exists and whose files are all present with their recorded
//! sizes is done: re-running `get` does no network work for it. `verify` re-reads every
//! file and compares CRCs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::FetchError;
use crate::extract::ExtractedFile;

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// The downloaded file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRecord {
    /// Its name.
    pub file_name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, when computed.
    pub sha256: Option<String>,
    /// Whether it matched a published checksum (`sha256`, `md5`) or only sizes and CRCs.
    pub verified_against: String,
    /// Where it came from.
    pub url: String,
    /// Where it is kept (relative to the dataset folder), if kept.
    pub kept_at: Option<String>,
}

/// One resource's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceManifest {
    /// Format version.
    pub version: u32,
    /// The resource (or `subset-<split>` for subset downloads).
    pub resource: String,
    /// The layout it was placed for.
    pub layout: String,
    /// Its folder, relative to the dataset folder.
    pub destination: String,
    /// The download.
    pub archive: Option<ArchiveRecord>,
    /// Every file, relative to `destination`.
    pub files: Vec<ExtractedFile>,
    /// Known defects that were found and replaced.
    #[serde(default)]
    pub repaired: Vec<String>,
    /// Seconds since the Unix epoch when it was completed.
    pub completed_at: u64,
}

/// `DIR/.cocoprep/manifests`.
pub fn manifest_dir(dataset: &Path) -> PathBuf {
    dataset.join(".cocoprep").join("manifests")
}

/// The manifest path of a resource.
pub fn manifest_path(dataset: &Path, resource: &str) -> PathBuf {
    manifest_dir(dataset).join(format!("{resource}.json"))
}

impl ResourceManifest {
    /// Reads a resource's manifest, if there is one.
    pub fn load(dataset: &Path, resource: &str) -> Result<Option<Self>, FetchError> {
        let path = manifest_path(dataset, resource);
        if !path.exists() {
            return Ok(None);
        }
        Self::read(&path).map(Some)
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Self, FetchError> {
        let bytes = fs_err::read(path)?;
        serde_json::from_slice(&bytes).map_err(|error| FetchError::Manifest {
            path: path.to_owned(),
            error,
        })
    }

    /// Writes it atomically.
    pub fn save(&self, dataset: &Path) -> Result<(), FetchError> {
        let path = manifest_path(dataset, &self.resource);
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        cocoprep_base::output::write_atomic(&path, &bytes)?;
        Ok(())
    }

    /// Whether every recorded file is present with its recorded size (a cheap check: no
    /// file is read).
    pub fn files_present(&self, dataset: &Path) -> bool {
        let root = dataset.join(&self.destination);
        self.files.iter().all(|file| {
            std::fs::metadata(root.join(&file.path)).is_ok_and(|m| m.len() == file.bytes)
        })
    }

    /// Total bytes of the files.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// Every manifest under a dataset folder, sorted by name.
pub fn load_all(dataset: &Path) -> Result<Vec<(PathBuf, ResourceManifest)>, FetchError> {
    let folder = manifest_dir(dataset);
    let Ok(entries) = fs_err::read_dir(&folder) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| ResourceManifest::read(&path).map(|m| (path, m)))
        .collect()
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
