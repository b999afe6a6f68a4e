//! Writing many small files so that a final name always holds a complete file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Error;

/// A fully written file under a temporary name, deleted unless renamed.
///
/// Unlike `cocoprep_coco::atomic::AtomicFile` this does not fsync every file: a run
/// writes hundreds of thousands of small files, and a per-file fsync costs more than the
/// conversion itself. A crash can still not leave a partial file under a final name; after
/// a power loss a file may be empty, which the resume check (`FileStore::is_complete`)
/// detects and redoes.
pub struct TemporaryFile {
    path: Option<PathBuf>,
}

impl TemporaryFile {
    /// Writes `bytes` to `path` (a temporary name next to the final one).
    pub fn write(path: PathBuf, bytes: &[u8]) -> Result<Self, Error> {
        let file = Self { path: Some(path) };
        let path = file.path.as_ref().expect("set above");
        let error = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let mut handle = std::fs::File::create(path).map_err(error)?;
        handle.write_all(bytes).map_err(error)?;
        Ok(file)
    }

    /// Gives the file its final name.
    pub fn rename_to(mut self, target: &Path) -> Result<(), Error> {
        let path = self.path.take().expect("renamed once");
        std::fs::rename(&path, target).map_err(|source| {
            let _ = std::fs::remove_file(&path);
            Error::Write {
                path: target.to_owned(),
                source,
            }
        })
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes `bytes` to `path` through a temporary name in the same folder and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    TemporaryFile::write(temporary, bytes)?.rename_to(path)
}

/// Removes the temporary files an interrupted run (killed before it could clean up) left
/// in `folder`: `.<name>.tmp-<pid>-<n>` names, which are never final outputs.
pub fn remove_stale_temporaries(folder: &Path) {
    remove_temporaries_older_than(folder, std::time::Duration::ZERO);
}

/// [`remove_stale_temporaries`] for folders that other processes may be writing into: only
/// temporaries not modified for `age` are removed.
pub fn remove_temporaries_older_than(folder: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old_enough = age.is_zero()
            || entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .is_ok_and(|modified| modified.elapsed().is_ok_and(|elapsed| elapsed >= age));
        if name.starts_with('.') && name.contains(".tmp-") && old_enough {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
