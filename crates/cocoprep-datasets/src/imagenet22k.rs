//! ImageNet-22k: `open_source_dataset/imagenet_22k_filelist_short.txt`, the list
//! `uniperceiver/datasets/task_dataset/imagenet.py:ImageNet22KDataset` reads (the same file
//! for training and validation): one `<wnid> <num> <class id>` line per image, the image at
//! `open_source_dataset/imagenet22k/<wnid>/<wnid>_<num>.JPEG` (spec §1.4.2).
//!
//! Made from an ImageNet-22k folder tree (fall11 / winter21: `<wnid>/<wnid>_<num>.JPEG`).
//! Only files named exactly `<wnid>_<num>.JPEG` inside their own class folder are listed
//! (the loader rebuilds that name from the line); anything else is counted and left out.
//!
//! Class ids index the 22k target set (`imagenet_22k_class_name_CLIP_with_endoftext.pkl`,
//! 21,842 classes), which the spec does not order beyond the notebook's note "ImageNet 1k
//! class names as the first 1000 categories, WordNet synonyms for the remaining". So the
//! default order ([`ClassOrder::Imagenet1kFirst`]) puts the ImageNet-1k classes first, in
//! sorted-wnid order (their ids then equal ImageNet-1k's, as the 1k target set's order),
//! and the remaining wnids after them, sorted; with no ImageNet-1k wnids known it is plain
//! sorted-wnid order (torchvision `ImageFolder`'s, as Swin's 22k loader). A class-name
//! file's own order can be given instead ([`ClassOrder::Listed`]).
//!
//! Streamed: the class folders are listed (about 22k names), then each class folder is read
//! on its own (in parallel batches, written in class-id order), so the 14M file names are
//! never in memory at once. Lines within a class are sorted by `<num>` (numerically).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use rayon::prelude::*;

use crate::error::Error;
use crate::files;

/// The image folder under `open_source_dataset/` (the configs' `FEATS_FOLDER`).
pub const DIR: &str = "imagenet22k";
/// The list, directly in `open_source_dataset/` (the configs' `ANNO_FOLDER`).
pub const LIST_FILE: &str = "imagenet_22k_filelist_short.txt";
/// The image extension the loader appends.
pub const EXTENSION: &str = ".JPEG";

/// Classes read per parallel batch (bounds memory to one batch of folder listings).
const BATCH_CLASSES: usize = 64;

/// How class ids are assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassOrder {
    /// These wnids (ImageNet-1k's) first, sorted, then the other folders' wnids, sorted.
    /// Empty: plain sorted-wnid order.
    Imagenet1kFirst(Vec<String>),
    /// Exactly this order (one wnid per class id); every class folder must be listed.
    Listed(Vec<String>),
}

/// What [`prepare`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PreparedImagenet22k {
    /// The list written.
    pub list: PathBuf,
    /// Class folders listed.
    pub classes: u64,
    /// Lines written (images).
    pub images: u64,
    /// Files left out (not named `<wnid>_<num>.JPEG`, or not a file).
    pub skipped: u64,
    /// `imagenet22k` linked to the source folder, when the source is elsewhere.
    pub linked: Option<PathBuf>,
}

/// Reads the wnids of a class-name or wnid file: the first space- or tab-separated field of
/// each non-empty line (`n01440764` or `n01440764 tench, Tinca tinca`).
pub fn read_wnid_list(path: &Path) -> Result<Vec<String>, Error> {
    let text = files::read_text(path)?;
    let mut wnids = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some(wnid) = line
            .split([' ', '\t'])
            .next()
            .filter(|wnid| !wnid.is_empty())
        else {
            continue;
        };
        if !is_wnid(wnid) {
            return Err(Error::MalformedLine {
                path: path.to_owned(),
                line: index as u64 + 1,
                message: format!("expected a WordNet id (`n` and 8 digits) first, found `{wnid}`"),
            });
        }
        wnids.push(wnid.to_owned());
    }
    Ok(wnids)
}

/// `n` followed by 8 digits.
fn is_wnid(name: &str) -> bool {
    name.len() == 9 && name.starts_with('n') && name[1..].bytes().all(|byte| byte.is_ascii_digit())
}

/// The class folders of `source` in class-id order, with their ids.
fn ordered_classes(source: &Path, order: &ClassOrder) -> Result<Vec<(String, usize)>, Error> {
    let folders: Vec<String> = files::visible_entries(source)?
        .into_iter()
        .filter(|name| source.join(name).is_dir())
        .collect();
    if folders.is_empty() {
        return Err(Error::MissingInput {
            what: "ImageNet-22k class folders (`<wnid>/<wnid>_<num>.JPEG`)",
            path: source.to_owned(),
        });
    }
    if let Some(bad) = folders.iter().find(|name| !is_wnid(name)) {
        return Err(Error::invalid(
            &source.join(bad),
            "a folder that is not a WordNet id (`n` and 8 digits) among the class folders",
        ));
    }
    match order {
        ClassOrder::Imagenet1kFirst(first) => {
            let mut first: Vec<&String> = first.iter().collect();
            first.sort_unstable();
            first.dedup();
            let first_ids: HashMap<&str, usize> = first
                .iter()
                .enumerate()
                .map(|(index, wnid)| (wnid.as_str(), index))
                .collect();
            // Folders sorted: the 1k ones keep their 1k id, the rest count on after them.
            let mut next = first.len();
            let mut classes: Vec<(String, usize)> = folders
                .into_iter()
                .map(|wnid| {
                    let id = first_ids.get(wnid.as_str()).copied().unwrap_or_else(|| {
                        next += 1;
                        next - 1
                    });
                    (wnid, id)
                })
                .collect();
            classes.sort_by_key(|(_, id)| *id);
            Ok(classes)
        }
        ClassOrder::Listed(listed) => {
            let ids: HashMap<&str, usize> = listed
                .iter()
                .enumerate()
                .map(|(index, wnid)| (wnid.as_str(), index))
                .collect();
            let mut classes = Vec::with_capacity(folders.len());
            for wnid in folders {
                let Some(&id) = ids.get(wnid.as_str()) else {
                    return Err(Error::invalid(
                        &source.join(&wnid),
                        "a class folder whose wnid is not in the class list given",
                    ));
                };
                classes.push((wnid, id));
            }
            classes.sort_by_key(|(_, id)| *id);
            Ok(classes)
        }
    }
}

/// The lines of one class folder, and the files left out.
fn class_lines(source: &Path, wnid: &str, id: usize) -> Result<(Vec<u8>, u64, u64), Error> {
    let folder = source.join(wnid);
    let prefix = format!("{wnid}_");
    let mut numbers: Vec<(u64, String)> = Vec::new();
    let mut skipped = 0;
    for entry in std::fs::read_dir(&folder).map_err(Error::io("read", &folder))? {
        let entry = entry.map_err(Error::io("read", &folder))?;
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(EXTENSION))
            .filter(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()));
        // A directory entry's type is free on most file systems; symbolic links to
        // images count as images (the loader opens them).
        let is_file = entry
            .file_type()
            .map(|kind| kind.is_file() || kind.is_symlink())
            .unwrap_or(false);
        match number {
            Some(number) if is_file => {
                numbers.push((number.parse().unwrap_or(u64::MAX), number.to_owned()))
            }
            _ => {
                if !cocoprep_base::output::is_temporary_name(&name) {
                    skipped += 1;
                }
            }
        }
    }
    numbers.sort_unstable();
    let mut lines = Vec::with_capacity(numbers.len() * (wnid.len() + 16));
    for (_, number) in &numbers {
        writeln!(lines, "{wnid} {number} {id}").map_err(Error::io("write", &folder))?;
    }
    Ok((lines, numbers.len() as u64, skipped))
}

/// Writes `dataset_folder/imagenet_22k_filelist_short.txt` from the class folders in
/// `source` (see the module docs), and links `dataset_folder/imagenet22k` to `source` when
/// that is another folder and the tree has none yet.
pub fn prepare(
    dataset_folder: &Path,
    source: &Path,
    order: &ClassOrder,
    reporter: &dyn Reporter,
) -> Result<PreparedImagenet22k, Error> {
    if !source.is_dir() {
        return Err(Error::MissingInput {
            what: "ImageNet-22k folder",
            path: source.to_owned(),
        });
    }
    let classes = ordered_classes(source, order)?;
    std::fs::create_dir_all(dataset_folder).map_err(Error::io("create", dataset_folder))?;
    let linked = link_source(dataset_folder, source)?;
    let list = dataset_folder.join(LIST_FILE);
    let mut output = AtomicFile::create(&list).map_err(Error::io("write", &list))?;
    let task = reporter.on_task_start(
        "ImageNet-22k class folders",
        Some(classes.len() as u64),
        ProgressUnit::Items,
    );
    let (mut images, mut skipped) = (0, 0);
    for batch in classes.chunks(BATCH_CLASSES) {
        let parts: Vec<(Vec<u8>, u64, u64)> = batch
            .par_iter()
            .map(|(wnid, id)| class_lines(source, wnid, *id))
            .collect::<Result<_, _>>()?;
        for (lines, count, left_out) in parts {
            output
                .write_all(&lines)
                .map_err(Error::io("write", &list))?;
            images += count;
            skipped += left_out;
        }
        reporter.on_task_progress(task, batch.len() as u64);
    }
    reporter.on_task_complete(task);
    output.commit().map_err(Error::io("write", &list))?;
    Ok(PreparedImagenet22k {
        list,
        classes: classes.len() as u64,
        images,
        skipped,
        linked,
    })
}

/// Links `dataset_folder/imagenet22k` to `source` unless it is `source` already; an
/// existing different folder is an error (the list would name images it may not hold).
fn link_source(dataset_folder: &Path, source: &Path) -> Result<Option<PathBuf>, Error> {
    let tree = dataset_folder.join(DIR);
    let source_real = std::fs::canonicalize(source).map_err(Error::io("read", source))?;
    if tree.symlink_metadata().is_ok() {
        let tree_real = std::fs::canonicalize(&tree).map_err(Error::io("read", &tree))?;
        if tree_real == source_real {
            return Ok(None);
        }
        return Err(Error::invalid(
            &tree,
            format!(
                "already exists and is not the source folder `{}`: pass it as the source, or \
                 move it away so that it can be linked to the source",
                source.display()
            ),
        ));
    }
    link_folder(&source_real, &tree)?;
    Ok(Some(tree))
}

#[cfg(unix)]
fn link_folder(target: &Path, link: &Path) -> Result<(), Error> {
    std::os::unix::fs::symlink(target, link).map_err(Error::io("link", link))
}

#[cfg(not(unix))]
fn link_folder(target: &Path, link: &Path) -> Result<(), Error> {
    std::os::windows::fs::symlink_dir(target, link).map_err(Error::io("link", link))
}
