//! Arguments of `cocoprep tree ROOT` and `cocoprep dataset <NAME> ...`: Uni-Perceiver's
//! `open_source_dataset/` tree.
//!
//! Every preparer takes `--root R` (the `DATA_PATH`, the parent of `open_source_dataset/`)
//! and writes under `R/open_source_dataset/<dataset folder>` with the names the configs read.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The DATA_PATH: the folder that holds `open_source_dataset/` (given the
    /// `open_source_dataset` folder itself, its parent is used).
    #[arg(value_name = "ROOT")]
    pub root: PathBuf,

    /// Create `open_source_dataset/` and every dataset's folders (and the links the video
    /// loaders need), then check.
    #[arg(long)]
    pub init: bool,

    /// Delete the loaders' cache pickles (the loaders never rebuild them, so after new
    /// annotations they would train on the old ones), then check.
    #[arg(long)]
    pub clean_caches: bool,

    /// Check (or init, or clean) only this dataset; repeat for more.
    #[arg(long = "dataset", value_name = "NAME")]
    pub datasets: Vec<String>,

    /// Print the report as JSON on stdout (stable schema, `"schema": 1`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub command: DatasetCommand,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// MSVD captions: new_annotations/caption_msvd_{train,val,test}_cocostyle.json from
    /// txt_labels/ (= msvd_preprocess.py; byte for byte, plus the `info` key).
    Msvd(MsvdArgs),

    /// Kinetics-400/700: label folders renamed to the loader's `_` form, CSVs,
    /// categories.txt, annotation.json, category_mapping.txt (= k400/k700_construct_csv.py
    /// and video_categories.ipynb).
    #[command(disable_version_flag = true)]
    Kinetics(KineticsArgs),

    /// Moments in Time: label folders in the `+` form, moments_train.csv, categories.txt,
    /// annotation.json, category_mapping.txt (= moments_construct_csv.py).
    MomentsInTime(VideoArgs),

    /// MSR-VTT 1k-A: annotations_new/caption_msrvtt_1k_{trainval,test}_cocostyle.json
    /// (= msrvtt_dataprocess_1k.ipynb, plus the `info` key).
    Msrvtt(MsrvttArgs),

    /// ImageNet-1k: imagenet/meta/{train,val}.txt (and test.txt) from the image folders.
    Imagenet(ImagenetArgs),

    /// Books & Wiki: bert_pretrain_data/bookswiki/bookswiki.doc (the inputs concatenated)
    /// and bookswiki-1000.doc (its first 1000 non-empty lines, read on one GPU).
    Bookswiki(BookswikiArgs),

    /// GLUE: bert_pretrain_data/glue_data/<TASK>/processed/*.tsv as fairseq's
    /// preprocess_GLUE_tasks.sh writes them (header removed, QQP rows filtered).
    Glue(GlueArgs),
}

/// `--root`, which every preparer takes.
#[derive(Debug, Args)]
pub struct RootArg {
    /// The DATA_PATH: outputs go under ROOT/open_source_dataset/ (given the
    /// `open_source_dataset` folder itself, its parent is used).
    #[arg(long, value_name = "ROOT")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct MsvdArgs {
    /// The `txt_labels` folder: youtube_mapping.txt and sents_{train,val,test}_lc_nopunc.txt
    /// (MSVD/captions/ of nasib-ullah/video-captioning-models-in-Pytorch).
    #[arg(value_name = "TXT_LABELS")]
    pub txt_labels: PathBuf,

    #[command(flatten)]
    pub root: RootArg,

    /// Leave out the `info` key: the reference script's exact bytes (pycocotools 2.0.9 and
    /// 2.0.10 `COCO.loadRes`, which the caption evaluator uses, then fail with KeyError: 'info').
    #[arg(long)]
    pub no_info: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KineticsVersionArg {
    /// Kinetics-400, in K400_official/.
    #[value(name = "400")]
    K400,
    /// Kinetics-700, in K700/.
    #[value(name = "700")]
    K700,
}

#[derive(Debug, Args)]
pub struct KineticsArgs {
    /// Which Kinetics (400: K400_official/, 700: K700/).
    #[arg(long, value_enum)]
    pub version: KineticsVersionArg,

    #[command(flatten)]
    pub video: VideoArgs,
}

#[derive(Debug, Args)]
pub struct VideoArgs {
    #[command(flatten)]
    pub root: RootArg,

    /// A download folder to move the label folders from (`train/`, `val/` as
    /// cvdfoundation's arrange_by_classes.py leaves them, or `training/`, `validation/`);
    /// moved by renaming (same file system), never copied. Default: the videos are already
    /// in the dataset folder (split folders `train`/`val` are renamed too).
    #[arg(long, value_name = "DIR")]
    pub videos: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MsrvttArgs {
    /// The folder with train_val_videodatainfo.json and test_videodatainfo.json, and
    /// CLIP4Clip's MSRVTT_train.9k.csv and MSRVTT_JSFUSION_test.csv (there or in its
    /// msrvtt_data/).
    #[arg(value_name = "DIR")]
    pub input: PathBuf,

    #[command(flatten)]
    pub root: RootArg,

    /// Leave out the `info` key (the notebook's exact bytes).
    #[arg(long)]
    pub no_info: bool,
}

#[derive(Debug, Args)]
pub struct ImagenetArgs {
    #[command(flatten)]
    pub root: RootArg,

    /// Labels of flat `val/` images: caffe's val.txt (`<file> <class>`) or Kaggle's
    /// LOC_val_solution.csv. Not needed when `val/` has class folders.
    #[arg(long, value_name = "FILE")]
    pub val_labels: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BookswikiArgs {
    /// The corpus files, concatenated in this order (e.g. wiki.doc bc1g.doc).
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct GlueArgs {
    /// The GLUE download folder (`<TASK>/<split>.tsv`, as the GLUE download script leaves it).
    #[arg(value_name = "GLUE_DIR")]
    pub input: PathBuf,

    #[command(flatten)]
    pub root: RootArg,
}
