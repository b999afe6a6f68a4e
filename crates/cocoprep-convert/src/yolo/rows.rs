//! The rows of one image's YOLO label file, computed the way Ultralytics 8.4's
//! `convert_coco` computes them (same float operations in the same order, so the numbers
//! are bit-identical before formatting).

use std::path::Path;

use cocoprep_coco::{Annotation, Image, Segmentation};

use super::merge::merge_multi_segment;
use crate::classes::ClassTable;
use crate::error::{AnnotationLabel, Error};
use crate::number::{Precision, push_number};
use crate::outline::outer_contours;
use cocoprep_coco::mask::RunLengthMask;

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
        let member_error = |member| Error::ImageMember {
            file: self.file.to_owned(),
            image_id: image.id,
            member,
        };
        let width = f64::from(image.width.ok_or_else(|| member_error("width"))?);
        let height = f64::from(image.height.ok_or_else(|| member_error("height"))?);
        let mut rows: Vec<Row> = Vec::with_capacity(annotations.len());
        for &(index, annotation) in annotations {
            let label = AnnotationLabel::of(annotation, index);
            let annotation_error = |message: String| Error::Annotation {
                file: self.file.to_owned(),
                annotation: label,
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
                        annotation: label,
                        category_id,
                        mapping: self.classes.mapping().name(),
                        hint: ": use `--class-map dense` for datasets whose ids are not COCO's",
                    });
                }
            };
            let mut values = vec![center_x, center_y, box_width, box_height];
            match self.geometry {
                Geometry::Boxes => {}
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
                    for triple in keypoints.chunks_exact(3) {
                        values.extend_from_slice(&[
                            triple[0] / width,
                            triple[1] / height,
                            triple[2],
                        ]);
                    }
                }
                Geometry::Segments => {
                    values = self
                        .segment(
                            annotation,
                            (width, height),
                            [center_x, center_y, box_width, box_height],
                            counts,
                        )
                        .map_err(annotation_error)?;
                }
            }
            counts.rows += 1;
            let row = Row { class, values };
            if rows.contains(&row) {
                counts.duplicates += 1;
            } else {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    fn segment(
        &self,
        annotation: &Annotation,
        (width, height): (f64, f64),
        [center_x, center_y, box_width, box_height]: [f64; 4],
        counts: &mut RowCounts,
    ) -> Result<Vec<f64>, String> {
        let mut polygons: Vec<Vec<f64>> = match &annotation.segmentation {
            Some(Segmentation::Rle(rle))
                if f64::from(rle.height) == height && f64::from(rle.width) == width =>
            {
                let mask = RunLengthMask::from_rle(rle)
                    .map_err(|error| format!("`segmentation`: {error}"))?
                    .decode_row_major();
                counts.rle_traced += 1;
                outer_contours(&mask, rle.width as usize, rle.height as usize)
                    .into_iter()
                    .map(|contour| {
                        contour
                            .iter()
                            .flat_map(|&[x, y]| [f64::from(x), f64::from(y)])
                            .collect::<Vec<f64>>()
                    })
                    .filter(|part| part.len() >= 6)
                    .collect()
            }
            Some(Segmentation::Polygons(packed)) => {
                let mut parts = Vec::with_capacity(1);
                let _ = packed.try_for_each_part::<()>(|part| {
                    if part.len() >= 6 && part.len() % 2 == 0 {
                        parts.push(part.to_vec());
                    }
                    Ok(())
                });
                parts
            }
            // An RLE of another size, or no segmentation.
            _ => Vec::new(),
        };
        Ok(match polygons.len() {
            0 => {
                counts.box_polygons += 1;
                let (x1, y1) = (center_x - box_width / 2.0, center_y - box_height / 2.0);
                let (x2, y2) = (center_x + box_width / 2.0, center_y + box_height / 2.0);
                vec![x1, y1, x2, y1, x2, y2, x1, y2]
            }
            1 => {
                // Normalised in place: one polygon is the common case.
                let mut polygon = polygons.pop().unwrap_or_default();
                for xy in polygon.chunks_exact_mut(2) {
                    xy[0] /= width;
                    xy[1] /= height;
                }
                polygon
            }
            _ => {
                counts.parts_merged += 1;
                merge_multi_segment(&polygons)
                    .into_iter()
                    .flat_map(|[x, y]| [x / width, y / height])
                    .collect()
            }
        })
    }
}

/// Appends rows as label text: space-separated, one row per line.
pub fn push_rows(out: &mut String, rows: &[Row], precision: Precision) {
    for row in rows {
        use std::fmt::Write;
        let _ = write!(out, "{}", row.class);
        for &value in &row.values {
            out.push(' ');
            push_number(out, value, precision);
        }
        out.push('\n');
    }
}
