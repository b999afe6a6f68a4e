//! Arguments of the acquisition commands: `list`, `get`, `download`, `verify`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::ClusterArgs;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the whole catalog as JSON (the schema a `--catalog` file uses).
    #[arg(long)]
    pub json: bool,

    /// Merge this catalog file over the built-in one (same schema as `list --json`).
    #[arg(long, value_name = "FILE", env = "COCOPREP_CATALOG")]
    pub catalog: Option<PathBuf>,
}

/// The folder layouts `get` can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// `DIR/{train2017,val2017,annotations}`: the official zips' layout.
    Coco,
    /// ultralytics: `DIR/images/train2017`, `DIR/labels/train2017`, a dataset YAML.
    Yolo,
    /// The captioning code bases' `data/`: `images/`, `dataset_coco.json`, `bu_data/`.
    Captioning,
}

impl LayoutArg {
    pub fn name(self) -> &'static str {
        match self {
            Self::Coco => "coco",
            Self::Yolo => "yolo",
            Self::Captioning => "captioning",
        }
    }
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Bundles or resources to get (see `cocoprep list`), e.g. `coco2017`.
    #[arg(required = true, value_name = "BUNDLE|RESOURCE")]
    pub names: Vec<String>,

    /// The dataset folder.
    #[arg(short, long, value_name = "DIR", default_value = "coco")]
    pub dir: PathBuf,

    /// Folder layout [default: the bundle's, else coco].
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,

    /// HTTP range connections per file.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub connections: usize,

    /// Files downloaded at the same time.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub parallel: usize,

    /// Download only this split's images (`train`, `val`), one by one from their
    /// `coco_url`, with a matching annotation file (like FiftyOne's zoo). With `--layout
    /// yolo` the images go to `images/<split>/` and YOLO box labels plus `data.yaml` are
    /// written from the subset's annotations (as `convert yolo` would).
    #[arg(long, value_name = "SPLIT")]
    pub split: Option<String>,

    /// With --split: only images containing these categories (exact names, comma-separated).
    #[arg(long, value_name = "A,B", value_delimiter = ',', requires = "split")]
    pub classes: Vec<String>,

    /// With --split: at most this many images.
    #[arg(long, value_name = "N", requires = "split")]
    pub max_images: Option<usize>,

    /// Print the plan (files, sizes, disk needed) and exit; works offline.
    #[arg(long)]
    pub dry_run: bool,

    /// Keep the downloaded archives (in `DIR/.cocoprep/downloads`) after extraction.
    #[arg(long)]
    pub keep_archives: bool,

    /// Extract only archive members matching this glob (`*` matches across folders);
    /// repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub only: Vec<String>,

    /// Merge this catalog file over the built-in one.
    #[arg(long, value_name = "FILE", env = "COCOPREP_CATALOG")]
    pub catalog: Option<PathBuf>,

    /// Seconds without data before a connection is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,

    /// Attempts per connection without progress before giving up.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub retries: u32,

    /// Print the plan (with --dry-run) or the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Fetch subset images from this base URL instead of `coco_url`'s host (a mirror).
    #[arg(long, value_name = "URL", hide = true)]
    pub image_url_base: Option<String>,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// URLs to download (each is a separate file; `--sha256`/`--md5` apply to all).
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,

    /// Folder to write into.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,

    /// File name (one URL only) [default: the URL's last path segment].
    #[arg(long, value_name = "NAME")]
    pub file_name: Option<String>,

    /// Expected SHA-256 (hex); a mismatch is quarantined and fetched again.
    #[arg(long, value_name = "HEX", conflicts_with = "md5")]
    pub sha256: Option<String>,

    /// Expected MD5 (hex).
    #[arg(long, value_name = "HEX")]
    pub md5: Option<String>,

    /// Expected size in bytes.
    #[arg(long, value_name = "BYTES")]
    pub size: Option<u64>,

    /// HTTP range connections per file.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub connections: usize,

    /// Seconds without data before a connection is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,

    /// Attempts per connection without progress before giving up.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub retries: u32,

    /// Also compute the SHA-256 of files downloaded without --sha256.
    #[arg(long)]
    pub hash: bool,

    /// Print what was downloaded as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A dataset folder made by `cocoprep get` (any folder: without manifests, every
    /// image is decoded).
    pub dir: PathBuf,

    /// Check sizes and CRCs only; do not decode images.
    #[arg(long)]
    pub no_decode: bool,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
