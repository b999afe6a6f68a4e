//! MSCOCO captions (Karpathy splits): `mscoco_dataset/new_annotations/` with
//! `captions_train113k.json`, `captions_val5k.json`, `captions_test5k.json` (written by
//! `cocoprep_captions::splits`, byte-identical to `coco_preprocess.py` plus `info`,
//! `licenses` and `type`) and `dataset_coco.json`, and the images linked into
//! `mscoco_dataset/coco_origin/{train2014,val2014}/`.
//!
//! The loader opens `FEATS_FOLDER/<file_path>/<file_name>` with `FEATS_FOLDER` =
//! `coco_origin`, so every image of `dataset_coco.json` is checked under
//! `<images>/<filepath>/<filename>` before anything is written.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::Reporter;
use cocoprep_captions::karpathy::{ReadOptions, read_karpathy};
use cocoprep_captions::splits::{SplitFileSummary, prepare_splits};
use cocoprep_convert::layout::{LinkMode, is_contained, place_image_atomically};
use rayon::prelude::*;

use crate::error::{Error, MISSING_SHOWN};
use crate::placement::{Placement, same_file};

/// The annotation folder under `open_source_dataset/` (`ANNO_FOLDER`).
pub const ANNOTATION_DIR: &str = "mscoco_dataset/new_annotations";
/// The image folder under `open_source_dataset/` (`FEATS_FOLDER`).
pub const IMAGE_DIR: &str = "mscoco_dataset/coco_origin";
/// Karpathy's file, kept in [`ANNOTATION_DIR`] under this name.
pub const KARPATHY_FILE: &str = "dataset_coco.json";
/// The split files the configs read.
pub const SPLIT_FILES: [&str; 3] = [
    "captions_train113k.json",
    "captions_val5k.json",
    "captions_test5k.json",
];
/// The image folders (`filepath` values of `dataset_coco.json`).
pub const IMAGE_FOLDERS: [&str; 2] = ["train2014", "val2014"];

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CocoSummary {
    /// The three split files.
    pub splits: Vec<SplitFileSummary>,
    /// Where `dataset_coco.json` now is.
    pub karpathy: PathBuf,
    /// Images checked (all of `dataset_coco.json`), when an image folder was given.
    pub images_checked: u64,
    /// Images newly linked or copied into `coco_origin/`.
    pub placed: u64,
}

/// Writes the COCO caption files under `<root>/open_source_dataset/` from Karpathy's
/// `dataset_coco.json` and (optionally) a folder holding `train2014/` and `val2014/`.
pub fn prepare_coco(
    root: &Path,
    karpathy: &Path,
    images: Option<&Path>,
    link: LinkMode,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<CocoSummary, Error> {
    if !karpathy.is_file() {
        return Err(Error::MissingInput {
            what: "Karpathy dataset_coco.json",
            path: karpathy.to_owned(),
        });
    }
    let annotations = crate::DataRoot::resolve(root).path(ANNOTATION_DIR);
    let tree_images = crate::DataRoot::resolve(root).path(IMAGE_DIR);
    let mut summary = CocoSummary {
        splits: Vec::new(),
        karpathy: annotations.join(KARPATHY_FILE),
        images_checked: 0,
        placed: 0,
    };

    // Images first: nothing is written when one is missing.
    let mut placement = None;
    let mut relatives = Vec::new();
    if let Some(images) = images {
        let options = ReadOptions {
            jobs,
            ..ReadOptions::default()
        };
        let dataset = read_karpathy(karpathy, &options, reporter)?;
        for (index, image) in dataset.images().iter().enumerate() {
            let (Some(filepath), Some(filename)) = (&image.filepath, &image.filename) else {
                return Err(dataset
                    .image_error(index, "`filename` and `filepath` are needed")
                    .into());
            };
            let relative = format!("{filepath}/{filename}");
            if !is_contained(Path::new(&relative)) {
                return Err(dataset
                    .image_error(index, format!("`{relative}` leaves the image folder"))
                    .into());
            }
            relatives.push(relative);
        }
        let missing: Vec<&String> = relatives
            .par_iter()
            .filter(|relative| !images.join(relative).is_file())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingImages {
                folder: images.to_owned(),
                count: missing.len(),
                first: missing
                    .iter()
                    .take(MISSING_SHOWN)
                    .map(|relative| (*relative).clone())
                    .collect(),
            });
        }
        summary.images_checked = relatives.len() as u64;
        placement = Placement::new(images, &tree_images, link);
    }

    summary.splits = prepare_splits(karpathy, &annotations, jobs, reporter)?;
    if !same_file(karpathy, &summary.karpathy) {
        // Linked like the images (it is 400 MB); a copy when linking is not possible.
        let mode = match link {
            LinkMode::None => LinkMode::Hard,
            mode => mode,
        };
        place_image_atomically(karpathy, &summary.karpathy, mode)?;
    }
    if let Some(placement) = placement {
        let placed: Result<Vec<bool>, Error> = relatives
            .par_iter()
            .map(|relative| placement.place(relative))
            .collect();
        summary.placed = placed?.into_iter().filter(|&placed| placed).count() as u64;
    }
    Ok(summary)
}
