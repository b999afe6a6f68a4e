//! Archive extraction: zip (zip64 included) in parallel, tar and tar.gz streamed.
//!
//! Members are written under a temporary name and renamed when complete, so an
//! interrupted extraction never leaves a truncated file under a member's name, and a
//! re-run skips members already there with the right size. Every member's CRC-32 is
//! checked (zip: against the central directory, by the `zip` crate and again here; tar.gz:
//! gzip's trailer CRC over the whole stream). Names that would leave the destination,
//! links, and folders that are symbolic links are refused.

pub mod path;
mod tar;
mod zip;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_base::progress::Reporter;
use serde::{Deserialize, Serialize};

use crate::catalog::ArchiveKind;
use crate::error::FetchError;

/// What to extract and how.
#[derive(Clone, Debug, Default)]
pub struct ExtractOptions {
    /// Worker threads, as `-j` gave them (0 = the rayon pool's size). Informational: the
    /// work runs on the rayon pool the call is made in (see [`cocoprep_base::threads`]);
    /// to use fewer threads, call from inside your own `rayon::ThreadPool::install`.
    pub jobs: usize,
    /// Only members matching one of these globs (after `strip_prefix`); empty = all.
    pub only: Vec<String>,
    /// A leading folder dropped from member names when present (`coco/`).
    pub strip_prefix: Option<String>,
}

/// One extracted file, as recorded in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedFile {
    /// Path relative to the destination, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// CRC-32 of the contents.
    pub crc32: u32,
}

/// What an extraction did.
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    /// Every file now in place (written or already there).
    pub files: Vec<ExtractedFile>,
    /// Members that were already in place and not written again.
    pub skipped_existing: usize,
    /// Members not selected by `--only`.
    pub not_selected: usize,
}

impl Extracted {
    /// Total bytes of the files.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// Extracts `archive` into `destination`.
pub fn extract(
    archive: &Path,
    kind: ArchiveKind,
    destination: &Path,
    options: &ExtractOptions,
    reporter: &dyn Reporter,
) -> Result<Extracted, FetchError> {
    match kind {
        ArchiveKind::Zip => zip::extract(archive, destination, options, reporter),
        ArchiveKind::Tar => tar::extract(archive, false, destination, options, reporter),
        ArchiveKind::TarGz => tar::extract(archive, true, destination, options, reporter),
        ArchiveKind::None => Err(FetchError::Archive {
            path: archive.to_owned(),
            message: "not an archive".to_owned(),
            source: None,
        }),
    }
}

/// A member name after `strip_prefix`, checked; `Ok(None)` if not selected.
pub(crate) fn member_path(
    archive: &Path,
    name: &str,
    options: &ExtractOptions,
) -> Result<Option<(String, PathBuf)>, FetchError> {
    let stripped = match &options.strip_prefix {
        Some(prefix) => name.strip_prefix(prefix.as_str()).unwrap_or(name),
        None => name,
    };
    let relative = path::safe_relative(stripped).map_err(|reason| FetchError::UnsafeMember {
        archive: archive.to_owned(),
        member: name.to_owned(),
        reason,
    })?;
    let display = relative.to_string_lossy().replace('\\', "/");
    if !options.only.is_empty() && !options.only.iter().any(|p| path::glob_matches(p, &display)) {
        return Ok(None);
    }
    Ok(Some((display, relative)))
}

/// Writes one member through an [`AtomicFile`] (a temporary name, renamed when complete),
/// computing the CRC-32 while writing. Returns `(bytes, crc)`.
///
/// No fsync: an archive holds thousands of members, each cheap to extract again, and a
/// re-run checks every member's size (see [`cocoprep_base::output`] on durability).
pub(crate) fn write_member(
    folders: &path::SafeFolders,
    relative: &Path,
    reader: &mut dyn Read,
    buffer: &mut [u8],
) -> Result<(u64, u32), String> {
    let parent = relative.parent().unwrap_or(Path::new(""));
    let folder = folders.ensure(parent)?;
    let name = relative
        .file_name()
        .ok_or_else(|| "no file name".to_owned())?;
    let final_path = folder.join(name);
    let mut file = AtomicFile::create_unbuffered(&final_path).map_err(|error| error.to_string())?;
    let mut crc = crc32fast::Hasher::new();
    let mut bytes = 0u64;
    loop {
        let read = match reader.read(buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            // Dropping `file` removes the temporary file.
            Err(error) => return Err(error.to_string()),
        };
        crc.update(&buffer[..read]);
        file.write_all(&buffer[..read])
            .map_err(|error| error.to_string())?;
        bytes += read as u64;
    }
    file.commit_without_sync()
        .map_err(|error| format!("cannot write `{}`: {error}", final_path.display()))?;
    Ok((bytes, crc.finalize()))
}

/// The size of an existing regular file (not a link), if any.
pub(crate) fn existing_size(path: &Path) -> Option<u64> {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_file())
        .map(|m| m.len())
}
