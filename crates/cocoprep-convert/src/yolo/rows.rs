//! The rows of one image's YOLO label file, computed the way Ultralytics 8.4's
//! `convert_coco` computes them (same float operations in the same order, so the numbers
//! are bit-identical before formatting).

use std::ops::Range;
use std::path::Path;

use cocoprep_coco::{Annotation, Image, Segmentation};

use super::merge::merge_multi_segment;
use crate::classes::ClassTable;
use crate::error::{AnnotationLabel, Error};
use crate::number::{Precision, push_number};
use crate::outline::outer_contours;
use cocoprep_coco::mask::{MaskError, RunLengthMask};

/// What each row describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Geometry {
    /// `class cx cy w h` (detection).
    #[default]
    Boxes,
    /// `class x1 y1 x2 y2 ...` (instance segmentation, one polygon per object).
    Segments,
    /// `class cx cy w h x1 y1 v1 ...` (pose).
    Keypoints,
}

/// Why annotations produced no row, and what was approximated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCounts {
    /// Rows produced (before removing duplicates).
    pub rows: u64,
    /// Identical rows of one image removed (Ultralytics keeps the first).
    pub duplicates: u64,
    /// `iscrowd: 1` annotations (skipped, as Ultralytics does).
    pub crowd: u64,
    /// Boxes with zero or negative width or height.
    pub empty_boxes: u64,
    /// Annotations of categories outside the selected classes.
    pub unselected: u64,
    /// With keypoints: annotations with no labelled keypoint.
    pub no_keypoints: u64,
    /// With segments: RLE masks traced into polygons.
    pub rle_traced: u64,
    /// With segments: objects of several parts joined into one polygon.
    pub parts_merged: u64,
    /// With segments: annotations without a usable polygon, written as their box.
    pub box_polygons: u64,
}

impl RowCounts {
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &RowCounts) {
        let RowCounts {
            rows,
            duplicates,
            crowd,
            empty_boxes,
            unselected,
            no_keypoints,
            rle_traced,
            parts_merged,
            box_polygons,
        } = other;
        self.rows += rows;
        self.duplicates += duplicates;
        self.crowd += crowd;
        self.empty_boxes += empty_boxes;
        self.unselected += unselected;
        self.no_keypoints += no_keypoints;
        self.rle_traced += rle_traced;
        self.parts_merged += parts_merged;
        self.box_polygons += box_polygons;
    }
}

/// One row: the class and the numbers after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Class index.
    pub class: u32,
    /// Normalised values.
    pub values: Vec<f64>,
}

/// The rows of one label file, stored flat: the values of all rows in one vector, each row
/// a class and a range of it. Cleared and refilled for file after file, it stops
/// allocating once its buffers have grown, where a `Vec<Row>` took a few allocations per
/// row (a million rows on train2017).
#[derive(Clone, Debug, Default)]
pub struct RowSet {
    rows: Vec<(u32, Range<usize>)>,
    values: Vec<f64>,
    /// Scratch: polygon parts of the annotation being converted (values, then ranges of
    /// them) and the decoder's buffer.
    part_values: Vec<f64>,
    parts: Vec<Range<usize>>,
    decoded: Vec<f64>,
}

impl RowSet {
    /// Removes every row (keeps the buffers).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.values.clear();
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows in order: class and values.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[f64])> + '_ {
        self.rows
            .iter()
            .map(|(class, range)| (*class, &self.values[range.clone()]))
    }

    /// The rows as [`Row`]s.
    pub fn to_rows(&self) -> Vec<Row> {
        self.iter()
            .map(|(class, values)| Row {
                class,
                values: values.to_vec(),
            })
            .collect()
    }

    /// Keeps the row whose values were appended from `start` on, unless an identical row
    /// is already there (Ultralytics keeps the first); returns whether it was kept.
    fn keep_unique(&mut self, class: u32, start: usize) -> bool {
        let (kept, new) = self.values.split_at(start);
        let duplicate = self
            .rows
            .iter()
            .any(|(other, range)| *other == class && kept[range.clone()] == *new);
        if duplicate {
            self.values.truncate(start);
        } else {
            self.rows.push((class, start..self.values.len()));
        }
        !duplicate
    }
}

/// Computes rows for images of one annotation file.
pub struct RowBuilder<'a> {
    /// The annotation file (for messages).
    pub file: &'a Path,
    /// Category → class.
    pub classes: &'a ClassTable,
    /// What rows hold.
    pub geometry: Geometry,
}

impl RowBuilder<'_> {
    /// The rows of `image` from its annotations (`(position in the file, annotation)`),
    /// duplicates removed. Counts go to `counts`.
    pub fn rows(
        &self,
        image: &Image,
        annotations: &[(usize, &Annotation)],
        counts: &mut RowCounts,
    ) -> Result<Vec<Row>, Error> {
        let mut rows = RowSet::default();
        self.append_rows(image, annotations, counts, &mut rows)?;
        Ok(rows.to_rows())
    }

    /// [`RowBuilder::rows`] appended to `rows`: a row equal to one already in `rows` is
    /// dropped as a duplicate (clear `rows` first for one image's rows).
    pub fn append_rows(
        &self,
        image: &Image,
        annotations: &[(usize, &Annotation)],
        counts: &mut RowCounts,
        rows: &mut RowSet,
    ) -> Result<(), Error> {
        let member_error = |member| Error::ImageMember {
            file: self.file.to_owned(),
            image_id: image.id,
            member,
        };
        let width = f64::from(image.width.ok_or_else(|| member_error("width"))?);
        let height = f64::from(image.height.ok_or_else(|| member_error("height"))?);
        for &(index, annotation) in annotations {
            let annotation_error = |message: String| Error::Annotation {
                file: self.file.to_owned(),
                annotation: AnnotationLabel::of(annotation, index),
                message,
            };
            if annotation.is_crowd() {
                counts.crowd += 1;
                continue;
            }
            let bbox = annotation
                .bbox
                .ok_or_else(|| annotation_error("has no `bbox`".to_owned()))?;
            // box[:2] += box[2:] / 2; box[[0, 2]] /= w; box[[1, 3]] /= h
            let center_x = (bbox.x + bbox.width / 2.0) / width;
            let center_y = (bbox.y + bbox.height / 2.0) / height;
            let box_width = bbox.width / width;
            let box_height = bbox.height / height;
            if box_width <= 0.0 || box_height <= 0.0 {
                counts.empty_boxes += 1;
                continue;
            }
            let category_id = annotation
                .category_id
                .ok_or_else(|| annotation_error("has no `category_id`".to_owned()))?;
            let class = match self.classes.class_of(category_id) {
                Some(class) => class,
                None if self.classes.drops_unmapped() => {
                    counts.unselected += 1;
                    continue;
                }
                None => {
                    // Ultralytics crashes here (`IndexError`, or `TypeError` when
                    // printing `None`); name the annotation instead.
                    return Err(Error::UnmappableCategory {
                        file: self.file.to_owned(),
                        annotation: AnnotationLabel::of(annotation, index),
                        category_id,
                        mapping: self.classes.mapping().name(),
                        hint: ": use `--class-map dense` for datasets whose ids are not COCO's",
                    });
                }
            };
            let start = rows.values.len();
            let center_box = [center_x, center_y, box_width, box_height];
            match self.geometry {
                Geometry::Boxes => rows.values.extend_from_slice(&center_box),
                Geometry::Keypoints => {
                    let keypoints = annotation
                        .keypoints
                        .as_ref()
                        .map(|packed| packed.values())
                        .unwrap_or_default();
                    if !keypoints.iter().skip(2).step_by(3).any(|&v| v != 0.0) {
                        counts.no_keypoints += 1;
                        continue;
                    }
                    if keypoints.len() % 3 != 0 {
                        return Err(annotation_error(format!(
                            "`keypoints` has {} numbers, not a multiple of 3 (x, y, v)",
                            keypoints.len()
                        )));
                    }
                    rows.values.extend_from_slice(&center_box);
                    for triple in keypoints.chunks_exact(3) {
                        rows.values.extend_from_slice(&[
                            triple[0] / width,
                            triple[1] / height,
                            triple[2],
                        ]);
                    }
                }
                Geometry::Segments => {
                    segment(annotation, (width, height), center_box, counts, rows).map_err(
                        |source| Error::AnnotationMask {
                            file: self.file.to_owned(),
                            annotation: AnnotationLabel::of(annotation, index),
                            source,
                        },
                    )?;
                }
            }
            counts.rows += 1;
            if !rows.keep_unique(class, start) {
                counts.duplicates += 1;
            }
        }
        Ok(())
    }
}

/// Appends the segment row values of `annotation` to `rows.values`: its polygon, its
/// parts merged into one, the outline of its RLE mask, or its box's corners.
fn segment(
    annotation: &Annotation,
    (width, height): (f64, f64),
    [center_x, center_y, box_width, box_height]: [f64; 4],
    counts: &mut RowCounts,
    rows: &mut RowSet,
) -> Result<(), MaskError> {
    let RowSet {
        values,
        part_values,
        parts,
        decoded,
        ..
    } = rows;
    part_values.clear();
    parts.clear();
    let mut add_part = |part: &[f64]| {
        let start = part_values.len();
        part_values.extend_from_slice(part);
        parts.push(start..part_values.len());
    };
    match &annotation.segmentation {
        Some(Segmentation::Rle(rle))
            if f64::from(rle.height) == height && f64::from(rle.width) == width =>
        {
            let mask = RunLengthMask::from_rle(rle)?.decode_row_major();
            counts.rle_traced += 1;
            for contour in outer_contours(&mask, rle.width as usize, rle.height as usize) {
                if contour.len() >= 3 {
                    let points: Vec<f64> = contour
                        .iter()
                        .flat_map(|&[x, y]| [f64::from(x), f64::from(y)])
                        .collect();
                    add_part(&points);
                }
            }
        }
        Some(Segmentation::Polygons(packed)) => {
            let _ = packed.try_for_each_part_with::<()>(decoded, |part| {
                if part.len() >= 6 && part.len() % 2 == 0 {
                    add_part(part);
                }
                Ok(())
            });
        }
        // An RLE of another size, or no segmentation.
        _ => {}
    }
    match parts.len() {
        0 => {
            counts.box_polygons += 1;
            let (x1, y1) = (center_x - box_width / 2.0, center_y - box_height / 2.0);
            let (x2, y2) = (center_x + box_width / 2.0, center_y + box_height / 2.0);
            values.extend_from_slice(&[x1, y1, x2, y1, x2, y2, x1, y2]);
        }
        1 => {
            // Normalised while copied: one polygon is the common case.
            values.extend(
                part_values
                    .chunks_exact(2)
                    .flat_map(|xy| [xy[0] / width, xy[1] / height]),
            );
        }
        _ => {
            counts.parts_merged += 1;
            let polygons: Vec<&[f64]> = parts
                .iter()
                .map(|range| &part_values[range.clone()])
                .collect();
            values.extend(
                merge_multi_segment(&polygons)
                    .into_iter()
                    .flat_map(|[x, y]| [x / width, y / height]),
            );
        }
    }
    Ok(())
}

/// Appends rows as label text: space-separated, one row per line.
pub fn push_rows(out: &mut String, rows: &[Row], precision: Precision) {
    push_row_values(
        out,
        rows.iter().map(|row| (row.class, &row.values[..])),
        precision,
    );
}

/// [`push_rows`] for any rows given as class and values (a [`RowSet`]'s `iter()`).
pub fn push_row_values<'v>(
    out: &mut String,
    rows: impl IntoIterator<Item = (u32, &'v [f64])>,
    precision: Precision,
) {
    for (class, values) in rows {
        let mut digits = itoa::Buffer::new();
        out.push_str(digits.format(class));
        for &value in values {
            out.push(' ');
            push_number(out, value, precision);
        }
        out.push('\n');
    }
}
