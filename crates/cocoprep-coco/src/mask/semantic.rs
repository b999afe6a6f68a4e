//! Semantic label maps from an annotation file: one PNG per image, pixel = category id
//! (cocostuffapi's `cocoSegmentationToPng`, for every image, in parallel).

use std::path::{Component, Path, PathBuf};

use cocoprep_base::cluster::Shard;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::MaskError;
use super::annotation::annotation_to_mask;
use super::label_map::{LabelMap, OverlapPolicy, PaintError, PngColors};
use crate::ids::{AnnotationId, CategoryId, ImageId};
use crate::model::{Category, Dataset, Image};
use crate::progress::{ProgressUnit, Reporter};

/// COCO-Stuff's label for all thing pixels merged together (`other`).
pub const OTHER_LABEL: u8 = 183;

/// What thing categories become in a label map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ThingsPolicy {
    /// Their own category id.
    #[default]
    Keep,
    /// 183 (`other`), as COCO-Stuff's `stuff_*.json` and panopticapi's `--things_other` do.
    Other,
}

/// Whether a category is a thing: its `isthing` member when it has one (panoptic files),
/// else whether its id is a COCO thing id (1..=91; COCO-Stuff's stuff classes are 92..=182
/// and `other` is 183).
pub fn is_thing(category: &Category) -> bool {
    category.isthing.unwrap_or(category.id.0 <= 91)
}

/// How to render label maps.
#[derive(Clone, Debug, Default)]
pub struct SemanticOptions {
    /// What to do where masks overlap.
    pub overlap: OverlapPolicy,
    /// Paint `iscrowd: 1` annotations too (cocostuffapi's `includeCrowd`).
    pub include_crowd: bool,
    /// What thing categories become.
    pub things: ThingsPolicy,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// Render only this shard's images: those at positions `index, index + count, ...` of
    /// `images`, so that the shards of an array job write disjoint PNGs.
    pub shard: Option<Shard>,
}

/// One image whose label map could not be made; its PNG is not written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageFailure {
    /// A segmentation could not be turned into a mask.
    #[error("image {image_id}: annotation {annotation}: {error}")]
    Mask {
        /// The image.
        image_id: ImageId,
        /// The annotation (`id`, or `annotations[i]` without one).
        annotation: String,
        /// What went wrong.
        error: MaskError,
    },
    /// A mask could not be painted (overlap under `--overlap error`, or a size mismatch).
    #[error("image {image_id}: annotation {annotation}: {error}")]
    Paint {
        /// The image.
        image_id: ImageId,
        /// The annotation.
        annotation: String,
        /// What went wrong.
        error: PaintError,
    },
    /// A category id does not fit in an 8-bit PNG.
    #[error(
        "image {image_id}: category id {category_id} does not fit in an 8-bit label map (0..=255)"
    )]
    LabelTooLarge {
        /// The image.
        image_id: ImageId,
        /// The category.
        category_id: CategoryId,
    },
    /// The image has no `width`/`height`.
    #[error("image {image_id} has no `width`/`height`")]
    MissingSize {
        /// The image.
        image_id: ImageId,
    },
    /// No usable output name.
    #[error("image {image_id}: {message}")]
    Name {
        /// The image.
        image_id: ImageId,
        /// Why.
        message: String,
    },
    /// Writing the PNG failed.
    #[error("image {image_id}: cannot write `{}`: {message}", path.display())]
    Write {
        /// The image.
        image_id: ImageId,
        /// The PNG.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
}

/// What [`write_semantic_pngs`] did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SemanticSummary {
    /// PNGs written.
    pub written: usize,
    /// Annotations painted.
    pub painted: usize,
    /// Crowd annotations left out (without `include_crowd`).
    pub skipped_crowd: usize,
    /// Annotations whose `image_id` is not in `images`.
    pub orphan_annotations: usize,
    /// Images that failed.
    pub failures: Vec<ImageFailure>,
}

/// Renders the label map of every image of `dataset` (of [`SemanticOptions::shard`], when
/// given) into `output_dir`, in parallel: a
/// palette PNG named after the image file (`000000000139.jpg` → `000000000139.png`, kept
/// in its sub-folder if `file_name` has one) with pixel value = category id and 0 where no
/// annotation is. Annotations are painted in file order.
///
/// Unlike cocostuffapi, which casts the map to `int8` (so labels above 127 survive only by
/// luck of the Pillow version), labels are written as `uint8`.
pub fn write_semantic_pngs(
    dataset: &Dataset,
    output_dir: &Path,
    options: &SemanticOptions,
    reporter: &dyn Reporter,
) -> SemanticSummary {
    let things: FxHashSet<CategoryId> = dataset
        .categories
        .iter()
        .filter(|category| is_thing(category))
        .map(|category| category.id)
        .collect();
    let mut by_image: FxHashMap<ImageId, Vec<usize>> = FxHashMap::default();
    let image_ids: FxHashSet<ImageId> = dataset.images.iter().map(|image| image.id).collect();
    let mut summary = SemanticSummary::default();
    for (index, annotation) in dataset.annotations.iter().enumerate() {
        if !image_ids.contains(&annotation.image_id) {
            summary.orphan_annotations += 1;
            continue;
        }
        if annotation.is_crowd() && !options.include_crowd {
            summary.skipped_crowd += 1;
            continue;
        }
        by_image.entry(annotation.image_id).or_default().push(index);
    }
    let images: Vec<&Image> = match options.shard {
        None => dataset.images.iter().collect(),
        Some(shard) => dataset
            .images
            .iter()
            .enumerate()
            .filter(|(position, _)| shard.owns_position(*position))
            .map(|(_, image)| image)
            .collect(),
    };
    let task = reporter.on_task_start(
        "writing label maps",
        Some(images.len() as u64),
        ProgressUnit::Items,
    );
    let results: Vec<Result<usize, ImageFailure>> = super::in_pool(options.jobs, || {
        images
            .par_iter()
            .map(|&image| {
                let indices = by_image.get(&image.id).map_or(&[][..], Vec::as_slice);
                let result =
                    render_image(dataset, image, indices, &things, options).and_then(|map| {
                        let path = output_dir.join(png_name(image)?);
                        map.write_png(&path, PngColors::CocoStuffPalette)
                            .map_err(|error| ImageFailure::Write {
                                image_id: image.id,
                                path,
                                message: error.to_string(),
                            })?;
                        Ok(indices.len())
                    });
                reporter.on_task_progress(task, 1);
                result
            })
            .collect()
    });
    reporter.on_task_complete(task);
    for result in results {
        match result {
            Ok(painted) => {
                summary.written += 1;
                summary.painted += painted;
            }
            Err(failure) => summary.failures.push(failure),
        }
    }
    summary
}

/// The label map of one image from the annotations at `indices` (in paint order).
pub fn render_image(
    dataset: &Dataset,
    image: &Image,
    indices: &[usize],
    things: &FxHashSet<CategoryId>,
    options: &SemanticOptions,
) -> Result<LabelMap, ImageFailure> {
    let (height, width) = image
        .height
        .zip(image.width)
        .ok_or(ImageFailure::MissingSize { image_id: image.id })?;
    let mut map = LabelMap::new(height, width);
    for &index in indices {
        let annotation = &dataset.annotations[index];
        let name = || match annotation.id {
            Some(AnnotationId(id)) => id.to_string(),
            None => format!("annotations[{index}]"),
        };
        let Some(category_id) = annotation.category_id else {
            continue;
        };
        let label = if options.things == ThingsPolicy::Other && things.contains(&category_id) {
            OTHER_LABEL
        } else {
            u8::try_from(category_id.0).map_err(|_| ImageFailure::LabelTooLarge {
                image_id: image.id,
                category_id,
            })?
        };
        let mask = annotation_to_mask(annotation, image).map_err(|error| ImageFailure::Mask {
            image_id: image.id,
            annotation: name(),
            error,
        })?;
        map.paint(&mask, label, options.overlap)
            .map_err(|error| ImageFailure::Paint {
                image_id: image.id,
                annotation: name(),
                error,
            })?;
    }
    Ok(map)
}

/// `file_name` with a `.png` extension, refused if it could escape the output folder.
/// Without `file_name`, the last part of `coco_url`, else the id on 12 digits.
fn png_name(image: &Image) -> Result<PathBuf, ImageFailure> {
    let base = match (&image.file_name, &image.coco_url) {
        (Some(name), _) => PathBuf::from(name),
        (None, Some(url)) => PathBuf::from(url.rsplit('/').next().unwrap_or(url)),
        (None, None) => PathBuf::from(format!("{:012}", image.id.0)),
    };
    relative_png_name(&base).ok_or_else(|| ImageFailure::Name {
        image_id: image.id,
        message: format!(
            "`file_name` {:?} is not a relative path inside the output folder",
            base.display()
        ),
    })
}

/// `name` with a `.png` extension if it is a plain relative path (no root, no `..`), so
/// that joining it to an output folder stays inside that folder.
pub(crate) fn relative_png_name(name: &Path) -> Option<PathBuf> {
    let safe = name
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    (safe && !name.as_os_str().is_empty()).then(|| name.with_extension("png"))
}
