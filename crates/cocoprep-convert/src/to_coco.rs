//! YOLO → COCO: label files back to a COCO annotation file, so round trips are possible.
//!
//! Image sizes come from the image headers (the labels are normalised). Per row: a
//! 5-column row is a box; a longer row is a polygon (its box is the polygon's extent and
//! its area the polygon's), or, when the YAML has `kpt_shape`, a box followed by
//! keypoints. What cannot come back: `iscrowd` (always 0), the original annotation ids,
//! segmentation masks beyond one polygon per object, and precision beyond what the label
//! text holds (six significant digits for Ultralytics' files).

use std::path::Path;

use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_coco::image_file::read_image_header;
use cocoprep_coco::{
    Annotation, AnnotationId, BBoxXywh, Category, CategoryId, Dataset, Image, ImageId, Nesting,
    PackedNumbers, Segmentation,
};
use rayon::prelude::*;

use crate::classes::COCO80_TO_91;
use crate::dataset::{SplitImages, label_path};
use crate::error::Error;

/// How class indexes become `category_id`s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CategoryIds {
    /// `class + 1`.
    #[default]
    Sequential,
    /// COCO's ids for the 80 classes (`coco80_to_coco91_class`), the inverse of
    /// `convert yolo`'s default mapping.
    Coco91,
}

/// One image's labels, parsed.
struct ImageRecord {
    image: Image,
    annotations: Vec<Annotation>,
}

/// Builds a COCO dataset from one split of a YOLO dataset: every image of `split` (with
/// or without a label file), rows from `labels/.../<stem>.txt`.
pub fn split_to_coco(
    split: &SplitImages,
    names: &[String],
    kpt_shape: Option<[usize; 2]>,
    category_ids: CategoryIds,
    reporter: &dyn Reporter,
) -> Result<Dataset, Error> {
    let category_of = |class: usize| -> Option<CategoryId> {
        match category_ids {
            CategoryIds::Sequential => Some(CategoryId(class as u32 + 1)),
            CategoryIds::Coco91 => COCO80_TO_91.get(class).map(|&id| CategoryId(id)),
        }
    };
    if category_ids == CategoryIds::Coco91 && names.len() > COCO80_TO_91.len() {
        return Err(Error::Options(format!(
            "`--coco-ids` needs at most 80 classes, the YAML has {}",
            names.len()
        )));
    }
    // COCO file names are numeric ids (`000000000139.jpg`): keep those ids when every
    // stem is a distinct number, so a round trip gives the original image ids back.
    let numeric: Option<Vec<u64>> = split
        .images
        .iter()
        .map(|path| {
            path.file_stem()
                .and_then(|stem| stem.to_str()?.parse().ok())
        })
        .collect();
    let numeric = numeric.filter(|ids| {
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.len() == ids.len()
    });
    let task = reporter.on_task_start(
        &format!("{}: read labels", split.name),
        Some(split.images.len() as u64),
        ProgressUnit::Items,
    );
    let records: Vec<ImageRecord> = split
        .images
        .par_iter()
        .enumerate()
        .map(|(index, path)| {
            let header = read_image_header(path)?;
            let image_id = ImageId(numeric.as_ref().map_or(index as u64 + 1, |ids| ids[index]));
            let relative = path.strip_prefix(&split.base).unwrap_or(path);
            let image = Image {
                id: image_id,
                width: Some(header.width),
                height: Some(header.height),
                file_name: Some(relative.to_string_lossy().replace('\\', "/")),
                ..Image::default()
            };
            let label = label_path(path);
            let annotations = match fs_err::read_to_string(&label) {
                Ok(text) => {
                    parse_label(&label, &text, &image, names.len(), kpt_shape, &category_of)?
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(error) => return Err(Error::io("read", &label)(error)),
            };
            reporter.on_task_progress(task, 1);
            Ok(ImageRecord { image, annotations })
        })
        .collect::<Result<_, Error>>()?;
    reporter.on_task_complete(task);
    let mut dataset = Dataset::default();
    let mut next_id = 1u64;
    for record in records {
        dataset.images.push(record.image);
        for mut annotation in record.annotations {
            annotation.id = Some(AnnotationId(next_id));
            next_id += 1;
            dataset.annotations.push(annotation);
        }
    }
    dataset.categories = names
        .iter()
        .enumerate()
        .filter_map(|(class, name)| {
            Some(Category {
                id: category_of(class)?,
                name: name.clone(),
                ..Category::default()
            })
        })
        .collect();
    Ok(dataset)
}

fn parse_label(
    path: &Path,
    text: &str,
    image: &Image,
    class_count: usize,
    kpt_shape: Option<[usize; 2]>,
    category_of: &dyn Fn(usize) -> Option<CategoryId>,
) -> Result<Vec<Annotation>, Error> {
    let width = f64::from(image.width.unwrap_or(1));
    let height = f64::from(image.height.unwrap_or(1));
    let mut annotations = Vec::new();
    for (line_index, line) in text.lines().enumerate() {
        let label_error = |message: String| Error::Label {
            path: path.to_owned(),
            line: line_index + 1,
            message,
        };
        let mut tokens = line.split_whitespace();
        let Some(class_text) = tokens.next() else {
            continue;
        };
        let class: usize = class_text
            .parse::<f64>()
            .ok()
            .filter(|value| value.fract() == 0.0 && *value >= 0.0)
            .map(|value| value as usize)
            .ok_or_else(|| {
                label_error(format!(
                    "class `{class_text}` is not a non-negative integer"
                ))
            })?;
        if class >= class_count {
            return Err(label_error(format!(
                "class {class} is out of range: the YAML names {class_count} classes"
            )));
        }
        let category_id = category_of(class)
            .ok_or_else(|| label_error(format!("class {class} has no COCO id")))?;
        let values: Vec<f64> = tokens
            .map(|token| {
                token
                    .parse::<f64>()
                    .map_err(|_| label_error(format!("`{token}` is not a number")))
            })
            .collect::<Result<_, _>>()?;
        let mut annotation = Annotation::new(image.id);
        annotation.category_id = Some(category_id);
        annotation.iscrowd = Some(false);
        let box_from = |v: &[f64]| BBoxXywh {
            x: (v[0] - v[2] / 2.0) * width,
            y: (v[1] - v[3] / 2.0) * height,
            width: v[2] * width,
            height: v[3] * height,
        };
        match (kpt_shape, values.len()) {
            (Some([count, dimensions]), length) => {
                if length != 4 + count * dimensions || !(2..=3).contains(&dimensions) {
                    return Err(label_error(format!(
                        "expected {} columns for kpt_shape [{count}, {dimensions}], found {}",
                        5 + count * dimensions,
                        length + 1
                    )));
                }
                let bbox = box_from(&values);
                let mut keypoints = Vec::with_capacity(count * 3);
                let mut labelled = 0;
                for point in values[4..].chunks_exact(dimensions) {
                    let (x, y) = (point[0], point[1]);
                    let visibility = if dimensions == 3 {
                        point[2].round()
                    } else if x <= 0.0 && y <= 0.0 {
                        0.0
                    } else {
                        2.0
                    };
                    labelled += u32::from(visibility > 0.0);
                    keypoints.extend_from_slice(&[x * width, y * height, visibility]);
                }
                annotation.keypoints = Some(pack(&[keypoints], Nesting::Flat, path, line_index)?);
                annotation.num_keypoints = Some(labelled);
                annotation.area = Some(bbox.area());
                annotation.bbox = Some(bbox);
            }
            (None, 4) => {
                let bbox = box_from(&values);
                annotation.area = Some(bbox.area());
                annotation.bbox = Some(bbox);
            }
            (None, length) if length >= 6 && length % 2 == 0 => {
                let points: Vec<f64> = values
                    .chunks_exact(2)
                    .flat_map(|xy| [xy[0] * width, xy[1] * height])
                    .collect();
                let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
                let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                for xy in points.chunks_exact(2) {
                    min_x = min_x.min(xy[0]);
                    max_x = max_x.max(xy[0]);
                    min_y = min_y.min(xy[1]);
                    max_y = max_y.max(xy[1]);
                }
                annotation.bbox = Some(BBoxXywh {
                    x: min_x,
                    y: min_y,
                    width: max_x - min_x,
                    height: max_y - min_y,
                });
                annotation.area = Some(polygon_area(&points));
                annotation.segmentation = Some(Segmentation::Polygons(pack(
                    &[points],
                    Nesting::Nested,
                    path,
                    line_index,
                )?));
            }
            (None, length) => {
                return Err(label_error(format!(
                    "{} columns: expected 5 (box) or an odd number of at least 7 (polygon)",
                    length + 1
                )));
            }
        }
        annotations.push(annotation);
    }
    Ok(annotations)
}

fn pack(
    parts: &[Vec<f64>],
    nesting: Nesting,
    path: &Path,
    line_index: usize,
) -> Result<PackedNumbers, Error> {
    PackedNumbers::from_parts(parts, nesting).map_err(|source| Error::LabelNumbers {
        path: path.to_owned(),
        line: line_index + 1,
        source,
    })
}

/// Shoelace area of a closed polygon given as `[x1, y1, x2, y2, ...]`.
pub fn polygon_area(points: &[f64]) -> f64 {
    let count = points.len() / 2;
    let mut twice = 0.0;
    for index in 0..count {
        let next = (index + 1) % count;
        twice +=
            points[2 * index] * points[2 * next + 1] - points[2 * next] * points[2 * index + 1];
    }
    twice.abs() / 2.0
}
