//! The Uni-Perceiver data tree (`$DATA_PATH/open_source_dataset/`).
//!
//! * a check of the tree against every file the configs read, dataset by dataset, with the
//!   exact fix for each problem (and `init` / cache clean-up);
//! * one preparer per dataset that writes exactly the files the configs read (the config
//!   names, not the original scripts' names) from the official downloads.
//!
//! Formats and the reference scripts' behaviour: `shared/specs/multi-dataset-and-web-scale.md` §0–§1.
//!
//! Video and text preparers of this crate: [`msvd`], [`msrvtt`], [`video_classes`]
//! (Kinetics-400/700, Moments in Time), [`imagenet`], [`bookswiki`], [`glue`]; the check is
//! [`tree`] (its knowledge is one table, [`tree::catalog`]).
//!
//! Image-text preparers: [`coco`], [`flickr30k`], [`visual_genome`], [`sbu`], [`cc3m`],
//! [`cc12m`] (the last two through [`web_captions`]) and [`vqa`]. Each takes the root `R`
//! (`DATA_PATH`, the parent of `open_source_dataset/`, see [`layout::DataRoot`]), writes under
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
//!
//! ```
//! use cocoprep_datasets::tree::{self, CheckOptions, report::Status};
//! use cocoprep_datasets::DataRoot;
//!
//! let data_path = std::env::temp_dir().join(format!("cocoprep-doc-{}", std::process::id()));
//! let root = DataRoot::resolve(&data_path);
//! tree::init(&root, &["glue".to_owned()])?;
//! let report = tree::check(&root, &CheckOptions { datasets: vec!["glue".to_owned()], ..Default::default() })?;
//! assert_eq!(report.datasets[0].status, Status::Absent);
//! assert!(report.datasets[0].problems[0].fix.starts_with("cocoprep dataset glue --root"));
//! # std::fs::remove_dir_all(&data_path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bookswiki;
pub mod cc12m;
pub mod cc3m;
pub mod coco;
pub mod coco_style;
pub mod csv_table;
pub mod error;
mod files;
pub mod flickr30k;
pub mod glue;
pub mod image_check;
pub mod imagenet;
pub mod imagenet22k;
pub mod layout;
pub mod msrvtt;
pub mod msvd;
mod placement;
pub mod python_text;
pub mod sbu;
pub mod tree;
pub mod video_classes;
pub mod visual_genome;
pub mod vqa;
pub mod web_captions;

pub use error::Error;
pub use layout::DataRoot;
pub use placement::Placement;
