//! Output folders that appear complete or not at all, and image placement.
//!
//! A YOLO split is thousands of small files. Writing each through a temporary file with an
//! fsync would cost more than the conversion, so a whole folder is built under a hidden
//! staging name (`labels/.val2017.partial-<pid>`) and renamed into place when complete.
//! An interrupted run leaves only the staging folder (removed by the next run); a re-run
//! replaces the previous folder instead of appending to its files (Ultralytics opens label
//! files in append mode, so running it twice doubles every label).

use std::path::{Path, PathBuf};

use crate::error::Error;

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
    pub fn create(final_path: &Path) -> Result<Self, Error> {
        let parent = final_path.parent().unwrap_or(Path::new("."));
        fs_err::create_dir_all(parent).map_err(Error::io("create", parent))?;
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
        fs_err::create_dir_all(&staging_path).map_err(Error::io("create", &staging_path))?;
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

    /// Writes `contents` to the file `relative` (a contained path, see [`is_contained`])
    /// inside the folder, creating its parent folders.
    pub fn write_file(&self, relative: &Path, contents: &[u8]) -> Result<(), Error> {
        #[cfg(unix)]
        if let Some(directory) = &self.directory
            && relative.parent() == Some(Path::new(""))
        {
            use rustix::fs::{Mode, OFlags};
            use std::io::Write;
            let error = |source: std::io::Error| Error::Io {
                action: "write",
                path: self.staging_path.join(relative),
                source,
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
            fs_err::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        fs_err::write(&path, contents).map_err(Error::io("write", &path))
    }

    /// Moves the staging folder to the final name, replacing what was there.
    pub fn commit(mut self) -> Result<(), Error> {
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
            fs_err::rename(&self.final_path, &old)
                .map_err(Error::io("move aside", &self.final_path))?;
        }
        fs_err::rename(&self.staging_path, &self.final_path)
            .map_err(Error::io("rename into place", &self.staging_path))?;
        self.committed = true;
        if replaced {
            fs_err::remove_dir_all(&old).map_err(Error::io("remove", &old))?;
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

/// How images get into the output's `images/<split>/`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkMode {
    /// A hard link (no extra space); a copy when linking fails (another file system).
    #[default]
    Hard,
    /// A symbolic link to the absolute source path.
    Symbolic,
    /// A full copy.
    Copy,
    /// No images: only labels and the YAML.
    None,
}

/// How an image was placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placed {
    /// Hard-linked.
    Linked,
    /// Symbolically linked.
    Symlinked,
    /// Copied (asked for, or hard linking failed).
    Copied,
}

/// Puts `source` at `target` (whose parent folders are created).
pub fn place_image(source: &Path, target: &Path, mode: LinkMode) -> Result<Option<Placed>, Error> {
    if let Some(parent) = target.parent() {
        fs_err::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    Ok(match mode {
        LinkMode::None => None,
        LinkMode::Hard => match fs_err::hard_link(source, target) {
            Ok(()) => Some(Placed::Linked),
            Err(_) => {
                copy(source, target)?;
                Some(Placed::Copied)
            }
        },
        LinkMode::Symbolic => {
            let absolute = std::path::absolute(source).map_err(Error::io("resolve", source))?;
            symlink(&absolute, target).map_err(Error::io("symlink", target))?;
            Some(Placed::Symlinked)
        }
        LinkMode::Copy => {
            copy(source, target)?;
            Some(Placed::Copied)
        }
    })
}

/// [`place_image`] straight into a folder that other processes may be writing into (the
/// shards of an array job): the link or copy is made under a temporary name and renamed
/// over `target`, so a re-run replaces what is there and nothing half-copied is visible.
pub fn place_image_atomically(
    source: &Path,
    target: &Path,
    mode: LinkMode,
) -> Result<Option<Placed>, Error> {
    if mode == LinkMode::None {
        return Ok(None);
    }
    let name = target.file_name().unwrap_or_default();
    let temporary = target.with_file_name(cocoprep_base::output::temporary_name(name));
    let placed = place_image(source, &temporary, mode);
    let result = placed.and_then(|placed| {
        fs_err::rename(&temporary, target).map_err(Error::io("rename into place", &temporary))?;
        Ok(placed)
    });
    // Also after a successful rename: renaming a hard link over another link to the same
    // file does nothing, and leaves the temporary name behind.
    let _ = std::fs::remove_file(&temporary);
    result
}

/// Writes one file straight into a folder that other processes may be writing into, under
/// a temporary name renamed into place (no fsync: a label file is cheap to make again).
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    cocoprep_base::output::write_atomic_unsynced(path, contents).map_err(Error::io("write", path))
}

fn copy(source: &Path, target: &Path) -> Result<(), Error> {
    // Inside a staging folder, so a plain copy is already invisible until complete.
    fs_err::copy(source, target).map_err(Error::io("copy", source))?;
    Ok(())
}

#[cfg(unix)]
fn symlink(source: &Path, target: &Path) -> std::io::Result<()> {
    fs_err::os::unix::fs::symlink(source, target)
}

#[cfg(windows)]
fn symlink(source: &Path, target: &Path) -> std::io::Result<()> {
    fs_err::os::windows::fs::symlink_file(source, target)
}

/// Whether a `file_name` stays inside the folder it is joined to (relative, no `..`).
pub fn is_contained(relative: &Path) -> bool {
    use std::path::Component;
    relative
        .components()
        .all(|component| matches!(component, Component::Normal(_) | Component::CurDir))
        && relative.components().next().is_some()
}
