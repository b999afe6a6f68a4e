//! `show`, `view`: looking at a dataset.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// A kind of overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayerArg {
    Boxes,
    Labels,
    Masks,
    Keypoints,
    Captions,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A COCO annotation file, a YOLO dataset's `data.yaml`, or a Karpathy captions file
    /// (`dataset_coco.json`).
    pub dataset: PathBuf,

    /// The images to draw: image ids or `file_name`s (repeat, or list several).
    #[arg(long = "image", value_name = "ID|FILE_NAME", num_args = 1.., required = true)]
    pub image: Vec<String>,

    /// The folder `file_name` is relative to [default: found next to the annotation file:
    /// its folder, its parent, or the parent's `<split>` folder].
    #[arg(long = "images", value_name = "DIR")]
    pub images_dir: Option<PathBuf>,

    /// Where to write: a `.png` (or `.jpg`) file for one image, else a folder that gets
    /// one `<file stem>.png` per image.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,

    /// Scale each picture down so that its longer side is at most this many pixels.
    #[arg(long, value_name = "PX")]
    pub max_side: Option<u32>,

    /// For a YOLO `data.yaml`: the split to read (train, val, test) [default: val].
    #[arg(long, value_name = "SPLIT")]
    pub split: Option<String>,

    /// Overlays to leave out (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    pub hide: Vec<LayerArg>,

    /// Print the written files as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// A COCO annotation file, a YOLO dataset's `data.yaml`, or a Karpathy captions file
    /// (`dataset_coco.json`).
    pub dataset: PathBuf,

    /// The folder `file_name` is relative to [default: found next to the annotation file].
    #[arg(long = "images", value_name = "DIR")]
    pub images_dir: Option<PathBuf>,

    /// For a YOLO `data.yaml`: the split to read (train, val, test) [default: val].
    #[arg(long, value_name = "SPLIT")]
    pub split: Option<String>,

    /// The address to listen on. Anything but 127.0.0.1 / localhost / ::1 lets other
    /// machines see the dataset.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    pub host: String,

    /// The port (0 = any free port).
    #[arg(long, default_value_t = 8765, value_name = "PORT")]
    pub port: u16,
}
