//! Arguments of the COCO core commands: `inspect`, `validate`, `demo`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The annotation file (instances, person_keypoints, captions, stuff, panoptic or results).
    pub file: PathBuf,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
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

    /// Print the findings and summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the sample and every output.
    #[arg(short, long, value_name = "DIR", default_value = "cocoprep-demo")]
    pub output: PathBuf,
}
