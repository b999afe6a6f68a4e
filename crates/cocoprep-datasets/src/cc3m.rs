//! Conceptual Captions 3M: `cc3m/train_spacy.json` / `cc3m/val_spacy.json` (the names the
//! configs read; the scripts write `train.json` / `val.json`) from the official TSVs
//! (`caption \t url`, no header) and the images the downloader saved as
//! `train_image/{row:08d}.jpg` / `val_image/{row:08d}.jpg`. Format: [`crate::web_captions`].

use std::path::Path;

use cocoprep_base::progress::Reporter;
use cocoprep_convert::layout::LinkMode;

use crate::error::Error;
use crate::image_check::ImageCheckLevel;
use crate::placement::Placement;
use crate::web_captions::{ColumnOrder, WebCaptionsJob, WebCaptionsSummary, write_web_captions};

/// The dataset's folder under `open_source_dataset/` (`FEATS_FOLDER`/`ANNO_FOLDER`).
pub const DIR: &str = "cc3m";
/// The official training list.
pub const TRAIN_TSV: &str = "Train_GCC-training.tsv";
/// The official validation list.
pub const VAL_TSV: &str = "Validation_GCC-1.1.0-Validation.tsv";

/// A CC3M split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cc3mSplit {
    /// `Train_GCC-training.tsv` → `train_spacy.json`, images in `train_image/`.
    Train,
    /// `Validation_GCC-1.1.0-Validation.tsv` → `val_spacy.json`, images in `val_image/`.
    Val,
}

impl Cc3mSplit {
    /// The annotation file the configs read (`ANNO_FILENAME`).
    pub const fn annotation_file(self) -> &'static str {
        match self {
            Cc3mSplit::Train => "train_spacy.json",
            Cc3mSplit::Val => "val_spacy.json",
        }
    }

    /// The image folder inside [`DIR`].
    pub const fn image_folder(self) -> &'static str {
        match self {
            Cc3mSplit::Train => "train_image",
            Cc3mSplit::Val => "val_image",
        }
    }

    /// The official TSV's file name.
    pub const fn tsv_name(self) -> &'static str {
        match self {
            Cc3mSplit::Train => TRAIN_TSV,
            Cc3mSplit::Val => VAL_TSV,
        }
    }
}

/// Writes `<root>/open_source_dataset/cc3m/<split>_spacy.json` from `tsv` and the images in
/// `images` (default: the tree's own `cc3m/<split>_image/`), linking usable images into
/// the tree when they are elsewhere.
pub fn prepare_cc3m(
    root: &Path,
    split: Cc3mSplit,
    tsv: &Path,
    images: Option<&Path>,
    link: LinkMode,
    check: ImageCheckLevel,
    reporter: &dyn Reporter,
) -> Result<WebCaptionsSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let tree_images = folder.join(split.image_folder());
    let images = crate::placement::image_folder(images, &tree_images)?;
    let job = WebCaptionsJob {
        tsv,
        order: ColumnOrder::CaptionUrl,
        images,
        check,
        image_folder_name: split.image_folder(),
        placement: Placement::new(images, &tree_images, link),
        output: &folder.join(split.annotation_file()),
    };
    write_web_captions(&job, reporter)
}
