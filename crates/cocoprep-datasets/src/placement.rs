//! Putting the user's image files into the tree: linked (or copied) by
//! `cocoprep_convert::layout`, the same placement `convert yolo --link` uses. The user's
//! files are never moved.

use std::path::{Path, PathBuf};

use cocoprep_convert::layout::{LinkMode, place_image_atomically};

use crate::error::Error;

/// Images going from one folder into another.
#[derive(Clone, Debug)]
pub struct Placement {
    source: PathBuf,
    target: PathBuf,
    mode: LinkMode,
}

impl Placement {
    /// A placement from `source` into `target`; `None` when nothing is to be placed: the
    /// mode is [`LinkMode::None`], or both are the same folder (the images already sit
    /// where the configs look for them).
    pub fn new(source: &Path, target: &Path, mode: LinkMode) -> Option<Self> {
        if mode == LinkMode::None || same_folder(source, target) {
            return None;
        }
        Some(Self {
            source: source.to_owned(),
            target: target.to_owned(),
            mode,
        })
    }

    /// The folder images come from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Places `relative` (a path inside the source folder) at the same relative path in
    /// the target folder. A target file of the same size is taken as already placed (a
    /// re-run); anything else is replaced atomically. Returns whether a file was placed.
    pub fn place(&self, relative: &str) -> Result<bool, Error> {
        let source = self.source.join(relative);
        let target = self.target.join(relative);
        if let (Ok(existing), Ok(wanted)) = (std::fs::metadata(&target), std::fs::metadata(&source))
            && existing.len() == wanted.len()
        {
            return Ok(false);
        }
        if let Some(parent) = target.parent()
            && !parent.is_dir()
        {
            fs_err::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        place_image_atomically(&source, &target, self.mode)?;
        Ok(true)
    }
}

/// Whether two paths name the same existing file or folder.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    same_folder(a, b)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The folder downloaded images are read from: `given`, else the tree's own `tree_images`;
/// it must exist.
pub(crate) fn image_folder<'a>(
    given: Option<&'a Path>,
    tree_images: &'a Path,
) -> Result<&'a Path, Error> {
    let images = given.unwrap_or(tree_images);
    if images.is_dir() {
        Ok(images)
    } else {
        Err(Error::MissingInput {
            what: "image folder",
            path: images.to_owned(),
        })
    }
}
