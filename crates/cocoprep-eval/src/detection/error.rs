//! What can stop an evaluation.

use cocoprep_coco::mask::MaskError;

/// Why ground truth or results cannot be evaluated. Results are checked before any work,
/// so that a bad file fails with the index of the bad record instead of a traceback.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A result names an image the ground truth does not have (pycocotools: "Results do
    /// not correspond to current coco set").
    #[error("results[{index}]: image_id {image_id} is not an image of the ground truth")]
    UnknownImage {
        /// Position in the results list.
        index: usize,
        /// The unknown id.
        image_id: u64,
    },
    /// A result names a category the ground truth does not have (pycocotools drops it
    /// silently).
    #[error("results[{index}]: category_id {category_id} is not a category of the ground truth")]
    UnknownCategory {
        /// Position in the results list.
        index: usize,
        /// The unknown id.
        category_id: u32,
    },
    /// A result lacks a member the evaluation needs.
    #[error("results[{index}]: `{member}` is missing ({why})")]
    MissingResultMember {
        /// Position in the results list.
        index: usize,
        /// The missing member.
        member: &'static str,
        /// What needs it.
        why: &'static str,
    },
    /// A result's score is not a finite number.
    #[error("results[{index}]: score {score} is not a finite number")]
    BadScore {
        /// Position in the results list.
        index: usize,
        /// The score.
        score: f64,
    },
    /// A keypoint result or ground truth has the wrong number of values.
    #[error(
        "{record}: `keypoints` has {found} values, expected {expected} (3 per keypoint: x, y, v)"
    )]
    KeypointCount {
        /// `results[i]` or `annotations[i]`.
        record: String,
        /// Values found.
        found: usize,
        /// `3 × number of sigmas`.
        expected: usize,
    },
    /// The first result decides the kind of results file (pycocotools' `loadRes`); it has
    /// none of `bbox`, `segmentation`, `keypoints`.
    #[error("results[0] has none of `bbox`, `segmentation` or `keypoints`{hint}")]
    UnknownResultKind {
        /// Extra explanation (caption results).
        hint: &'static str,
    },
    /// A ground-truth annotation lacks a member the evaluation needs.
    #[error("annotations[{index}] (id {id}): `{member}` is missing ({why})")]
    MissingGroundTruthMember {
        /// Position in `annotations`.
        index: usize,
        /// The annotation's id.
        id: u64,
        /// The missing member.
        member: &'static str,
        /// What needs it.
        why: &'static str,
    },
    /// A ground-truth annotation has no `id`.
    #[error("annotations[{index}]: `id` is missing")]
    MissingGroundTruthId {
        /// Position in `annotations`.
        index: usize,
    },
    /// A segmentation could not be turned into a mask.
    #[error("{record}: bad segmentation")]
    Mask {
        /// `results[i]` or `annotations[i] (id N)`.
        record: String,
        /// What is wrong with it.
        #[source]
        source: MaskError,
    },
    /// LVIS ground truth lacks one of LVIS' members, or it is not what LVIS writes.
    #[error("{record}: `{member}` is missing or malformed ({why})")]
    LvisMember {
        /// `image N` or `category N`.
        record: String,
        /// `neg_category_ids`, `not_exhaustive_category_ids` or `frequency`.
        member: &'static str,
        /// What is expected.
        why: &'static str,
    },
    /// A file could not be read (it names the file and where it is wrong).
    #[error(transparent)]
    Read(#[from] cocoprep_coco::ReadError),
    /// The parameters make no sense (no area range, no max detections, a bad range).
    #[error("invalid parameters: {0}")]
    Params(String),
}
