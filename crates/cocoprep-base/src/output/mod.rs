//! Outputs that appear under their final name only when complete.
//!
//! Every file cocoprep writes goes through [`AtomicFile`] (or [`write_atomic`]): data is
//! written to a temporary name in the destination folder and renamed over the final name.
//! Folders of many small files (a YOLO split, a label-map tree) are built whole under a
//! hidden name with [`StagedFolder`] and renamed into place. An interrupted run leaves at
//! most hidden `.<name>.tmp-*` files or `.<name>.partial-*` folders, never a truncated
//! file that looks finished; [`remove_stale_temporaries`] clears what a killed run left.
//!
//! Durability is the caller's choice: [`AtomicFile::commit`] fsyncs before the rename (for
//! the few large outputs that are expensive to make again), while
//! [`AtomicFile::commit_without_sync`] and [`write_atomic_unsynced`] do not (for hundreds of
//! thousands of small files, where an fsync each costs more than the work: after a power
//! loss a file may be empty, which the jobs' resume checks detect and redo).

mod file;
mod folder;

use std::ffi::OsStr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use file::{AtomicFile, write_atomic, write_atomic_unsynced};
pub use folder::StagedFolder;

/// The marker in every temporary name, so that clean-up recognises them.
const TEMPORARY_MARK: &str = ".tmp-";

/// A hidden temporary name for a file called `name`: `.<name>.tmp-<pid>-<n>`, unique within
/// the process (a counter) and between processes sharing a folder (the pid).
pub fn temporary_name(name: &OsStr) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        ".{}{TEMPORARY_MARK}{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether `name` is one of [`temporary_name`]'s names (never a final output).
pub fn is_temporary_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name.contains(TEMPORARY_MARK)
}

/// Removes the temporary files that a killed run (which could not clean up) left directly in
/// `folder`. Errors are ignored: a file that cannot be removed is only wasted space.
pub fn remove_stale_temporaries(folder: &Path) {
    remove_temporaries_older_than(folder, Duration::ZERO);
}

/// [`remove_stale_temporaries`] for folders that other processes may be writing into at the
/// same time (shards of one array job): only temporaries not modified for `age` are removed,
/// so a starting shard never deletes another shard's file in progress.
pub fn remove_temporaries_older_than(folder: &Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_temporary_name(&entry.file_name()) {
            continue;
        }
        let old_enough = age.is_zero()
            || entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .is_ok_and(|modified| modified.elapsed().is_ok_and(|elapsed| elapsed >= age));
        if old_enough {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
