//! pycocotools-exact mask algebra on run-length encoded masks, and the label maps and
//! panoptic conversions built on it.
//!
//! * [`RunLengthMask`]: a binary mask as pycocotools' column-major run lengths (`RLE`),
//!   with `encode` / `decode` / `area` / `toBbox` and the compressed string codec.
//! * [`merge`], [`iou`], [`bbox_iou`]: `rleMerge`, `rleIou`, `bbIou`.
//! * [`from_polygon`], [`from_polygons`], [`from_bbox`]: `rleFrPoly` (the 5× upsampled
//!   rasteriser), `annToRLE`'s merge of polygon parts, `rleFrBbox`.
//! * [`annotation_to_mask`], [`convert_segmentations_to_rle`]: `annToRLE` / `annToMask`,
//!   for one annotation or a whole file in parallel.
//! * [`LabelMap`], [`write_semantic_pngs`]: cocostuffapi's `cocoSegmentationToPng`.
//! * [`convert_panoptic`]: panopticapi's panoptic → semantic and → detection converters.
//!
//! Every result is bit-identical to PyPI pycocotools 2.0.11 (checked by the parity test
//! against it) except where pycocotools has undefined behaviour or crashes, which become
//! [`MaskError`]s: run lengths that do not sum to `height × width`, merging masks of
//! different sizes, non-finite coordinates, a polygon list whose first part is short.
//!
//! The binary-mask encoder is hotcoco's (MIT). The rest is ours, written from maskApi.c:
//! merge and IoU because hotcoco's differ from maskApi.c on zero-length runs and on masks
//! of different sizes, the polygon rasteriser because hotcoco's point-by-point port took
//! two thirds of the time of converting a train2017-sized file (ours computes only the
//! points that can form a boundary, and is tested against hotcoco's on 200,000 polygons).
//!
//! ```
//! use cocoprep_coco::mask::{MergeOperation, from_polygon, iou, merge};
//!
//! let a = from_polygon(&[0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0], 4, 4)?;
//! let b = from_polygon(&[1.0, 1.0, 3.0, 1.0, 3.0, 3.0, 1.0, 3.0], 4, 4)?;
//! assert_eq!(a.area(), 4);
//! assert_eq!(a.to_compressed(), "02208"); // pycocotools: frPyObjects(...)[0]["counts"]
//! assert_eq!(merge(&[a.clone(), b.clone()], MergeOperation::Union)?.area(), 7);
//! assert_eq!(iou(&[a], &[b], &[false]), [1.0 / 7.0]);
//! # Ok::<(), cocoprep_coco::mask::MaskError>(())
//! ```

mod algebra;
mod annotation;
mod error;
mod label_map;
mod panoptic;
mod polygon;
mod rasterise;
mod runs;
mod semantic;

pub use algebra::{MergeOperation, bbox_iou, iou, merge};
pub use annotation::{
    AnnotationFailure, RleConversionOptions, RleConversionSummary, annotation_to_mask,
    annotation_to_row_major_mask, convert_annotations_to_rle, convert_segmentations_to_rle,
    segmentation_to_mask,
};
pub use error::MaskError;
pub use label_map::{
    LabelMap, OverlapError, OverlapPolicy, PaintError, PngColors, cocostuff_palette,
};
pub use panoptic::{
    PanopticError, PanopticImage, PanopticOptions, PanopticOutputs, convert_panoptic,
    panoptic_images, read_segment_ids, segment_png_path,
};
pub use polygon::{from_bbox, from_packed_polygons, from_polygon, from_polygons};
pub use runs::RunLengthMask;
pub use semantic::{
    ImageFailure, OTHER_LABEL, SemanticOptions, SemanticSummary, ThingsPolicy, is_thing,
    render_image, write_semantic_pngs,
};
