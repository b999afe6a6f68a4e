//! Parallel zip extraction: the central directory is read once, then each worker thread
//! reads members through its own clone of the archive over a positional (`pread`) reader,
//! so workers never share a file cursor.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use cocoprep_base::progress::{ProgressUnit, Reporter};
use rayon::prelude::*;

use super::{
    ExtractOptions, Extracted, ExtractedFile, existing_size, member_path, path::SafeFolders,
    write_member,
};
use crate::error::FetchError;

/// A `Read + Seek` over a shared file that keeps its own position (cloning it is cheap).
#[derive(Clone)]
struct PositionalReader {
    file: Arc<File>,
    position: u64,
    length: u64,
}

impl Read for PositionalReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.file.read_at(buffer, self.position)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl Seek for PositionalReader {
    fn seek(&mut self, target: SeekFrom) -> std::io::Result<u64> {
        let position = match target {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(offset) => self.length.checked_add_signed(offset),
            SeekFrom::Current(offset) => self.position.checked_add_signed(offset),
        };
        self.position = position.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.position)
    }
}

struct Planned {
    index: usize,
    display: String,
    relative: std::path::PathBuf,
    bytes: u64,
    crc32: u32,
}

pub(super) fn extract(
    archive_path: &Path,
    destination: &Path,
    options: &ExtractOptions,
    reporter: &dyn Reporter,
) -> Result<Extracted, FetchError> {
    let archive_error = |message: String| FetchError::Archive {
        path: archive_path.to_owned(),
        message,
        source: None,
    };
    let read_error =
        |what: &str, error: Box<dyn std::error::Error + Send + Sync>| FetchError::Archive {
            path: archive_path.to_owned(),
            message: what.to_owned(),
            source: Some(error),
        };
    let file = fs_err::File::open(archive_path)?.into_parts().0;
    let length = file.metadata()?.len();
    let reader = PositionalReader {
        file: Arc::new(file),
        position: 0,
        length,
    };
    let mut archive = ::zip::ZipArchive::new(reader)
        .map_err(|e| read_error("cannot read the central directory", e.into()))?;
    let folders = SafeFolders::new(destination)?;
    let mut planned = Vec::new();
    let mut extracted = Extracted::default();
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| read_error(&format!("cannot read member {index}"), e.into()))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.is_symlink() {
            return Err(FetchError::UnsafeMember {
                archive: archive_path.to_owned(),
                member: name,
                reason: "symbolic links are not extracted",
            });
        }
        let Some((display, relative)) = member_path(archive_path, &name, options)? else {
            extracted.not_selected += 1;
            continue;
        };
        if entry.is_dir() {
            folders.ensure(&relative).map_err(&archive_error)?;
            continue;
        }
        planned.push(Planned {
            index,
            display,
            relative,
            bytes: entry.size(),
            crc32: entry.crc32(),
        });
    }
    // Members already in place (a re-run after an interruption) are not written again.
    let (existing, missing): (Vec<_>, Vec<_>) = planned
        .into_iter()
        .partition(|p| existing_size(&destination.join(&p.relative)) == Some(p.bytes));
    extracted.skipped_existing = existing.len();
    let needed: u64 = missing.iter().map(|p| p.bytes).sum();
    crate::disk::ensure_available(destination, needed)?;
    let task = reporter.on_task_start(
        &format!(
            "extract {}",
            archive_path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ),
        Some(needed),
        ProgressUnit::Bytes,
    );
    let written: Result<Vec<ExtractedFile>, FetchError> = missing
        .par_iter()
        .with_min_len(16)
        .map_init(
            || (archive.clone(), vec![0u8; 256 << 10]),
            |(archive, buffer), planned| {
                let corrupt = |message: String| FetchError::CorruptMember {
                    archive: archive_path.to_owned(),
                    member: planned.display.clone(),
                    message,
                };
                let mut entry = archive
                    .by_index(planned.index)
                    .map_err(|e| corrupt(e.to_string()))?;
                // The zip crate checks the CRC when the member is read to its end and
                // fails the read on a mismatch; we compute it again for the manifest.
                let (bytes, crc32) = write_member(&folders, &planned.relative, &mut entry, buffer)
                    .map_err(corrupt)?;
                if bytes != planned.bytes || crc32 != planned.crc32 {
                    let _ = std::fs::remove_file(destination.join(&planned.relative));
                    return Err(corrupt(format!(
                        "expected {} bytes with CRC-32 {:08x}, got {bytes} bytes with {crc32:08x}",
                        planned.bytes, planned.crc32
                    )));
                }
                reporter.on_task_progress(task, bytes);
                Ok(ExtractedFile {
                    path: planned.display.clone(),
                    bytes,
                    crc32,
                })
            },
        )
        .collect();
    reporter.on_task_complete(task);
    let mut files = written?;
    files.extend(existing.into_iter().map(|p| ExtractedFile {
        path: p.display,
        bytes: p.bytes,
        crc32: p.crc32,
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    extracted.files = files;
    Ok(extracted)
}
