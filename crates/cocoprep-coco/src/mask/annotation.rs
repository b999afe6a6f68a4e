//! Annotations to masks (`COCO.annToRLE`, `COCO.annToMask`), one or a whole file at a time.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::polygon::from_packed_polygons;
use super::{MaskError, RunLengthMask};
use crate::ids::{AnnotationId, ImageId};
use crate::model::{Annotation, Dataset, Image};
use crate::segmentation::{RleCounts, Segmentation};
use cocoprep_base::progress::{ProgressUnit, Reporter};

/// The mask of a segmentation, as pycocotools' `annToRLE` builds it: polygon parts are
/// rasterised at the image size and merged; an uncompressed RLE is taken at its own
/// `size`; a compressed RLE is taken as it is (checked, not re-encoded).
///
/// `image_size` is `(height, width)`; it is needed only for polygons.
pub fn segmentation_to_mask(
    segmentation: &Segmentation,
    image_size: Option<(u32, u32)>,
    image_id: ImageId,
) -> Result<RunLengthMask, MaskError> {
    match segmentation {
        Segmentation::Polygons(polygons) => {
            let (height, width) = image_size.ok_or(MaskError::MissingImageSize {
                image_id: image_id.0,
            })?;
            from_packed_polygons(polygons, height, width)
        }
        Segmentation::Rle(rle) => RunLengthMask::from_rle(rle),
    }
}

/// `annToRLE`: the mask of `annotation`, which lies on `image`.
pub fn annotation_to_mask(
    annotation: &Annotation,
    image: &Image,
) -> Result<RunLengthMask, MaskError> {
    let segmentation = annotation
        .segmentation
        .as_ref()
        .ok_or(MaskError::MissingSegmentation)?;
    let size = image.height.zip(image.width);
    segmentation_to_mask(segmentation, size, annotation.image_id)
}

/// `annToMask`: the decoded mask of `annotation`, row-major (`mask[y * width + x]`, 0/1).
pub fn annotation_to_row_major_mask(
    annotation: &Annotation,
    image: &Image,
) -> Result<Vec<u8>, MaskError> {
    Ok(annotation_to_mask(annotation, image)?.decode_row_major())
}

/// What [`convert_segmentations_to_rle`] does besides re-encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RleConversionOptions {
    /// Replace `area` with the mask's pixel count (`mask.area`).
    pub recompute_area: bool,
    /// Replace `bbox` with the mask's tight box (`mask.toBbox`).
    pub recompute_bbox: bool,
    /// Worker threads, as `-j` gave them (0 = the rayon pool's size). Informational: the
    /// work runs on the rayon pool the call is made in (see [`cocoprep_base::threads`]);
    /// to use fewer threads, call from inside your own `rayon::ThreadPool::install`.
    pub jobs: usize,
}

/// An annotation whose segmentation could not be converted; it is left unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationFailure {
    /// Position in `annotations`.
    pub index: usize,
    /// The annotation's `id`, if it has one.
    pub id: Option<AnnotationId>,
    /// The annotation's image.
    pub image_id: ImageId,
    /// What went wrong.
    pub error: MaskError,
}

impl std::fmt::Display for AnnotationFailure {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "annotations[{}]", self.index)?;
        if let Some(id) = self.id {
            write!(formatter, " (id {id})")?;
        }
        write!(formatter, " on image {}: {}", self.image_id, self.error)
    }
}

/// What [`convert_segmentations_to_rle`] did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RleConversionSummary {
    /// Segmentations that were polygons.
    pub from_polygons: usize,
    /// Segmentations that were uncompressed RLE.
    pub from_uncompressed: usize,
    /// Segmentations that already were compressed RLE (kept as they are, after a check).
    pub already_compressed: usize,
    /// Annotations without a segmentation (left alone).
    pub without_segmentation: usize,
    /// Annotations that could not be converted (left unchanged).
    pub failures: Vec<AnnotationFailure>,
}

/// Rewrites every segmentation of `dataset` as compressed RLE, in parallel: what looping
/// `annToRLE` over a file does, plus optionally `area` and `bbox` from the mask.
/// Annotations that fail (unknown image, missing image size, malformed RLE, no polygon
/// parts) are left unchanged and listed in the summary.
pub fn convert_segmentations_to_rle(
    dataset: &mut Dataset,
    options: &RleConversionOptions,
    reporter: &dyn Reporter,
) -> RleConversionSummary {
    convert_annotations_to_rle(&mut dataset.annotations, &dataset.images, options, reporter)
}

/// [`convert_segmentations_to_rle`] for annotations whose images are described elsewhere:
/// a results file (a bare list of annotations) with the images of its ground-truth file,
/// as pycocotools' `loadRes` pairs them.
pub fn convert_annotations_to_rle(
    annotations: &mut [Annotation],
    images: &[Image],
    options: &RleConversionOptions,
    reporter: &dyn Reporter,
) -> RleConversionSummary {
    let sizes: FxHashMap<ImageId, Option<(u32, u32)>> = images
        .iter()
        .map(|image| (image.id, image.height.zip(image.width)))
        .collect();
    let total = annotations.len();
    let task = reporter.on_task_start(
        "converting segmentations to RLE",
        Some(total as u64),
        ProgressUnit::Items,
    );
    let convert = |(index, annotation): (usize, &mut Annotation)| -> Outcome {
        let outcome = convert_one(annotation, &sizes, options);
        if index % 4096 == 4095 {
            reporter.on_task_progress(task, 4096);
        }
        match outcome {
            Err(error) => Outcome::Failed(AnnotationFailure {
                index,
                id: annotation.id,
                image_id: annotation.image_id,
                error,
            }),
            Ok(kind) => kind,
        }
    };
    let outcomes: Vec<Outcome> = annotations
        .par_iter_mut()
        .enumerate()
        .with_min_len(256)
        .map(convert)
        .collect();
    reporter.on_task_progress(task, (total % 4096) as u64);
    reporter.on_task_complete(task);
    let mut summary = RleConversionSummary::default();
    for outcome in outcomes {
        match outcome {
            Outcome::Polygons => summary.from_polygons += 1,
            Outcome::Uncompressed => summary.from_uncompressed += 1,
            Outcome::Compressed => summary.already_compressed += 1,
            Outcome::NoSegmentation => summary.without_segmentation += 1,
            Outcome::Failed(failure) => summary.failures.push(failure),
        }
    }
    summary
}

enum Outcome {
    Polygons,
    Uncompressed,
    Compressed,
    NoSegmentation,
    Failed(AnnotationFailure),
}

fn convert_one(
    annotation: &mut Annotation,
    sizes: &FxHashMap<ImageId, Option<(u32, u32)>>,
    options: &RleConversionOptions,
) -> Result<Outcome, MaskError> {
    let Some(segmentation) = &annotation.segmentation else {
        return Ok(Outcome::NoSegmentation);
    };
    let size = match (segmentation, sizes.get(&annotation.image_id)) {
        (Segmentation::Polygons(_), None) => {
            return Err(MaskError::UnknownImage {
                image_id: annotation.image_id.0,
            });
        }
        (_, size) => size.copied().flatten(),
    };
    let mask = segmentation_to_mask(segmentation, size, annotation.image_id)?;
    let kind = match segmentation {
        Segmentation::Polygons(_) => Outcome::Polygons,
        Segmentation::Rle(rle) => match rle.counts {
            RleCounts::Uncompressed(_) => Outcome::Uncompressed,
            RleCounts::Compressed(_) => Outcome::Compressed,
        },
    };
    if options.recompute_area {
        annotation.area = Some(mask.area() as f64);
    }
    if options.recompute_bbox {
        annotation.bbox = Some(mask.bbox());
    }
    // A compressed RLE is kept byte for byte, as `annToRLE` returns it.
    if !matches!(kind, Outcome::Compressed) {
        annotation.segmentation = Some(Segmentation::Rle(mask.to_rle()));
    }
    Ok(kind)
}
