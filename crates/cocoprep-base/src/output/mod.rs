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
    remove_temporaries_if(folder, |_, modified_ago| {
        age.is_zero() || modified_ago >= age
    });
}

/// Removes the temporaries directly in `folder` for which `remove(final_name, modified_ago)`
/// says so, where `final_name` is the name the temporary was to be renamed to (`x.npz` for
/// `.x.npz.tmp-12-3`). A shard uses it to clear the leftovers of its own earlier, killed run
/// (names it owns) at once, while leaving other shards' recent files alone.
pub fn remove_temporaries_if(folder: &Path, mut remove: impl FnMut(&str, Duration) -> bool) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(final_name) = final_name_of_temporary(&name) else {
            continue;
        };
        let modified_ago = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .unwrap_or(Duration::ZERO);
        if remove(&final_name, modified_ago) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The final name a [`temporary_name`] stands for, or `None` for other names.
pub fn final_name_of_temporary(name: &OsStr) -> Option<String> {
    if !is_temporary_name(name) {
        return None;
    }
    let name = name.to_string_lossy();
    let end = name.rfind(TEMPORARY_MARK)?;
    Some(name[1..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_name_their_final_file() {
        let temporary = temporary_name(OsStr::new("123.npz"));
        assert_eq!(
            final_name_of_temporary(OsStr::new(&temporary)).as_deref(),
            Some("123.npz")
        );
        assert_eq!(final_name_of_temporary(OsStr::new("123.npz")), None);
    }

    #[test]
    fn only_chosen_temporaries_are_removed() {
        let folder = tempfile::tempdir().unwrap();
        for name in ["1.npy", "2.npy"] {
            std::fs::write(folder.path().join(temporary_name(OsStr::new(name))), b"x").unwrap();
        }
        std::fs::write(folder.path().join("3.npy"), b"done").unwrap();
        remove_temporaries_if(folder.path(), |name, _| name == "1.npy");
        let mut left: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 2);
        assert!(left[0].starts_with(".2.npy.tmp-"));
        assert_eq!(left[1], "3.npy");
    }
}
