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

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bookswiki;
pub mod coco_style;
pub mod csv_table;
pub mod error;
mod files;
pub mod glue;
pub mod imagenet;
pub mod layout;
pub mod msrvtt;
pub mod msvd;
pub mod python_text;
pub mod tree;
pub mod video_classes;

pub use error::Error;
pub use layout::DataRoot;
