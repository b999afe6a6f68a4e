//! Why a mask operation failed.

/// A mask could not be built, decoded or combined. Messages name the sizes and counts
/// involved; callers add which annotation or file the mask came from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MaskError {
    /// The run lengths do not cover the mask exactly.
    ///
    /// pycocotools raises `ValueError("Invalid RLE mask representation")` when the runs sum
    /// to more than `height × width`, and when they sum to less it leaves the rest of the
    /// decoded mask as uninitialised memory (undefined behaviour): both are this error here.
    #[error(
        "RLE run lengths sum to {total} but a {height}×{width} mask has {pixels} pixels{hint}",
        pixels = *height as u64 * *width as u64,
        hint = if *total < *height as u64 * *width as u64 {
            " (pycocotools would decode the missing pixels as uninitialised memory)"
        } else {
            ""
        }
    )]
    CountsDoNotCoverMask {
        /// Mask height.
        height: u32,
        /// Mask width.
        width: u32,
        /// The sum of the run lengths.
        total: u64,
    },
    /// A compressed counts string is malformed.
    #[error("invalid compressed RLE counts: {0}")]
    InvalidCompressedCounts(String),
    /// `height × width` does not fit pycocotools' 32-bit run lengths.
    #[error(
        "a {height}×{width} mask has more than 2³²−1 pixels, which RLE run lengths cannot count"
    )]
    TooLarge {
        /// Mask height.
        height: u32,
        /// Mask width.
        width: u32,
    },
    /// A mask buffer has the wrong number of pixels.
    #[error("mask buffer has {found} pixels, expected {expected} ({height}×{width})")]
    BufferLength {
        /// Mask height.
        height: u32,
        /// Mask width.
        width: u32,
        /// `height × width`.
        expected: usize,
        /// The buffer's length.
        found: usize,
    },
    /// Masks to combine have different sizes (pycocotools silently returns an empty
    /// `[0, 0]` mask for a merge, and -1 for an IoU).
    #[error("masks have different sizes: {}×{} and {}×{}", first.0, first.1, other.0, other.1)]
    SizeMismatch {
        /// `(height, width)` of the first mask.
        first: (u32, u32),
        /// `(height, width)` of the mask that differs.
        other: (u32, u32),
    },
    /// `merge` was given no masks (pycocotools returns a mask of size `[0, 0]`).
    #[error("no masks to merge")]
    NothingToMerge,
    /// An annotation has no `segmentation`.
    #[error("annotation has no `segmentation`")]
    MissingSegmentation,
    /// A polygon or uncompressed RLE needs the image size, which the image lacks.
    #[error("image {image_id} has no `width`/`height`, needed to rasterise the segmentation")]
    MissingImageSize {
        /// The image.
        image_id: u64,
    },
    /// The annotation's `image_id` is not in `images`, so a polygon has no image size.
    #[error(
        "image {image_id} is not in `images`, so its size (needed to rasterise the polygons) is unknown"
    )]
    UnknownImage {
        /// The missing image.
        image_id: u64,
    },
    /// A polygon segmentation has no parts (`"segmentation": []`; pycocotools raises
    /// `IndexError`).
    #[error("polygon segmentation has no parts")]
    NoPolygons,
    /// A polygon coordinate is NaN or infinite.
    #[error("polygon coordinate {0} is not a finite number")]
    NonFiniteCoordinate(f64),
}
