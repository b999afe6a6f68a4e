//! Conceptual 12M: `c12m/train_available.json` (folder `c12m`, not `cc12m`; the script
//! writes `train.json`) from `cc12m.tsv` (`url \t caption`, no header) and the images the
//! downloader saved as `train_image/{row:08d}.jpg`. Format: [`crate::web_captions`].
//!
//! Uni-Perceiver's `make_cc12m_train_json.py` is a copy of the CC3M script and takes
//! column 0 as the caption, i.e. it writes the URL split on spaces as the caption. cocoprep
//! reads `cc12m.tsv` the right way round and refuses a file whose columns look swapped.

use std::path::Path;

use cocoprep_base::progress::Reporter;
use cocoprep_convert::layout::LinkMode;

use crate::error::Error;
use crate::image_check::ImageCheckLevel;
use crate::placement::Placement;
use crate::web_captions::{ColumnOrder, WebCaptionsJob, WebCaptionsSummary, write_web_captions};

/// The dataset's folder under `open_source_dataset/`.
pub const DIR: &str = "c12m";
/// The annotation file the configs read.
pub const ANNOTATION_FILE: &str = "train_available.json";
/// The image folder inside [`DIR`].
pub const IMAGE_FOLDER: &str = "train_image";
/// The official list.
pub const TSV: &str = "cc12m.tsv";

/// Writes `<root>/open_source_dataset/c12m/train_available.json` from `tsv` and the images
/// in `images` (default: the tree's own `c12m/train_image/`), linking usable images into
/// the tree when they are elsewhere.
pub fn prepare_cc12m(
    root: &Path,
    tsv: &Path,
    images: Option<&Path>,
    link: LinkMode,
    check: ImageCheckLevel,
    reporter: &dyn Reporter,
) -> Result<WebCaptionsSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let tree_images = folder.join(IMAGE_FOLDER);
    let images = crate::placement::image_folder(images, &tree_images)?;
    let job = WebCaptionsJob {
        tsv,
        order: ColumnOrder::UrlCaption,
        images,
        check,
        image_folder_name: IMAGE_FOLDER,
        placement: Placement::new(images, &tree_images, link),
        output: &folder.join(ANNOTATION_FILE),
    };
    write_web_captions(&job, reporter)
}
