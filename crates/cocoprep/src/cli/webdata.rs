//! Arguments of `cocoprep webdata`: URL lists to image folders, WebDataset shards or
//! Parquet, with img2dataset's option names (kebab case; the snake_case names are hidden
//! aliases, so img2dataset command lines port by renaming the program).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::ClusterArgs;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct WebdataArgs {
    #[command(subcommand)]
    pub command: Option<WebdataCommand>,

    #[command(flatten)]
    pub download: WebdataDownloadArgs,
}

#[derive(Debug, Subcommand)]
pub enum WebdataCommand {
    /// What an output folder holds: rows by status and by error, shards complete and
    /// missing, and the array tasks to re-submit (exit status 1 while shards are missing).
    Status(WebdataStatusArgs),
}

#[derive(Debug, Args)]
pub struct WebdataStatusArgs {
    /// The output folder of `cocoprep webdata`.
    #[arg(value_name = "OUT")]
    pub folder: PathBuf,

    /// Print the status as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WebdataDownloadArgs {
    /// The URL list: a file (txt, csv, tsv, jsonl, parquet; `.gz` is read through gunzip)
    /// or a folder of them; with --preset, the dataset's own file.
    #[arg(value_name = "URL_LIST", required = true, alias = "url_list")]
    pub url_list: Option<PathBuf>,

    /// The output folder.
    #[arg(
        short,
        long,
        value_name = "OUT",
        required = true,
        alias = "output_folder"
    )]
    pub output: Option<PathBuf>,

    /// Read a dataset's real metadata file with its quirks: cc3m (`caption<TAB>url`, no
    /// header), cc12m (`url<TAB>caption`, no header), sbu (the two line files), coco (an
    /// annotation file's `coco_url`s), laion (parquet `URL`/`TEXT`).
    #[arg(long, value_enum, conflicts_with_all = ["input_format", "url_col", "caption_col"])]
    pub preset: Option<WebdataPresetArg>,

    /// The layout of URL_LIST [default: from its extension, else txt].
    #[arg(long, value_enum, alias = "input_format")]
    pub input_format: Option<InputFormatArg>,

    /// The column holding URLs (csv, tsv, jsonl, parquet).
    #[arg(long, default_value = "url", alias = "url_col", value_name = "NAME")]
    pub url_col: String,

    /// The column holding captions.
    #[arg(long, alias = "caption_col", value_name = "NAME")]
    pub caption_col: Option<String>,

    /// files: one image per file; webdataset: one tar per shard (key.jpg, key.txt,
    /// key.json); parquet: one Parquet file per shard with the images in a column.
    #[arg(long, value_enum, default_value = "files", alias = "output_format")]
    pub output_format: OutputFormatArg,

    /// How `files` output names images: key (img2dataset: OUT/00000/000000005.jpg with
    /// .txt and .json), row (Uni-Perceiver CC3M/CC12M: OUT/00000005.jpg, the input row),
    /// url-basename (Uni-Perceiver SBU: OUT/<last URL segment>) [default: row for
    /// --preset cc3m/cc12m, url-basename for sbu, else key].
    #[arg(long, value_enum)]
    pub file_names: Option<FileNamesArg>,

    /// The size images are fitted to (see --resize-mode).
    #[arg(
        long,
        default_value_t = 256,
        alias = "image_size",
        value_name = "PIXELS"
    )]
    pub image_size: u32,

    /// keep_ratio: the shorter side becomes --image-size; center_crop: then the centre
    /// square; border: the longer side becomes the size, then white borders make a square
    /// (img2dataset's default); keep_ratio_largest: the longer side becomes the size;
    /// no: unchanged. Downscaling averages each output pixel's area (OpenCV INTER_AREA).
    #[arg(long, value_enum, default_value = "keep_ratio", alias = "resize_mode")]
    pub resize_mode: ResizeModeArg,

    /// Never upscale: images already smaller than the size are kept as they are.
    #[arg(long, alias = "resize_only_if_bigger")]
    pub resize_only_if_bigger: bool,

    /// The image format written.
    #[arg(long, value_enum, default_value = "jpg", alias = "encode_format")]
    pub encode_format: EncodeFormatArg,

    /// JPEG quality 1-100, PNG compression 0-9, or WebP quality 1-100 (101-255: lossless,
    /// as OpenCV's IMWRITE_WEBP_QUALITY; 0 is 1) [default: 95 for jpg and webp, 3 for png].
    #[arg(long, alias = "encode_quality", value_name = "Q")]
    pub encode_quality: Option<u8>,

    /// Keep the fetched bytes when the image needed no resizing and is already in the
    /// output format.
    #[arg(long, alias = "skip_reencode")]
    pub skip_reencode: bool,

    /// Images whose shorter side is smaller fail with "image too small".
    #[arg(
        long,
        default_value_t = 0,
        alias = "min_image_size",
        value_name = "PIXELS"
    )]
    pub min_image_size: u32,

    /// Images with more pixels fail with "image area too large".
    #[arg(long, alias = "max_image_area", value_name = "PIXELS")]
    pub max_image_area: Option<u64>,

    /// Images whose longer/shorter side ratio is larger fail with "aspect ratio too large".
    #[arg(long, alias = "max_aspect_ratio", value_name = "RATIO")]
    pub max_aspect_ratio: Option<f64>,

    /// Rows per shard.
    #[arg(
        long,
        default_value_t = 10_000,
        alias = "number_sample_per_shard",
        value_name = "N"
    )]
    pub number_sample_per_shard: u64,

    /// Digits of shard numbers (and of the shard part of keys).
    #[arg(
        long,
        default_value_t = 5,
        alias = "oom_shard_count",
        value_name = "DIGITS"
    )]
    pub oom_shard_count: usize,

    /// Seconds one request may take, from connecting to the last byte.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,

    /// Extra attempts for transient failures (timeouts, resets, 5xx, 429), with backoff.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub retries: u32,

    /// Concurrent requests [default: 64].
    #[arg(long, alias = "thread_count", value_name = "N")]
    pub thread_count: Option<usize>,

    /// Concurrent requests to one host (0: no cap).
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub max_connections_per_host: usize,

    /// Connect to ADDRESS for HOST:PORT, without a DNS lookup (like curl's --resolve).
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    pub resolve: Vec<String>,

    /// A token naming your crawler in the user agent and matched against
    /// `X-Robots-Tag: TOKEN: ...` headers.
    #[arg(long, alias = "user_agent_token", value_name = "TOKEN")]
    pub user_agent_token: Option<String>,

    /// X-Robots-Tag directives that opt an image out (`none`: honour none).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "noai,noimageai,noindex,noimageindex",
        alias = "disallowed_header_directives",
        value_name = "LIST"
    )]
    pub disallowed_header_directives: Vec<String>,

    /// Also re-fetch the rows of finished shards that failed with a transient error
    /// (timeouts, resets, 5xx, truncated bodies), rewriting only those shards.
    #[arg(long)]
    pub retry_failed: bool,

    /// Print the run's summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WebdataPresetArg {
    Cc3m,
    Cc12m,
    Sbu,
    Coco,
    Laion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    Txt,
    Csv,
    Tsv,
    Jsonl,
    Parquet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormatArg {
    Files,
    Webdataset,
    Parquet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FileNamesArg {
    Key,
    Row,
    UrlBasename,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ResizeModeArg {
    #[value(name = "no")]
    No,
    #[value(name = "keep_ratio")]
    KeepRatio,
    #[value(name = "center_crop")]
    CenterCrop,
    #[value(name = "border")]
    Border,
    #[value(name = "keep_ratio_largest")]
    KeepRatioLargest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EncodeFormatArg {
    #[value(name = "jpg", alias = "jpeg")]
    Jpg,
    Png,
    Webp,
}
