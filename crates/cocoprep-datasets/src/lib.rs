//! The Uni-Perceiver data tree (`$DATA_PATH/open_source_dataset/`).
//!
//! * a check of the tree against every file the configs read, dataset by dataset, with the
//!   exact fix for each problem (and `init` / cache clean-up);
//! * one preparer per dataset that writes exactly the files the configs read (the config
//!   names, not the original scripts' names) from the official downloads.
//!
//! Formats and the reference scripts' behaviour: `shared/specs/multi-dataset-and-web-scale.md` §0–§1.
//!
//! Image-text preparers: [`coco`], [`flickr30k`], [`visual_genome`], [`sbu`], [`cc3m`],
//! [`cc12m`] (the last two through [`web_captions`]) and [`vqa`]. Each takes the root `R`
//! (`DATA_PATH`, the parent of `open_source_dataset/`), writes under
//! `R/open_source_dataset/<config dir>/` with the config file names, writes every output
//! atomically, and places images by link (or copy) from where the user keeps them,
//! never by moving them. Every module exports its folder and file names as `pub const`s.
//!
//! ```
//! use cocoprep_base::progress::NoReporter;
//! use cocoprep_convert::layout::LinkMode;
//! use cocoprep_datasets::cc3m::{Cc3mSplit, prepare_cc3m};
//! use cocoprep_datasets::image_check::ImageCheckLevel;
//!
//! let root = tempfile::tempdir()?;
//! let images = root.path().join("downloads");
//! std::fs::create_dir_all(&images)?;
//! let tsv = root.path().join("val.tsv");
//! std::fs::write(&tsv, "a bus station\thttp://example.com/a.jpg\n")?;
//! // No image was downloaded for row 0, so the row is left out.
//! let summary = prepare_cc3m(root.path(), Cc3mSplit::Val, &tsv, Some(&images), LinkMode::Hard,
//!     ImageCheckLevel::Header, &NoReporter)?;
//! assert_eq!((summary.rows, summary.written, summary.images.missing), (1, 0, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cc12m;
pub mod cc3m;
pub mod coco;
mod error;
pub mod flickr30k;
pub mod image_check;
mod placement;
mod python_text;
pub mod sbu;
pub mod visual_genome;
pub mod vqa;
pub mod web_captions;

use std::path::{Path, PathBuf};

pub use error::Error;
pub use placement::Placement;

/// The folder under the root (`DATA_PATH`) that every config path starts with.
pub const OPEN_SOURCE_DATASET: &str = "open_source_dataset";

/// `<root>/open_source_dataset/<relative>`.
pub fn dataset_folder(root: &Path, relative: &str) -> PathBuf {
    root.join(OPEN_SOURCE_DATASET).join(relative)
}
