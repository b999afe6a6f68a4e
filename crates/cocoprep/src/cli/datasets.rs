//! Arguments of `cocoprep tree ROOT` and `cocoprep dataset <NAME> ...`: Uni-Perceiver's
//! `open_source_dataset/` tree.
//!
//! Every preparer takes `--root R` (the `DATA_PATH`, the parent of `open_source_dataset/`)
//! and writes under `R/open_source_dataset/<dataset folder>` with the names the configs read.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::convert::LinkArg;

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

    /// ImageNet-22k: imagenet_22k_filelist_short.txt (`<wnid> <num> <class id>` per image,
    /// the list the 22k loader reads) from a fall11 / winter21 folder tree
    /// `<wnid>/<wnid>_<num>.JPEG`; imagenet22k/ is linked to the source when elsewhere.
    ///
    /// Class ids: the spec only says the 22k target set has "ImageNet 1k class names as the
    /// first 1000 categories", so by default the ImageNet-1k wnids (the tree's
    /// imagenet/train/ class folders, when present) come first in sorted order, then the
    /// other wnids sorted; without imagenet/train/ the order is sorted wnids. --classes
    /// gives the order of the class-name list the target set was made from instead. Class
    /// folders are read one at a time (streamed); files not named <wnid>_<num>.JPEG are
    /// counted and left out.
    #[command(name = "imagenet22k")]
    Imagenet22k(Imagenet22kArgs),

    /// Books & Wiki: bert_pretrain_data/bookswiki/bookswiki.doc (the inputs concatenated)
    /// and bookswiki-1000.doc (its first 1000 non-empty lines, read on one GPU).
    Bookswiki(BookswikiArgs),

    /// GLUE: bert_pretrain_data/glue_data/<TASK>/processed/*.tsv as fairseq's
    /// preprocess_GLUE_tasks.sh writes them (header removed, QQP rows filtered).
    Glue(GlueArgs),

    /// MSCOCO captions: captions_{train113k,val5k,test5k}.json and dataset_coco.json in
    /// mscoco_dataset/new_annotations/, images linked into mscoco_dataset/coco_origin/.
    ///
    /// The split files are `captions splits`' (Uni-Perceiver's coco_preprocess.py, plus
    /// `info` for pycocotools). With --images, every image of dataset_coco.json must be at
    /// IMAGES/<filepath>/<filename>; missing ones are counted and named before anything is
    /// written.
    #[command(after_help = "Example:
  cocoprep dataset coco caption_datasets/dataset_coco.json --images /data/coco --root /data/uniperceiver")]
    Coco(DatasetCocoArgs),

    /// Flickr30k: the ViLBERT jsonlines (what the loader reads) in flickr30k/, the caption
    /// evaluator's captions_{train,val,test}.json, images linked into
    /// flickr30k_images/flickr30k_images/flickr30k_images/.
    ///
    /// The caption files are process_flickr_caption_json.py's, plus `info`, `licenses` and
    /// `type` for pycocotools. --images may be the archive's flickr30k_images/ at any level
    /// of its nesting; every image the jsonlines name must be there.
    Flickr30k(DatasetFlickr30kArgs),

    /// Visual Genome: visual_genome/annotations/vg_captions_128filter.json from
    /// region_descriptions.json (streamed) and the VG_100K/ and VG_100K_2/ image folders.
    ///
    /// Captions are the distinct phrases of regions with height × width ≥ 128 × 128
    /// (region_descriptions.ipynb). The notebook's order is a Python set's (different on
    /// every run); cocoprep's is deterministic: images in the order of their first
    /// qualifying region in region_descriptions.json, each image's phrases in order of
    /// first occurrence, `subset` in the same image order. Images without a file in either
    /// folder are left out (the loader would fail on them); an image in both folders is
    /// taken from VG_100K.
    VisualGenome(DatasetVisualGenomeArgs),

    /// SBU Captions: sbucaption/annotations/subcaption.json from the release's URL and
    /// caption lists and the downloaded images (named by the URL's base name).
    ///
    /// Keys are `images/<name>` and images sit in sbucaption/images/ (the configs'
    /// FEATS_FOLDER is sbucaption/, and make_sbu_json.py's bare names would need the images
    /// directly there); keys follow the URL list's order. Images are checked as the
    /// scripts' check_valid.py does, by header: see `dataset cc3m --help`.
    Sbu(DatasetSbuArgs),

    /// Conceptual Captions 3M: cc3m/train_spacy.json or val_spacy.json (the names the
    /// configs read) from the official TSV (caption<TAB>url, no header) and the images the
    /// downloader saved as <row:08>.jpg.
    ///
    /// One JSON line per row whose image is usable, as make_cc3m_{train,val}_json.py
    /// writes it: {"image": "train_image.zip@/00000000.jpg", "caption": [tokens]}.
    /// Usable = present, non-empty, a recognised image format, both sides within
    /// 10..=10000 pixels (check_valid.py's bounds, read from the header; with --decode,
    /// JPEGs and PNGs must also decode in full). Rows left out are counted in the summary.
    /// The TSV is streamed.
    Cc3m(DatasetCc3mArgs),

    /// Conceptual 12M: c12m/train_available.json from cc12m.tsv (url<TAB>caption, no
    /// header) and the images the downloader saved as <row:08>.jpg.
    ///
    /// Same records as `dataset cc3m`. Uni-Perceiver's CC12M scripts read the columns the
    /// CC3M way and write URLs as captions; cocoprep reads them the right way round and
    /// refuses a file whose columns look swapped.
    Cc12m(DatasetCc12mArgs),

    /// VQA v2: VQA/coco_map.json from the COCO image folders, and a check of every file
    /// the loader opens (incl. train_target.pkl, which the documentation's tree omits).
    ///
    /// coco_map.json maps str(image_id) to the path under mscoco_dataset/coco_origin/
    /// (train2014/, val2014/, test2015/). The exit status is 1 when a required file is
    /// missing or malformed; each is named.
    Vqa(DatasetVqaArgs),
}

/// `--root` and `--json`, which every preparer takes.
#[derive(Debug, Args)]
pub struct RootArg {
    /// The DATA_PATH: outputs go under ROOT/open_source_dataset/ (given the
    /// `open_source_dataset` folder itself, its parent is used).
    #[arg(long, value_name = "ROOT")]
    pub root: PathBuf,

    /// Print the summary as JSON on stdout: the files written (path, bytes, records), the
    /// problems found, links made, caches deleted, and the dataset's own counts.
    #[arg(long)]
    pub json: bool,
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
pub struct Imagenet22kArgs {
    /// The ImageNet-22k folder of class folders [default:
    /// ROOT/open_source_dataset/imagenet22k].
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,

    /// The class-id order: one wnid per line (the first field; `n01440764 tench` works),
    /// line N = class id N-1. Every class folder must be listed.
    #[arg(long, value_name = "FILE")]
    pub classes: Option<PathBuf>,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct BookswikiArgs {
    /// The corpus files, concatenated in this order (e.g. wiki.doc bc1g.doc).
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Write the v2 loader's names instead (`DATASETS.VERSION: v2`): bookswiki_v2.txt and
    /// bookswiki_v2-1000.doc. The v2 loader hard-codes the corpus length, 244,208,263
    /// non-empty lines; any other count is reported as a problem (exit status 1; the files
    /// are written).
    #[arg(long)]
    pub v2: bool,

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

/// How downloaded web images are checked.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also decode every JPEG and PNG in full, rejecting truncated downloads as the scripts'
    /// check_valid.py (PIL) does; by default only the header is read (format and size).
    #[arg(long)]
    pub decode: bool,
}

/// How downloaded web images are checked and placed (SBU, CC3M, CC12M).
#[derive(Debug, Args)]
pub struct WebImageArgs {
    #[command(flatten)]
    pub check: CheckArgs,

    #[command(flatten)]
    pub place: PlaceArgs,
}

/// How images get into the tree.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// How images are placed into the tree (never moved): hard links (copies across file
    /// systems), symbolic links, copies, or none (only the annotations).
    #[arg(long, value_enum, default_value = "hard")]
    pub link: LinkArg,
}

#[derive(Debug, Args)]
pub struct DatasetCocoArgs {
    /// Karpathy's dataset_coco.json (from caption_datasets.zip).
    #[arg(value_name = "DATASET_COCO.json")]
    pub karpathy: PathBuf,

    /// Folder holding train2014/ and val2014/ [default: no image check or placement].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub place: PlaceArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct DatasetFlickr30kArgs {
    /// Folder holding all_data_final_{train,val_set0,test_set0}_2014.jsonline.
    #[arg(value_name = "JSONLINES_DIR")]
    pub jsonlines: PathBuf,

    /// The image folder (flickr30k_images/, at any level of the archive's nesting)
    /// [default: no image check or placement].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub place: PlaceArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct DatasetVisualGenomeArgs {
    /// region_descriptions.json.
    #[arg(value_name = "REGION_DESCRIPTIONS.json")]
    pub regions: PathBuf,

    /// Folder holding VG_100K/ and VG_100K_2/ [default: ROOT/open_source_dataset/visual_genome/images].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub place: PlaceArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct DatasetSbuArgs {
    /// SBU_captioned_photo_dataset_urls.txt (one URL per line).
    #[arg(value_name = "URLS.txt")]
    pub urls: PathBuf,

    /// SBU_captioned_photo_dataset_captions.txt (one caption per line, same order).
    #[arg(value_name = "CAPTIONS.txt")]
    pub captions: PathBuf,

    /// Folder of downloaded images named by the URL's base name [default:
    /// ROOT/open_source_dataset/sbucaption/images].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub web: WebImageArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cc3mSplitArg {
    /// Train_GCC-training.tsv → train_spacy.json, images in train_image/.
    Train,
    /// Validation_GCC-1.1.0-Validation.tsv → val_spacy.json, images in val_image/.
    Val,
}

#[derive(Debug, Args)]
pub struct DatasetCc3mArgs {
    /// The official TSV (caption<TAB>url).
    #[arg(value_name = "TSV")]
    pub tsv: PathBuf,

    /// Which split the TSV is [default: val for Validation_GCC-1.1.0-Validation.tsv,
    /// train otherwise].
    #[arg(long, value_enum)]
    pub split: Option<Cc3mSplitArg>,

    /// Folder of downloaded images named <row:08>.jpg [default:
    /// ROOT/open_source_dataset/cc3m/<split>_image].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub web: WebImageArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct DatasetCc12mArgs {
    /// cc12m.tsv (url<TAB>caption).
    #[arg(value_name = "TSV")]
    pub tsv: PathBuf,

    /// Folder of downloaded images named <row:08>.jpg [default:
    /// ROOT/open_source_dataset/c12m/train_image].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    #[command(flatten)]
    pub web: WebImageArgs,

    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct DatasetVqaArgs {
    /// Folder holding COCO's train2014/, val2014/, test2015/ [default:
    /// ROOT/open_source_dataset/mscoco_dataset/coco_origin].
    #[arg(long, value_name = "DIR")]
    pub coco_images: Option<PathBuf>,

    #[command(flatten)]
    pub root: RootArg,
}
