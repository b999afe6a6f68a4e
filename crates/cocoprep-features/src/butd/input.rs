//! Where bottom-up TSV rows come from: TSV files, folders of them, or the downloaded
//! `trainval.zip` read in place (members are streamed through the decompressor, nothing is
//! extracted to disk).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::Error;

/// Rows are read through a buffer this large; a row of 100 boxes is about 1.1 MB.
const READ_BUFFER_BYTES: usize = 4 << 20;

/// One stream of TSV rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TsvSource {
    /// A plain TSV file.
    File(PathBuf),
    /// A member of a zip archive.
    ZipMember {
        /// The archive.
        archive: PathBuf,
        /// The member's name inside the archive.
        name: String,
        /// Its index in the archive.
        index: usize,
    },
}

impl std::fmt::Display for TsvSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TsvSource::File(path) => write!(f, "{}", path.display()),
            TsvSource::ZipMember { archive, name, .. } => {
                write!(f, "{}:{name}", archive.display())
            }
        }
    }
}

/// A source and its size in bytes (uncompressed), for progress.
#[derive(Clone, Debug)]
pub struct SizedSource {
    /// The source.
    pub source: TsvSource,
    /// Its (uncompressed) size.
    pub bytes: u64,
}

/// Whether a file name looks like a bottom-up TSV: `x.tsv` or `x.tsv.0` (the training
/// split comes in GPU stripes `.tsv.0`, `.tsv.1`).
pub fn is_tsv_name(name: &str) -> bool {
    let name = name.rsplit('/').next().unwrap_or(name);
    if name.ends_with(".tsv") {
        return true;
    }
    match name.rsplit_once(".tsv.") {
        Some((stem, stripe)) => {
            !stem.is_empty() && !stripe.is_empty() && stripe.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_zip(path: &Path) -> Result<bool, Error> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return Ok(true);
    }
    let mut magic = [0u8; 4];
    let mut file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(file.read_exact(&mut magic).is_ok() && &magic == b"PK\x03\x04")
}

/// Expands the inputs into row sources, in order: files as given; a folder's TSV files
/// sorted by name; a zip's TSV members sorted by name.
pub fn resolve_inputs(paths: &[PathBuf]) -> Result<Vec<SizedSource>, Error> {
    let mut sources = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            let mut files = Vec::new();
            let entries = std::fs::read_dir(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let file = entry.path();
                if file.is_file() && is_tsv_name(&name) {
                    files.push(file);
                }
            }
            if files.is_empty() {
                return Err(Error::NoInput { path: path.clone() });
            }
            files.sort();
            for file in files {
                let bytes = fs_err::metadata(&file).map(|m| m.len()).unwrap_or(0);
                sources.push(SizedSource {
                    source: TsvSource::File(file),
                    bytes,
                });
            }
        } else if is_zip(path)? {
            let members = zip_members(path)?;
            if members.is_empty() {
                return Err(Error::NoInput { path: path.clone() });
            }
            sources.extend(members);
        } else {
            sources.push(SizedSource {
                source: TsvSource::File(path.clone()),
                bytes: metadata.len(),
            });
        }
    }
    Ok(sources)
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<File>, Error> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    zip::ZipArchive::new(file).map_err(|source| Error::Zip {
        path: path.to_owned(),
        source,
    })
}

fn zip_members(path: &Path) -> Result<Vec<SizedSource>, Error> {
    let mut archive = open_zip(path)?;
    let mut members = Vec::new();
    for index in 0..archive.len() {
        let member = archive.by_index_raw(index).map_err(|source| Error::Zip {
            path: path.to_owned(),
            source,
        })?;
        let name = member
            .name()
            .map_err(|source| Error::Zip {
                path: path.to_owned(),
                source,
            })?
            .into_owned();
        if member.is_file() && is_tsv_name(&name) {
            members.push(SizedSource {
                source: TsvSource::ZipMember {
                    archive: path.to_owned(),
                    name,
                    index,
                },
                bytes: member.size(),
            });
        }
    }
    members.sort_by_key(|member| member.source.to_string());
    Ok(members)
}

/// Reads the rows of `source` in order, calling `emit(line_number, row, bytes_read)` for
/// each non-empty line (without its `\n` / `\r\n`). Stops early when `emit` returns false.
pub fn read_rows(
    source: &TsvSource,
    mut emit: impl FnMut(u64, Vec<u8>, u64) -> bool,
) -> Result<(), Error> {
    match source {
        TsvSource::File(path) => {
            let file = File::open(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            read_lines(file, path, &mut emit)
        }
        TsvSource::ZipMember { archive, index, .. } => {
            let mut zip = open_zip(archive)?;
            let member = zip.by_index(*index).map_err(|source| Error::Zip {
                path: archive.clone(),
                source,
            })?;
            read_lines(member, archive, &mut emit)
        }
    }
}

fn read_lines(
    reader: impl Read,
    path: &Path,
    emit: &mut impl FnMut(u64, Vec<u8>, u64) -> bool,
) -> Result<(), Error> {
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, reader);
    let mut line_number = 0;
    loop {
        let mut line = Vec::new();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| Error::Read {
                path: path.to_owned(),
                source,
            })?;
        if read == 0 {
            return Ok(());
        }
        line_number += 1;
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !emit(line_number, line, read as u64) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_names_include_gpu_stripes() {
        assert!(is_tsv_name(
            "karpathy_test_resnet101_faster_rcnn_genome.tsv"
        ));
        assert!(is_tsv_name(
            "trainval/karpathy_train_resnet101_faster_rcnn_genome.tsv.1"
        ));
        assert!(!is_tsv_name("notes.txt"));
        assert!(!is_tsv_name("x.tsv.bak"));
        assert!(!is_tsv_name("trainval/"));
    }
}
