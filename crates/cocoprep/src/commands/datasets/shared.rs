//! Settings shared by the dataset preparers.

use std::path::PathBuf;

use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::image_check::{ImageCheckLevel, ImageCounts};

use crate::cli::{CheckArgs, LinkArg, PlaceArgs, RootArg, WebImageArgs};

/// Where the tree is and how the summary is printed.
#[derive(Clone, Debug)]
pub struct TreeSettings {
    pub root: PathBuf,
    pub json: bool,
}

impl TreeSettings {
    pub fn resolve(root: RootArg) -> Self {
        let RootArg { root, json } = root;
        Self { root, json }
    }
}

pub fn link_mode(args: PlaceArgs) -> LinkMode {
    let PlaceArgs { link } = args;
    match link {
        LinkArg::Hard => LinkMode::Hard,
        LinkArg::Sym => LinkMode::Symbolic,
        LinkArg::Copy => LinkMode::Copy,
        LinkArg::None => LinkMode::None,
    }
}

pub fn check_level(args: CheckArgs) -> ImageCheckLevel {
    let CheckArgs { decode } = args;
    if decode {
        ImageCheckLevel::Decode
    } else {
        ImageCheckLevel::Header
    }
}

/// How web images (SBU, CC3M, CC12M) are checked and placed.
pub fn web_images(args: WebImageArgs) -> (ImageCheckLevel, LinkMode) {
    let WebImageArgs { check, place } = args;
    (check_level(check), link_mode(place))
}

/// `31 of 40 rows written; left out: 6 without an image, 1 unreadable, 2 out of bounds`.
pub fn image_line(what: &str, total: u64, written: u64, images: &ImageCounts) -> String {
    let ImageCounts {
        usable: _,
        missing,
        unreadable,
        out_of_bounds,
    } = *images;
    format!(
        "{written} of {total} {what} written; left out: {missing} without an image, \
         {unreadable} not a readable image, {out_of_bounds} with a side outside 10..=10000 px"
    )
}
