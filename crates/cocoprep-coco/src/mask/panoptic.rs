//! COCO panoptic → semantic label maps and → COCO instance-style annotations
//! (panopticapi's `panoptic2semantic_segmentation.py` and
//! `panoptic2detection_coco_format.py`).
//!
//! A panoptic annotation is one record per image, with a PNG whose colour encodes a
//! segment id (`id = R + 256·G + 256²·B`, panopticapi's `rgb2id`; 0 is void) and a
//! `segments_info` list giving each segment's category, area, box and crowd flag.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::algebra::{MergeOperation, merge};
use super::label_map::{LabelMap, OverlapPolicy, PaintError, PngColors};
use super::semantic::{OTHER_LABEL, ThingsPolicy, is_thing, relative_png_name};
use super::{MaskError, RunLengthMask};
use crate::ids::{AnnotationId, CategoryId, ImageId};
use crate::model::{Annotation, Category, Dataset, IntegerNumbers, PanopticSegment, SegmentId};
use crate::segmentation::Segmentation;
use cocoprep_base::progress::{ProgressUnit, Reporter};

/// A panoptic conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum PanopticError {
    /// A record of the panoptic JSON lacks what the conversion needs.
    #[error("annotations[{index}] (image {image_id}): {message}")]
    Record {
        /// Position in `annotations`.
        index: usize,
        /// The image.
        image_id: ImageId,
        /// What is wrong.
        message: String,
    },
    /// A segment's category is not in the categories.
    #[error(
        "image {image_id}: segment {} has category {category_id}, which is not in the categories",
        segment_id.0
    )]
    UnknownCategory {
        /// The image.
        image_id: ImageId,
        /// The segment.
        segment_id: SegmentId,
        /// The category.
        category_id: CategoryId,
    },
    /// A segment PNG could not be read.
    #[error("image {image_id}: cannot read panoptic PNG `{}`", path.display())]
    Png {
        /// The image.
        image_id: ImageId,
        /// The PNG.
        path: PathBuf,
        /// Why (a PNG decoding error is wrapped in an I/O error).
        #[source]
        source: std::io::Error,
    },
    /// A label does not fit an 8-bit PNG.
    #[error(
        "image {image_id}: category id {category_id} does not fit in an 8-bit label map (0..=255)"
    )]
    LabelTooLarge {
        /// The image.
        image_id: ImageId,
        /// The category.
        category_id: CategoryId,
    },
    /// A mask operation failed.
    #[error("image {image_id}: {error}")]
    Mask {
        /// The image.
        image_id: ImageId,
        /// What went wrong.
        error: MaskError,
    },
    /// Writing an output failed.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The output.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// One image of a panoptic file with its segments.
#[derive(Clone, Debug)]
pub struct PanopticImage<'a> {
    /// Position of the record in `annotations`.
    pub index: usize,
    /// The image.
    pub image_id: ImageId,
    /// The segment PNG's name (`file_name`).
    pub file_name: &'a str,
    /// The segments, in file order.
    pub segments: &'a [PanopticSegment],
}

/// The per-image records of a panoptic dataset.
pub fn panoptic_images(dataset: &Dataset) -> Result<Vec<PanopticImage<'_>>, PanopticError> {
    dataset
        .annotations
        .iter()
        .enumerate()
        .map(|(index, annotation)| {
            let panoptic = annotation
                .panoptic
                .as_deref()
                .ok_or_else(|| PanopticError::Record {
                    index,
                    image_id: annotation.image_id,
                    message: "no `file_name` and `segments_info` (is this a panoptic file?)".into(),
                })?;
            Ok(PanopticImage {
                index,
                image_id: annotation.image_id,
                file_name: &panoptic.file_name,
                segments: &panoptic.segments_info,
            })
        })
        .collect()
}

/// Reads a panoptic PNG into segment ids, row-major (`id = R + 256·G + 256²·B`).
pub fn read_segment_ids(path: &Path) -> std::io::Result<(u32, u32, Vec<u32>)> {
    let file = fs_err::File::open(path)?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
    let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(std::io::Error::other)?;
    let channels = match frame.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("expected an RGB PNG, found {other:?}"),
            ));
        }
    };
    let ids = buffer[..frame.buffer_size()]
        .chunks_exact(channels)
        .map(|pixel| pixel[0] as u32 + 256 * pixel[1] as u32 + 65536 * pixel[2] as u32)
        .collect();
    Ok((frame.height, frame.width, ids))
}

/// The PNG of a panoptic record, as panopticapi finds it: `file_name` up to its first dot,
/// plus `.png`, in `png_dir`.
pub fn segment_png_path(png_dir: &Path, file_name: &str) -> PathBuf {
    let stem = file_name.split('.').next().unwrap_or(file_name);
    png_dir.join(format!("{stem}.png"))
}

/// What a panoptic conversion produces.
#[derive(Clone, Debug, Default)]
pub struct PanopticOptions {
    /// Write one grayscale label PNG per image (pixel = category id) into this folder.
    pub semantic_png_dir: Option<PathBuf>,
    /// Build per-(image, category) RLE annotations (`panoptic2semantic` JSON output).
    pub semantic_json: bool,
    /// Build one RLE annotation per segment (`panoptic2detection`).
    pub detection_json: bool,
    /// What thing categories become in the semantic outputs.
    pub things: ThingsPolicy,
    /// Keep only thing segments in the detection output (`--things_only`).
    pub things_only: bool,
    /// The `id` of the first generated annotation (panopticapi starts at 0).
    pub first_id: u64,
    /// Worker threads, as `-j` gave them (0 = the rayon pool's size). Informational: the
    /// work runs on the rayon pool the call is made in (see [`cocoprep_base::threads`]);
    /// to use fewer threads, call from inside your own `rayon::ThreadPool::install`.
    pub jobs: usize,
}

/// The outputs of [`convert_panoptic`].
#[derive(Clone, Debug, Default)]
pub struct PanopticOutputs {
    /// Label PNGs written.
    pub pngs_written: usize,
    /// The semantic-segmentation dataset, if asked for.
    pub semantic: Option<Dataset>,
    /// The detection-style dataset, if asked for.
    pub detection: Option<Dataset>,
}

struct ImageResult {
    semantic: Vec<Annotation>,
    detection: Vec<Annotation>,
}

/// Converts a panoptic dataset whose PNGs are in `png_dir`. `categories` decides what is
/// a thing (panopticapi reads them from `panoptic_coco_categories.json`); it defaults to
/// the dataset's own.
pub fn convert_panoptic(
    dataset: &Dataset,
    categories: &[Category],
    png_dir: &Path,
    options: &PanopticOptions,
    reporter: &dyn Reporter,
) -> Result<PanopticOutputs, PanopticError> {
    let images = panoptic_images(dataset)?;
    let things: FxHashSet<CategoryId> = categories
        .iter()
        .filter(|category| is_thing(category))
        .map(|category| category.id)
        .collect();
    let known: FxHashSet<CategoryId> = categories.iter().map(|category| category.id).collect();
    let task = reporter.on_task_start(
        "converting panoptic segments",
        Some(images.len() as u64),
        ProgressUnit::Items,
    );
    let results: Vec<Result<ImageResult, PanopticError>> = images
        .par_iter()
        .map(|image| {
            let result = convert_image(image, png_dir, &things, &known, options);
            reporter.on_task_progress(task, 1);
            result
        })
        .collect();
    reporter.on_task_complete(task);
    let mut semantic = Vec::new();
    let mut detection = Vec::new();
    for result in results {
        let result = result?;
        semantic.extend(result.semantic);
        detection.extend(result.detection);
    }
    let number = |annotations: &mut Vec<Annotation>| {
        for (index, annotation) in annotations.iter_mut().enumerate() {
            annotation.id = Some(AnnotationId(options.first_id + index as u64));
        }
    };
    number(&mut semantic);
    number(&mut detection);
    let semantic = options.semantic_json.then(|| {
        let mut output = dataset.clone();
        output.annotations = semantic;
        output.categories = semantic_categories(&dataset.categories, &things, options.things);
        output
    });
    let detection = options.detection_json.then(|| {
        let mut output = dataset.clone();
        output.annotations = detection;
        output.categories = dataset
            .categories
            .iter()
            .filter(|category| !options.things_only || things.contains(&category.id))
            .map(|category| Category {
                isthing: None,
                ..category.clone()
            })
            .collect();
        output
    });
    Ok(PanopticOutputs {
        pngs_written: if options.semantic_png_dir.is_some() {
            images.len()
        } else {
            0
        },
        semantic,
        detection,
    })
}

/// panopticapi's semantic categories: unchanged, or without things plus `other` (183).
fn semantic_categories(
    categories: &[Category],
    things: &FxHashSet<CategoryId>,
    policy: ThingsPolicy,
) -> Vec<Category> {
    match policy {
        ThingsPolicy::Keep => categories.to_vec(),
        ThingsPolicy::Other => {
            let mut kept: Vec<Category> = categories
                .iter()
                .filter(|category| !things.contains(&category.id))
                .cloned()
                .collect();
            kept.push(Category {
                id: CategoryId(OTHER_LABEL as u32),
                name: "other".into(),
                supercategory: Some("other".into()),
                ..Category::default()
            });
            kept
        }
    }
}

fn convert_image(
    image: &PanopticImage,
    png_dir: &Path,
    things: &FxHashSet<CategoryId>,
    known: &FxHashSet<CategoryId>,
    options: &PanopticOptions,
) -> Result<ImageResult, PanopticError> {
    let image_id = image.image_id;
    let path = segment_png_path(png_dir, image.file_name);
    let (height, width, ids) = read_segment_ids(&path).map_err(|source| PanopticError::Png {
        image_id,
        path: path.clone(),
        source,
    })?;
    let mask_error = |error| PanopticError::Mask { image_id, error };
    let masks = segment_masks(height, width, &ids, image.segments).map_err(mask_error)?;

    let mut result = ImageResult {
        semantic: Vec::new(),
        detection: Vec::new(),
    };
    // Semantic: segments of one category are merged; things may become `other`.
    let semantic_label = |segment: &PanopticSegment| -> Result<CategoryId, PanopticError> {
        if !known.contains(&segment.category_id) {
            return Err(PanopticError::UnknownCategory {
                image_id,
                segment_id: segment.id,
                category_id: segment.category_id,
            });
        }
        Ok(
            if options.things == ThingsPolicy::Other && things.contains(&segment.category_id) {
                CategoryId(OTHER_LABEL as u32)
            } else {
                segment.category_id
            },
        )
    };
    if let Some(folder) = &options.semantic_png_dir {
        let mut map = LabelMap::new(height, width);
        for (segment, mask) in image.segments.iter().zip(&masks) {
            let category_id = semantic_label(segment)?;
            let label = u8::try_from(category_id.0).map_err(|_| PanopticError::LabelTooLarge {
                image_id,
                category_id,
            })?;
            // Segment masks are built at the map's size and never overlap (one id per
            // pixel), so painting cannot fail; a failure would be a size mismatch.
            if let Err(PaintError::Size(error)) = map.paint(mask, label, OverlapPolicy::Last) {
                return Err(mask_error(error));
            }
        }
        // panopticapi saves under the panoptic record's own `file_name`.
        let name =
            relative_png_name(Path::new(image.file_name)).ok_or_else(|| PanopticError::Record {
                index: image.index,
                image_id,
                message: format!(
                    "`file_name` {:?} is not a relative path inside the output folder",
                    image.file_name
                ),
            })?;
        let output = folder.join(name);
        map.write_png(&output, PngColors::Gray)
            .map_err(|source| PanopticError::Write {
                path: output,
                source,
            })?;
    }
    if options.semantic_json {
        let mut order: Vec<CategoryId> = Vec::new();
        let mut groups: FxHashMap<CategoryId, Vec<RunLengthMask>> = FxHashMap::default();
        for (segment, mask) in image.segments.iter().zip(&masks) {
            let category_id = semantic_label(segment)?;
            let group = groups.entry(category_id).or_default();
            if group.is_empty() {
                order.push(category_id);
            }
            group.push(mask.clone());
        }
        for category_id in order {
            let mask = merge(&groups[&category_id], MergeOperation::Union).map_err(mask_error)?;
            let mut annotation = Annotation::new(image_id);
            annotation.category_id = Some(category_id);
            annotation.area = Some(mask.area() as f64);
            // panopticapi writes `int(area)`.
            annotation.integer_numbers.set(IntegerNumbers::AREA, true);
            annotation.bbox = Some(mask.bbox());
            annotation.iscrowd = Some(false);
            annotation.segmentation = Some(Segmentation::Rle(mask.to_rle()));
            result.semantic.push(annotation);
        }
    }
    if options.detection_json {
        for (segment, mask) in image.segments.iter().zip(&masks) {
            if options.things_only && !things.contains(&segment.category_id) {
                continue;
            }
            result
                .detection
                .push(detection_annotation(image_id, segment, mask));
        }
    }
    Ok(result)
}

/// The mask of each segment, in one pass over the id image in column-major order.
fn segment_masks(
    height: u32,
    width: u32,
    ids: &[u32],
    segments: &[PanopticSegment],
) -> Result<Vec<RunLengthMask>, MaskError> {
    let pixels = super::runs::pixel_count(height, width)? as usize;
    if ids.len() != pixels {
        return Err(MaskError::BufferLength {
            height,
            width,
            expected: pixels,
            found: ids.len(),
        });
    }
    // For each segment: its run lengths so far and where its last foreground run ends.
    let slot: FxHashMap<u32, usize> = segments
        .iter()
        .enumerate()
        .filter_map(|(index, segment)| Some((u32::try_from(segment.id.0).ok()?, index)))
        .collect();
    let mut counts: Vec<Vec<u32>> = vec![Vec::new(); segments.len()];
    let mut covered: Vec<usize> = vec![0; segments.len()];
    let (rows, columns) = (height as usize, width as usize);
    let mut position = 0usize;
    for x in 0..columns {
        let mut y = 0;
        while y < rows {
            let id = ids[y * columns + x];
            // Extend over the run of equal ids in this column.
            let mut end = y + 1;
            while end < rows && ids[end * columns + x] == id {
                end += 1;
            }
            let length = end - y;
            if let Some(&index) = slot.get(&id) {
                let runs = &mut counts[index];
                if covered[index] == position && !runs.is_empty() {
                    *runs.last_mut().expect("non-empty") += length as u32;
                } else {
                    runs.push((position - covered[index]) as u32);
                    runs.push(length as u32);
                }
                covered[index] = position + length;
            }
            position += length;
            y = end;
        }
    }
    Ok(counts
        .into_iter()
        .zip(covered)
        .map(|(mut runs, covered)| {
            runs.push((pixels - covered) as u32);
            if runs.len() > 1 && *runs.last().expect("non-empty") == 0 {
                runs.pop();
            }
            RunLengthMask::from_trusted_counts(height, width, runs)
        })
        .collect())
}

/// panopticapi's detection record: the segment's members without `id`, plus `image_id`
/// and the RLE `segmentation`. Numbers keep their integer or float form.
fn detection_annotation(
    image_id: ImageId,
    segment: &PanopticSegment,
    mask: &RunLengthMask,
) -> Annotation {
    let mut annotation = Annotation::new(image_id);
    annotation.category_id = Some(segment.category_id);
    annotation.segmentation = Some(Segmentation::Rle(mask.to_rle()));
    annotation.area = segment.area;
    annotation.bbox = segment.bbox;
    annotation.iscrowd = segment.iscrowd;
    annotation.extras = segment.extras.clone();
    // The same bits (area, bbox[0..4]) in both records.
    annotation.integer_numbers = segment.integer_numbers;
    annotation
}
