//! Image placement in a YOLO output. The folders themselves are built whole under a hidden
//! name with [`cocoprep_base::output::StagedFolder`] and renamed into place when complete,
//! so a re-run replaces the previous folder instead of appending to its files (Ultralytics
//! opens label files in append mode, so running it twice doubles every label).

use std::path::Path;

use crate::error::Error;

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
