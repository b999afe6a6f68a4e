//! How much each detection overlaps each ground-truth object of one image: pycocotools'
//! `computeIoU` (boxes, masks) and `computeOks` (keypoints).

use cocoprep_coco::BBoxXywh;
use cocoprep_coco::mask::{RunLengthMask, bbox_iou, from_bbox, iou, segmentation_to_mask};

use super::error::EvalError;
use super::numpy_sum::numpy_sum;
use super::params::{IouType, Params};
use super::records::{Detection, GroundTruth, ImageEntry};

/// The `dts.len() × gts.len()` similarity matrix, row-major (`result[d * G + g]`), for
/// detections already in score order. Empty when either side is.
pub(crate) fn similarity(
    params: &Params,
    image: &ImageEntry,
    dts: &[&Detection<'_>],
    gts: &[&GroundTruth<'_>],
) -> Result<Vec<f64>, EvalError> {
    if dts.is_empty() || gts.is_empty() {
        return Ok(Vec::new());
    }
    let crowd: Vec<bool> = gts.iter().map(|gt| gt.crowd).collect();
    match params.iou_type {
        IouType::Bbox => {
            let dt_boxes: Vec<BBoxXywh> = dts.iter().map(|dt| dt.bbox).collect();
            let gt_boxes: Vec<BBoxXywh> = gts.iter().map(|gt| gt.bbox).collect();
            Ok(bbox_iou(&dt_boxes, &gt_boxes, &crowd))
        }
        IouType::Segm => {
            let dt_masks = dts
                .iter()
                .map(|dt| detection_mask(dt, image))
                .collect::<Result<Vec<_>, _>>()?;
            let gt_masks = gts
                .iter()
                .map(|gt| {
                    let segmentation = gt.shape.segmentation().expect("checked");
                    segmentation_to_mask(segmentation, image.size, gt.image_id).map_err(|source| {
                        EvalError::Mask {
                            record: format!("annotations[{}] (id {})", gt.index, gt.id),
                            source,
                        }
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(iou(&dt_masks, &gt_masks, &crowd))
        }
        IouType::Keypoints => Ok(object_keypoint_similarity(params, dts, gts)),
    }
}

/// `annToRLE` of a detection: its segmentation, or for box results without one the box
/// as a polygon (what `loadRes` adds).
fn detection_mask(dt: &Detection<'_>, image: &ImageEntry) -> Result<RunLengthMask, EvalError> {
    let error = |source| EvalError::Mask {
        record: format!("results[{}]", dt.index),
        source,
    };
    let size = image.size;
    match dt.shape.segmentation() {
        Some(segmentation) => segmentation_to_mask(segmentation, size, image.id).map_err(error),
        None => {
            let (height, width) = size.ok_or(EvalError::Mask {
                record: format!("results[{}]", dt.index),
                source: cocoprep_coco::mask::MaskError::MissingImageSize {
                    image_id: image.id.0,
                },
            })?;
            from_bbox(dt.bbox, height, width).map_err(error)
        }
    }
}

/// `computeOks`: for each pair, the mean over the ground truth's labelled keypoints of
/// `exp(-d² / (2 s² κ²))` with `s² = area` and `κ = 2σ`; for a ground truth with no
/// labelled keypoint, the distance of each detected keypoint to the ground truth's box
/// doubled on each side. Same operations in the same order as pycocotools.
fn object_keypoint_similarity(
    params: &Params,
    dts: &[&Detection<'_>],
    gts: &[&GroundTruth<'_>],
) -> Vec<f64> {
    let variances: Vec<f64> = params
        .keypoint_sigmas
        .iter()
        .map(|sigma| (sigma * 2.0) * (sigma * 2.0))
        .collect();
    let count = variances.len();
    let detections: Vec<Vec<f64>> = dts
        .iter()
        .map(|dt| dt.shape.keypoints().expect("checked").values())
        .collect();
    let mut result = vec![0.0; dts.len() * gts.len()];
    let mut terms = Vec::with_capacity(count);
    for (g, gt) in gts.iter().enumerate() {
        let truth = gt.shape.keypoints().expect("checked").values();
        let visible: Vec<bool> = (0..count).map(|k| truth[3 * k + 2] > 0.0).collect();
        let any_visible = visible.iter().any(|&v| v);
        let bbox = gt.bbox;
        let (x0, x1) = (bbox.x - bbox.width, bbox.x + bbox.width * 2.0);
        let (y0, y1) = (bbox.y - bbox.height, bbox.y + bbox.height * 2.0);
        let scale = gt.area + f64::EPSILON; // np.spacing(1)
        for (d, detection) in detections.iter().enumerate() {
            terms.clear();
            for k in 0..count {
                let (xd, yd) = (detection[3 * k], detection[3 * k + 1]);
                let (dx, dy) = if any_visible {
                    (xd - truth[3 * k], yd - truth[3 * k + 1])
                } else {
                    (
                        0f64.max(x0 - xd) + 0f64.max(xd - x1),
                        0f64.max(y0 - yd) + 0f64.max(yd - y1),
                    )
                };
                if any_visible && !visible[k] {
                    continue;
                }
                let e = (dx * dx + dy * dy) / variances[k] / scale / 2.0;
                terms.push((-e).exp());
            }
            result[d * gts.len() + g] = numpy_sum(&terms) / terms.len() as f64;
        }
    }
    result
}
