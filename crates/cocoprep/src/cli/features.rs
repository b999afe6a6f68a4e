//! Arguments of `cocoprep features`: bottom-up-attention features and VSUA geometry.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::ClusterArgs;

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    #[command(subcommand)]
    pub command: FeaturesCommand,
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// Convert bottom-up-attention TSVs to per-image att/fc/box files (≡ make_bu_data.py).
    ///
    /// Reads the TSV rows `image_id, image_w, image_h, num_boxes, boxes, features` of
    /// peteanderson80's Faster R-CNN features and writes PREFIX_att/<id>.npz (key `feat`,
    /// float32 (K, 2048)), PREFIX_fc/<id>.npy (the mean over boxes, bit-identical to NumPy's
    /// `mean(0)`) and PREFIX_box/<id>.npy (float32 (K, 4)). Rows that cannot be decoded are
    /// skipped and listed in PREFIX_report.json (exit status 1); images whose outputs are
    /// already complete are skipped, so an interrupted run can simply be restarted.
    ///
    /// Sharded (--shard, --shard-from-env), each shard reads every row but converts only the
    /// images whose id it owns (a fixed hash of the id), so shards write disjoint files that
    /// together equal a single run's; each writes its own report,
    /// PREFIX_report.shard-I-of-N.json, and its done marker in the folder of PREFIX under
    /// .cocoprep-jobs/. --store lmdb and hdf5 have one writer per file and cannot be sharded.
    #[command(after_help = "Examples:
  cocoprep features butd trainval.zip --output-dir data/cocobu
  cocoprep features butd data/bu_data/trainval --output-dir data/cocobu --store lmdb
  cocoprep features butd trainval.zip --output-dir /data/cocobu --emit slurm --shards 8 > butd.sbatch")]
    Butd(ButdArgs),

    /// Pairwise box geometry for VSUA (≡ cal_geometry_feats.py).
    ///
    /// Reads the box-info pickle {image_id: {'boxes', 'image_w', 'image_h'}} (Python 2 or 3)
    /// and writes PREFIX-undirected.pkl (or -directed): {image_id: float64 (N, N, 8)}, with
    /// the reference's formulas and NumPy 1.x floating-point chain. Only needed if something
    /// else reads that pickle: `vsua-graph --box-info` builds the graphs without it.
    #[command(after_help = "Example:
  cocoprep features vsua-geometry data/vsua_box_info.pkl --save-path data/geometry_feats")]
    VsuaGeometry(VsuaGeometryArgs),

    /// Geometry graphs for VSUA (≡ build_geometry_graph.py).
    ///
    /// Writes SAVE-iou0.2-dist0.5-undirected/<image_id>.npy, each a pickled dict
    /// {'edges': int64 (E, 2), 'feats': float64 (E, 8)} (np.load(path, allow_pickle=True)[()]).
    /// Box pairs become edges when IoU >= --iou and centre distance / image diagonal <= --dist;
    /// with no such pair the reference's fallback edge [0, 1] is used, and a single box gets
    /// the self-loop [0, 0] (the reference crashes). With --box-info the features are computed
    /// per image from the box-info pickle, skipping the huge all-pairs pickle.
    #[command(after_help = "Examples:
  cocoprep features vsua-graph --box-info data/vsua_box_info.pkl --save-path data/geometry
  cocoprep features vsua-graph --geometry-path data/geometry_feats --save-path data/geometry")]
    VsuaGraph(VsuaGraphArgs),

    /// ResNet-101/152 grid features of every image (≡ prepro_feats.py).
    ///
    /// For each image of the Karpathy DATASET.json (IMAGES_ROOT/filepath/filename), a ResNet
    /// forward pass at full resolution, then PREFIX_fc/<cocoid>.npy (float32 (2048,), the
    /// mean of the last feature map) and PREFIX_att/<cocoid>.npz (key `feat`, float32
    /// (A, A, 2048), the map average-pooled to --att-size), or the same into one LMDB or
    /// HDF5 file per kind (--store). JPEGs and PNGs are decoded exactly as skimage/PIL do
    /// (libjpeg-turbo); grey images are stacked to three channels, CMYK converted as PIL
    /// does, 16-bit PNGs reduced to 8 bits; PNGs with alpha are refused. The weights are a PyTorch state dict (.pth, zip or legacy
    /// format), e.g. torchvision's resnet101-63fe2227.pth (`cocoprep get
    /// resnet101-imagenet`) or ruotianluo's converted Caffe weights. Runs on the CPU with
    /// all cores (--jobs); images are decoded and outputs compressed while the network
    /// runs. Finished images are skipped, so an interrupted run can simply be restarted;
    /// images that cannot be read are listed and give exit status 1.
    #[command(after_help = "Examples:
  cocoprep features resnet data/dataset_coco.json --images-root data/images --output-dir data/cocotalk --weights data/imagenet_weights/resnet101.pth
  cocoprep features resnet data/dataset_coco.json --images-root data/images --output-dir data/cocotalk --dry-run
  cocoprep features resnet data/dataset_coco.json --images-root data/images --output-dir data/cocotalk --store lmdb
  cocoprep features resnet data/dataset_coco.json --images-root /data/images --output-dir /data/cocotalk --emit slurm --shards 16 > resnet.sbatch")]
    Resnet(ResnetArgs),
}

#[derive(Debug, Args)]
pub struct ResnetArgs {
    /// The Karpathy dataset (`dataset_coco.json`): `images[].filepath/filename/cocoid`.
    #[arg(value_name = "DATASET.json", required_unless_present = "input_json")]
    pub dataset: Option<PathBuf>,

    /// prepro_feats.py's input flag.
    #[arg(long, alias = "input_json", hide = true, value_name = "PATH")]
    pub input_json: Option<PathBuf>,

    /// The folder that `filepath/filename` of each image are relative to [default: the
    /// current folder].
    #[arg(long, alias = "images_root", value_name = "DIR")]
    pub images_root: Option<PathBuf>,

    /// Output prefix: writes PREFIX_fc/ and PREFIX_att/.
    #[arg(
        long,
        alias = "output_dir",
        value_name = "PREFIX",
        default_value = "data"
    )]
    pub output_dir: PathBuf,

    /// The att grid is A×A.
    #[arg(long, alias = "att_size", value_name = "A", default_value_t = 14, value_parser = clap::value_parser!(u16).range(2..=64))]
    pub att_size: u16,

    /// The weights (.pth state dict) [default: MODEL_ROOT/MODEL.pth].
    #[arg(long, value_name = "PATH")]
    pub weights: Option<PathBuf>,

    /// The network's name, for the default weights file; the block counts are read from
    /// the weights.
    #[arg(long, value_enum, default_value_t = ModelArg::Resnet101)]
    pub model: ModelArg,

    /// Where MODEL.pth is looked for when --weights is not given.
    #[arg(
        long,
        alias = "model_root",
        value_name = "DIR",
        default_value = "data/imagenet_weights"
    )]
    pub model_root: PathBuf,

    /// Per-image files (as prepro_feats.py), one LMDB per kind (as dump_to_lmdb.py:
    /// PREFIX_fc.lmdb, PREFIX_att.lmdb; keys are the image ids, values the file bytes), or one
    /// HDF5 file per kind (as dump_to_h5df.py: PREFIX_fc.h5, PREFIX_att.h5; one float32
    /// dataset per image id). The databases appear under their names when the run completes.
    #[arg(long, value_enum, default_value_t = StoreArg::Files)]
    pub store: StoreArg,

    /// The network variant: self-critical's (what prepro_feats.py runs: Caffe-style strides,
    /// ceil-mode max pool) or torchvision's.
    #[arg(long, value_enum, default_value_t = ArchArg::SelfCritical)]
    pub arch: ArchArg,

    /// Deflate level of the .npz files, 1 (fastest) to 12 (smallest).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub compression_level: u8,

    /// Recompute images whose outputs exist.
    #[arg(long)]
    pub overwrite: bool,

    /// Count the images left to do and estimate the disk space, then exit.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    Resnet101,
    Resnet152,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ArchArg {
    /// self-critical.pytorch's captioning/utils/resnet.py.
    SelfCritical,
    /// torchvision.models.resnet.
    Torchvision,
}

#[derive(Debug, Args)]
pub struct ButdArgs {
    /// TSV files, folders of them, or the downloaded zip (`trainval.zip`, read in place).
    #[arg(
        value_name = "TSV|DIR|ZIP",
        required_unless_present = "downloaded_feats"
    )]
    pub inputs: Vec<PathBuf>,

    /// make_bu_data.py's input flag: a folder holding `trainval/` (or the TSVs).
    #[arg(long, alias = "downloaded_feats", hide = true, value_name = "DIR")]
    pub downloaded_feats: Option<PathBuf>,

    /// Output prefix: writes PREFIX_att, PREFIX_fc, PREFIX_box (and PREFIX_report.json).
    #[arg(
        long,
        alias = "output_dir",
        value_name = "PREFIX",
        default_value = "data/cocobu"
    )]
    pub output_dir: PathBuf,

    /// Per-image files (as make_bu_data.py), one LMDB per kind (as dump_to_lmdb.py:
    /// PREFIX_att.lmdb, ...; keys are the image ids, values the file bytes), or one HDF5 file
    /// per kind (as dump_to_h5df.py: PREFIX_att.h5, ...; one float32 dataset per image id).
    /// The databases appear under their names when the run completes.
    #[arg(long, value_enum, default_value_t = StoreArg::Files)]
    pub store: StoreArg,

    /// Deflate level of the .npz files, 1 (fastest) to 12 (smallest). On region features
    /// level 1 makes files 1.2% larger than NumPy's (zlib level 6) and the whole conversion
    /// 1.5× faster than level 6 (BENCHMARKS.md, "features butd").
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub compression_level: u8,

    /// Convert every row, even where complete outputs exist.
    #[arg(long)]
    pub overwrite: bool,

    /// Where to write the report of skipped rows [default: PREFIX_report.json].
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct VsuaGeometryArgs {
    /// The box-info pickle (`vsua_box_info.pkl`).
    #[arg(value_name = "BOX_INFO.pkl", required_unless_present = "input_file")]
    pub box_info: Option<PathBuf>,

    /// The reference's input flag.
    #[arg(long, alias = "input_file", hide = true, value_name = "PATH")]
    pub input_file: Option<PathBuf>,

    /// Output prefix: writes PREFIX-undirected.pkl (or PREFIX-directed.pkl).
    #[arg(
        long,
        alias = "save_path",
        value_name = "PREFIX",
        default_value = "data/geometry_feats"
    )]
    pub save_path: PathBuf,

    /// Features for every ordered pair, larger box first (VSUA's `Directed = True`).
    #[arg(long)]
    pub directed: bool,

    /// The reference's feature count; only 8 exists.
    #[arg(long, alias = "num_feats", hide = true, default_value_t = 8, value_parser = clap::value_parser!(u8).range(8..=8))]
    pub num_feats: u8,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["geometry_path", "box_info"]))]
pub struct VsuaGraphArgs {
    /// The geometry pickle's prefix (reads PREFIX-undirected.pkl), or the .pkl itself.
    #[arg(long, alias = "geometry_path", value_name = "PREFIX")]
    pub geometry_path: Option<PathBuf>,

    /// Build the graphs straight from the box-info pickle, without the geometry pickle.
    #[arg(long, value_name = "BOX_INFO.pkl")]
    pub box_info: Option<PathBuf>,

    /// Output prefix: writes PREFIX-iou<IOU>-dist<DIST>-undirected/.
    #[arg(
        long,
        alias = "save_path",
        value_name = "PREFIX",
        default_value = "data/geometry"
    )]
    pub save_path: PathBuf,

    /// Minimum IoU for an edge.
    #[arg(long, default_value_t = 0.2)]
    pub iou: f64,

    /// Maximum centre distance (over the image diagonal) for an edge.
    #[arg(long, default_value_t = 0.5)]
    pub dist: f64,

    /// Every ordered pair (reads the -directed geometry pickle).
    #[arg(long)]
    pub directed: bool,

    /// Rewrite graphs that already exist.
    #[arg(long)]
    pub overwrite: bool,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    Files,
    Lmdb,
    Hdf5,
}
