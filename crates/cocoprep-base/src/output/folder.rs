//! [`StagedFolder`]: a folder built under a hidden name and renamed into place whole.
//!
//! A YOLO split or a label-map tree is thousands of small files. Writing each through a
//! temporary file with an fsync would cost more than the conversion, so the whole folder is
//! built under `.<name>.partial-<pid>` and renamed when complete. An interrupted run leaves
//! only the staging folder (removed by the next run); a re-run replaces the previous folder
//! instead of appending to its files.

use std::io;
use std::path::{Path, PathBuf};

/// A folder being built under a temporary name next to its final name.
pub struct StagedFolder {
    final_path: PathBuf,
    staging_path: PathBuf,
    committed: bool,
    /// The staging folder, open, so that files directly in it are created relative to it:
    /// one name to look up instead of every folder of the path, for each of 100k files.
    #[cfg(unix)]
    directory: Option<rustix::fd::OwnedFd>,
}

impl StagedFolder {
    /// Creates an empty staging folder for `final_path`, removing stale ones from
    /// interrupted runs.
    pub fn create(final_path: &Path) -> io::Result<Self> {
        let parent = final_path.parent().unwrap_or(Path::new("."));
        fs_err::create_dir_all(parent)?;
        let name = final_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_owned());
        let stale_prefixes = [format!(".{name}.partial-"), format!(".{name}.old-")];
        if let Ok(entries) = fs_err::read_dir(parent) {
            for entry in entries.flatten() {
                let entry_name = entry.file_name().to_string_lossy().into_owned();
                if stale_prefixes
                    .iter()
                    .any(|prefix| entry_name.starts_with(prefix))
                {
                    let _ = fs_err::remove_dir_all(entry.path());
                }
            }
        }
        let staging_path = parent.join(format!(".{name}.partial-{}", std::process::id()));
        fs_err::create_dir_all(&staging_path)?;
        #[cfg(unix)]
        let directory = {
            use rustix::fs::{Mode, OFlags};
            // Without the folder open, files are written by path (same result, slower).
            rustix::fs::open(
                &staging_path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok()
        };
        Ok(Self {
            final_path: final_path.to_owned(),
            staging_path,
            committed: false,
            #[cfg(unix)]
            directory,
        })
    }

    /// Where to write the folder's contents.
    pub fn path(&self) -> &Path {
        &self.staging_path
    }

    /// Writes `contents` to the file `relative` (a relative path without `..`, checked by the caller)
    /// inside the folder, creating its parent folders.
    pub fn write_file(&self, relative: &Path, contents: &[u8]) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(directory) = &self.directory
            && relative.parent() == Some(Path::new(""))
        {
            use rustix::fs::{Mode, OFlags};
            use std::io::Write;
            let error = |source: io::Error| {
                io::Error::new(
                    source.kind(),
                    format!(
                        "cannot write `{}`: {source}",
                        self.staging_path.join(relative).display()
                    ),
                )
            };
            let file = rustix::fs::openat(
                directory,
                relative,
                OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o666),
            )
            .map_err(|errno| error(errno.into()))?;
            return std::fs::File::from(file).write_all(contents).map_err(error);
        }
        let path = self.staging_path.join(relative);
        if let Some(parent) = path.parent()
            && relative.parent().is_some_and(|p| !p.as_os_str().is_empty())
        {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&path, contents)
    }

    /// Moves the staging folder to the final name, replacing what was there.
    pub fn commit(mut self) -> io::Result<()> {
        let old = self.final_path.with_file_name(format!(
            ".{}.old-{}",
            self.final_path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let replaced = self.final_path.exists();
        if replaced {
            fs_err::rename(&self.final_path, &old)?;
        }
        fs_err::rename(&self.staging_path, &self.final_path)?;
        self.committed = true;
        if replaced {
            fs_err::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging_path);
        }
    }
}
