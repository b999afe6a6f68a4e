//! Entries of `categories`.

use super::Extras;
use crate::ids::CategoryId;

/// One entry of `categories`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Category {
    /// `id`, referred to by `annotations[].category_id`.
    pub id: CategoryId,
    /// `name` (`person`, `traffic light`, ...).
    pub name: String,
    /// `supercategory` (`vehicle`, ...).
    pub supercategory: Option<String>,
    /// `keypoints`: the names of the keypoints of this category (person keypoints files).
    pub keypoints: Option<Vec<String>>,
    /// `skeleton`: pairs of **1-based** indices into `keypoints`.
    pub skeleton: Option<Vec<[u32; 2]>>,
    /// `isthing` (panoptic categories): 1 for things, 0 for stuff.
    pub isthing: Option<bool>,
    /// `color` (panoptic categories): the RGB colour used in visualisations.
    pub color: Option<[u8; 3]>,
    /// Any other members (`frequency`, `synset`, ...), kept verbatim.
    pub extras: Extras,
}
