//! Arguments of the COCO core commands: `inspect`, `validate`, `demo`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The annotation file (instances, person_keypoints, captions, stuff, panoptic or results).
    pub file: PathBuf,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Also write a self-contained HTML report here: the counts, per-category bars, area,
    /// aspect-ratio and boxes-per-image histograms, keypoint visibility, caption lengths and
    /// thumbnails per category with annotations drawn. It opens from disk, no server needed.
    #[arg(long, value_name = "REPORT.html")]
    pub html: Option<PathBuf>,

    /// With --html: the folder `file_name` is relative to, for the thumbnails [default:
    /// found next to the annotation file].
    #[arg(long, value_name = "DIR", requires = "html")]
    pub images: Option<PathBuf>,

    /// With --html: thumbnails per category (0 = none).
    #[arg(long, value_name = "N", default_value_t = 6, requires = "html")]
    pub thumbnails: usize,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The annotation file to check.
    pub file: PathBuf,

    /// Also check the image files named by `file_name` in this folder: present, a JPEG or
    /// PNG whose size matches `width`/`height`, and decodable.
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    /// With --images, only read image headers instead of decoding every image.
    #[arg(long, requires = "images")]
    pub no_decode: bool,

    /// Show at most this many findings (all are counted in the summary; 0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_issues: usize,

    /// Judge the file as this COCO dialect instead of recognising it. Each dialect is held
    /// to what its own tools need: LVIS has no `iscrowd`, CrowdPose no `area`, Objects365 no
    /// `segmentation`, and none of that is an error for them.
    #[arg(long, value_enum, default_value_t = DialectArg::Auto)]
    pub dialect: DialectArg,

    /// Print the findings and summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `validate --dialect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// Recognise the dialect from the records (LVIS's `neg_category_ids`, CrowdPose's
    /// `crowdIndex`, Objects365's `isfake`, a top-level list for results).
    Auto,
    /// COCO (instances, keypoints, captions, stuff, panoptic).
    Coco,
    /// LVIS v0.5 / v1.
    Lvis,
    /// CrowdPose.
    Crowdpose,
    /// Objects365 v1 / v2.
    Objects365,
    /// A detection or caption results list.
    Results,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the sample and every output.
    #[arg(short, long, value_name = "DIR", default_value = "cocoprep-demo")]
    pub output: PathBuf,
}
