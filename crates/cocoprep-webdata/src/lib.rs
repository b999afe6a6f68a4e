//! Web-scale image-text downloads: URL lists (CC3M, CC12M, SBU, LAION, COCO, or any
//! txt/csv/tsv/jsonl/parquet file) to image folders, WebDataset shards or Parquet, with
//! img2dataset's option names, keys, layouts and stats, and without its known problems:
//! the input is streamed (flat memory on 12M rows), host names are resolved once per run
//! in-process (no local DNS server needed), every request has a deadline (no hang at the
//! end), only transient failures are retried, shards are complete or absent, and failed
//! rows can be retried alone.
//!
//! * [`input`]: streaming readers and dataset presets.
//! * [`layout`]: shard numbers and keys.
//! * [`fetch`] and [`resolve`]: the HTTP side.
//! * [`image`]: decode, filter, resize (img2dataset's modes), encode.
//! * [`output`]: WebDataset tars, image folders, Parquet, the per-shard index and stats.
//! * [`run`]: the pipeline; [`status`]: what a folder holds.
//!
//! ```no_run
//! use cocoprep_webdata::input::{InputSource, InputSpec, Preset};
//! use cocoprep_webdata::output::{FileNames, OutputFormat, OutputOptions};
//! use cocoprep_webdata::run::{JobOptions, run};
//!
//! let options = JobOptions {
//!     input: InputSpec { path: "cc12m.tsv".into(), source: InputSource::Preset(Preset::Cc12m) },
//!     output: OutputOptions {
//!         folder: "cc12m-shards".into(),
//!         format: OutputFormat::WebDataset,
//!         file_names: FileNames::Key,
//!         layout: Default::default(),
//!         encode_format: cocoprep_webdata::image::EncodeFormat::Jpeg,
//!     },
//!     fetch: Default::default(),
//!     image: Default::default(),
//!     workers: 64,
//!     shard_filter: None,
//!     retry_failed: false,
//! };
//! let summary = run(&options, &cocoprep_base::progress::NoReporter)?;
//! println!("{} of {} rows fetched", summary.stats.successes, summary.rows);
//! # Ok::<(), cocoprep_webdata::Error>(())
//! ```

#![deny(missing_docs)]
// `unsafe_code` is denied workspace-wide; its exceptions here are the calls into libwebp
// (`image::encode`, `image::decode`).

mod error;
pub mod fetch;
pub mod image;
pub mod input;
pub mod job;
pub mod layout;
pub mod output;
pub mod resolve;
pub mod run;
pub mod sample;
pub mod status;

pub use error::Error;
