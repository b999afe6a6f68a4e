//! Entries of `images`.

use super::Extras;
use crate::ids::{ImageId, LicenseId};

/// One entry of `images`.
///
/// `width`/`height` are optional in the model because some files lack them (results files
/// carry no images, LVIS omits `file_name`); `cocoprep validate` reports what a consumer
/// will miss.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Image {
    /// `id`, referred to by `annotations[].image_id`.
    pub id: ImageId,
    /// `width` in pixels.
    pub width: Option<u32>,
    /// `height` in pixels.
    pub height: Option<u32>,
    /// `file_name`, relative to the split's image folder (`000000391895.jpg`).
    pub file_name: Option<String>,
    /// `license`, an id from `licenses`.
    pub license: Option<LicenseId>,
    /// `coco_url`, where the official image can be downloaded.
    pub coco_url: Option<String>,
    /// `flickr_url`, the original Flickr location.
    pub flickr_url: Option<String>,
    /// `date_captured`.
    pub date_captured: Option<String>,
    /// Any other members, kept verbatim.
    pub extras: Extras,
}

impl Image {
    /// `(width, height)` if both are present.
    pub fn size(&self) -> Option<(u32, u32)> {
        Some((self.width?, self.height?))
    }
}
