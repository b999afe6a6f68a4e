//! tar and tar.gz extraction, streamed in one pass (gzip cannot be inflated in parallel).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cocoprep_base::progress::{ProgressUnit, Reporter};

use super::{
    ExtractOptions, Extracted, ExtractedFile, existing_size, member_path, path::SafeFolders,
    write_member,
};
use crate::error::FetchError;

pub(super) fn extract(
    archive_path: &Path,
    gzip: bool,
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
    let file = fs_err::File::open(archive_path)?;
    let compressed_bytes = file.metadata()?.len();
    let count = Arc::new(AtomicU64::new(0));
    let counting = CountingReader {
        inner: std::io::BufReader::with_capacity(1 << 20, file),
        count: Arc::clone(&count),
    };
    let stream: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(counting))
    } else {
        Box::new(counting)
    };
    let folders = SafeFolders::new(destination)?;
    let task = reporter.on_task_start(
        &format!(
            "extract {}",
            archive_path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ),
        Some(compressed_bytes),
        ProgressUnit::Bytes,
    );
    let mut archive = ::tar::Archive::new(stream);
    let mut extracted = Extracted::default();
    let mut buffer = vec![0u8; 256 << 10];
    let entries = archive
        .entries()
        .map_err(|e| read_error("cannot list the members", e.into()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| read_error("cannot read a member header", e.into()))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            reporter.on_task_complete(task);
            return Err(FetchError::UnsafeMember {
                archive: archive_path.to_owned(),
                member: name,
                reason: "links are not extracted",
            });
        }
        if !(kind.is_file() || kind.is_dir() || kind == ::tar::EntryType::Continuous) {
            // pax headers and GNU long-name records are consumed by the tar crate; other
            // special entries (devices, fifos) are never written.
            continue;
        }
        let Some((display, relative)) = member_path(archive_path, &name, options)? else {
            extracted.not_selected += 1;
            continue;
        };
        if kind.is_dir() {
            folders.ensure(&relative).map_err(archive_error)?;
            continue;
        }
        let size = entry.size();
        if existing_size(&destination.join(&relative)) == Some(size) {
            // Already extracted by an earlier run; the CRC for the manifest is computed
            // from the archive bytes, which are read anyway.
            let mut crc = crc32fast::Hasher::new();
            loop {
                let read = entry.read(&mut buffer).map_err(|e| {
                    read_error(&format!("cannot read member `{display}`"), e.into())
                })?;
                if read == 0 {
                    break;
                }
                crc.update(&buffer[..read]);
            }
            extracted.skipped_existing += 1;
            extracted.files.push(ExtractedFile {
                path: display,
                bytes: size,
                crc32: crc.finalize(),
            });
            continue;
        }
        let (bytes, crc32) =
            write_member(&folders, &relative, &mut entry, &mut buffer).map_err(|message| {
                FetchError::CorruptMember {
                    archive: archive_path.to_owned(),
                    member: display.clone(),
                    message,
                }
            })?;
        if bytes != size {
            return Err(FetchError::CorruptMember {
                archive: archive_path.to_owned(),
                member: display,
                message: format!("expected {size} bytes, got {bytes}"),
            });
        }
        reporter.on_task_position(task, count.load(Ordering::Relaxed));
        extracted.files.push(ExtractedFile {
            path: display,
            bytes,
            crc32,
        });
    }
    // Read to the very end so gzip's trailer (CRC-32 and size of the whole stream) is
    // checked: a corrupt .tar.gz fails here even if every tar header looked fine.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
        .map_err(|e| read_error("the compressed stream is corrupt", e.into()))?;
    reporter.on_task_complete(task);
    extracted.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(extracted)
}

struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}
