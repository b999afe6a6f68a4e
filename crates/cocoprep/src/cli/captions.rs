//! Arguments of `cocoprep captions ...`: Karpathy-format captioning data.
//!
//! The flag names of the reference scripts (`--input_json`, `--output_h5`, ...) are hidden
//! aliases, so a job script ports by replacing `python scripts/prepro_labels.py` with
//! `cocoprep captions labels`. Defaults are the scripts' defaults.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct CaptionsArgs {
    #[command(subcommand)]
    pub command: CaptionsCommand,
}

#[derive(Debug, Subcommand)]
pub enum CaptionsCommand {
    /// Vocabulary and label HDF5 from a Karpathy dataset file (= prepro_labels.py).
    ///
    /// Writes `cocotalk.json` (`ix_to_word` and per-image split, file path and id; byte
    /// for byte what the script writes) and `<PREFIX>_label.h5` (`labels`,
    /// `label_start_ix`, `label_end_ix`, `label_length`, uint32).
    Labels(LabelsArgs),

    /// CIDEr-D document frequencies (= prepro_ngrams.py).
    ///
    /// Writes `<PREFIX>-words.p` and `<PREFIX>-idxs.p`: pickles (protocol 2) of
    /// `{'document_frequency': defaultdict(float, ...), 'ref_len': images}` for the
    /// CIDEr-D scorer of self-critical training.
    Ngrams(NgramsArgs),

    /// The coco-caption evaluation reference of the val, test and restval images
    /// (= prepro_reference_json.py).
    Reference(ReferenceArgs),

    /// Karpathy splits as COCO caption files: captions_train113k.json,
    /// captions_val5k.json, captions_test5k.json (= Uni-Perceiver's coco_preprocess.py).
    Splits(SplitsArgs),

    /// A seeded fraction of the training images, val and test kept
    /// (= coco-scripts' coco_splits.py; same seed, same images).
    Subsample(SubsampleArgs),

    /// Build a Karpathy dataset file from COCO caption files and Karpathy's val/test
    /// image lists, or from the Flickr8k text release.
    Karpathy(KarpathyArgs),
}

/// The Karpathy dataset file, positional or with the scripts' `--input_json`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DatasetInput {
    /// The Karpathy dataset file (`dataset_coco.json`).
    #[arg(value_name = "DATASET.json")]
    pub dataset: Option<PathBuf>,

    #[arg(
        long = "input-json",
        alias = "input_json",
        hide = true,
        value_name = "FILE"
    )]
    pub input_json: Option<PathBuf>,
}

impl DatasetInput {
    pub fn into_path(self) -> PathBuf {
        let DatasetInput {
            dataset,
            input_json,
        } = self;
        // clap's group makes exactly one of them present.
        dataset.or(input_json).unwrap_or_default()
    }
}

#[derive(Debug, Args)]
pub struct LabelsArgs {
    #[command(flatten)]
    pub input: DatasetInput,

    /// Where to write the vocabulary and image list.
    #[arg(
        long,
        alias = "output_json",
        value_name = "FILE",
        default_value = "data.json"
    )]
    pub output_json: PathBuf,

    /// Prefix of the label file: writes `<PREFIX>_label.h5`.
    #[arg(
        long,
        alias = "output_h5",
        value_name = "PREFIX",
        default_value = "data"
    )]
    pub output_h5: PathBuf,

    /// Clip captions to this many words.
    #[arg(
        long,
        alias = "max_length",
        value_name = "N",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_length: u32,

    /// Keep words that occur more than this many times; the others become `UNK`.
    #[arg(
        long,
        alias = "word_count_threshold",
        value_name = "N",
        default_value_t = 5
    )]
    pub word_count_threshold: u64,

    /// Record each image's width and height, read from `<DIR>/<filepath>/<filename>`
    /// (needed by loaders with `use_box`).
    #[arg(long, alias = "images_root", value_name = "DIR")]
    pub images_root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NgramsArgs {
    #[command(flatten)]
    pub input: DatasetInput,

    /// The `cocotalk.json` written by `captions labels`.
    #[arg(
        long,
        alias = "dict_json",
        value_name = "FILE",
        default_value = "data/cocotalk.json"
    )]
    pub dict_json: PathBuf,

    /// Prefix of the outputs: writes `<PREFIX>-words.p` and `<PREFIX>-idxs.p`.
    #[arg(
        long,
        alias = "output_pkl",
        value_name = "PREFIX",
        default_value = "data/coco-all"
    )]
    pub output_pkl: PathBuf,

    /// Images to count: `train` (with restval), `val`, `test`, `all`, or any split name.
    #[arg(long, value_name = "SPLIT", default_value = "all")]
    pub split: String,
}

#[derive(Debug, Args)]
pub struct ReferenceArgs {
    #[command(flatten)]
    pub input: DatasetInput,

    /// Where to write the reference.
    #[arg(
        short,
        long = "output",
        alias = "output_json",
        value_name = "FILE",
        default_value = "data.json"
    )]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct SplitsArgs {
    #[command(flatten)]
    pub input: DatasetInput,

    /// The folder for the three split files (created if needed).
    #[arg(short, long = "output", value_name = "DIR")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct SubsampleArgs {
    /// The Karpathy dataset file.
    #[arg(value_name = "DATASET.json")]
    pub dataset: PathBuf,

    /// The fraction of the training images (train and restval) to keep, 0 to 1.
    #[arg(long, alias = "percentage", value_name = "F")]
    pub fraction: f64,

    /// Seed of Python's random generator.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Where to write the subsampled dataset file.
    #[arg(short, long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct KarpathyArgs {
    /// COCO caption files (`captions_val2014.json captions_train2014.json`): each image's
    /// folder is the part of the file name after `captions_`.
    #[arg(value_name = "CAPTIONS.json", required_unless_present = "flickr8k")]
    pub captions: Vec<PathBuf>,

    /// Karpathy's test image list (one `<path> <cocoid>` per line).
    #[arg(long, value_name = "FILE", required_unless_present = "flickr8k")]
    pub test_list: Option<PathBuf>,

    /// Karpathy's val image list.
    #[arg(long, value_name = "FILE", required_unless_present = "flickr8k")]
    pub val_list: Option<PathBuf>,

    /// Build from the Flickr8k text release in this folder instead (Flickr8k.token.txt and
    /// the Flickr_8k.*Images.txt split lists).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["captions", "test_list", "val_list"])]
    pub flickr8k: Option<PathBuf>,

    /// Image order of the output.
    #[arg(long, value_enum, default_value_t = OrderArg::File)]
    pub order: OrderArg,

    /// Where to write the dataset file.
    #[arg(short, long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// As in the inputs: file after file (Flickr8k: train, val, test list order).
    File,
    /// By COCO image id (Flickr8k: by file name).
    Id,
}
