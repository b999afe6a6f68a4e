//! What hotcoco and faster-coco-eval users look at besides the 12 numbers: TIDE's error
//! breakdown, a cross-category confusion matrix and evaluation sliced by image groups.

mod confusion;
mod slices;
mod tide;

pub use confusion::{ConfusionMatrix, ConfusionOptions, confusion_matrix};
pub use slices::{ImageGroups, SliceSource, image_groups};
pub use tide::{TideError, TideErrorKind, TideOptions, TideReport, tide};
