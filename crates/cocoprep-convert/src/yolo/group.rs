//! Annotations grouped by image, in the order Ultralytics walks them.

use std::ops::Range;

use cocoprep_coco::{Annotation, Image, ImageId};
use rustc_hash::FxHashMap;

use super::SplitSource;
use crate::error::{AnnotationLabel, Error};

/// An annotation and its position in the file (for messages).
pub(crate) type Numbered<'a> = (usize, &'a Annotation);

/// The images of a split with their annotations: images in order of their first
/// annotation (the order Ultralytics' `defaultdict` walks them in), then, if asked for,
/// the images without annotations.
///
/// Stored as one array of annotations sorted by group (a counting sort, stable within an
/// image) rather than one vector per image: on train2017 that is 118k fewer allocations,
/// in a step that runs before the parallel work can start.
pub(crate) struct ImageGroups<'a> {
    images: Vec<&'a Image>,
    /// Image `g`'s annotations are `annotations[ranges[g]]`.
    ranges: Vec<Range<usize>>,
    annotations: Vec<Numbered<'a>>,
}

impl<'a> ImageGroups<'a> {
    /// Groups the annotations of `split`; an annotation of an image that is not in the
    /// file is an error.
    pub(crate) fn of(split: &SplitSource<'a>, include_empty: bool) -> Result<Self, Error> {
        let dataset = split.dataset;
        // Image id → position in `images` (the last image wins if an id repeats, as a
        // Python dict keyed by id does).
        let position: FxHashMap<ImageId, u32> = dataset
            .images
            .iter()
            .enumerate()
            .map(|(index, image)| (image.id, index as u32))
            .collect();
        const NONE: u32 = u32::MAX;
        let mut group_of_image = vec![NONE; dataset.images.len()];
        let mut images: Vec<&Image> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        let mut group_of_annotation = Vec::with_capacity(dataset.annotations.len());
        for (index, annotation) in dataset.annotations.iter().enumerate() {
            let Some(&image) = position.get(&annotation.image_id) else {
                return Err(Error::DanglingAnnotation {
                    file: split.file.clone(),
                    annotation: AnnotationLabel::of(annotation, index),
                    image_id: annotation.image_id,
                });
            };
            let group = &mut group_of_image[image as usize];
            if *group == NONE {
                *group = images.len() as u32;
                images.push(&dataset.images[image as usize]);
                counts.push(0);
            }
            counts[*group as usize] += 1;
            group_of_annotation.push(*group);
        }
        if include_empty {
            for image in &dataset.images {
                if group_of_image[position[&image.id] as usize] == NONE {
                    images.push(image);
                    counts.push(0);
                }
            }
        }
        let mut ranges = Vec::with_capacity(counts.len());
        let mut start = 0;
        for count in counts {
            ranges.push(start..start + count);
            start += count;
        }
        let mut next: Vec<usize> = ranges.iter().map(|range| range.start).collect();
        // Every slot is written below; the first annotation only fills them until then.
        let mut annotations: Vec<Numbered> = match dataset.annotations.first() {
            Some(first) => vec![(0, first); dataset.annotations.len()],
            None => Vec::new(),
        };
        for ((index, annotation), group) in dataset
            .annotations
            .iter()
            .enumerate()
            .zip(group_of_annotation)
        {
            let slot = &mut next[group as usize];
            annotations[*slot] = (index, annotation);
            *slot += 1;
        }
        Ok(Self {
            images,
            ranges,
            annotations,
        })
    }

    /// How many images.
    pub(crate) fn len(&self) -> usize {
        self.images.len()
    }

    /// Image `group` and its annotations.
    pub(crate) fn get(&self, group: usize) -> (&'a Image, &[Numbered<'a>]) {
        (
            self.images[group],
            &self.annotations[self.ranges[group].clone()],
        )
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use cocoprep_coco::Dataset;

    use super::*;

    fn dataset() -> Dataset {
        Dataset::from_json_slice(
            br#"{"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"},
                           {"id": 3, "file_name": "c.jpg"}],
                "annotations": [{"id": 10, "image_id": 2}, {"id": 11, "image_id": 1},
                                {"id": 12, "image_id": 2}, {"id": 13, "image_id": 1},
                                {"id": 14, "image_id": 2}],
                "categories": []}"#,
        )
        .unwrap()
    }

    fn grouped(dataset: &Dataset, include_empty: bool) -> Result<Vec<(u64, Vec<usize>)>, Error> {
        let split = SplitSource {
            name: "val".to_owned(),
            file: PathBuf::from("val.json"),
            dataset,
        };
        let groups = ImageGroups::of(&split, include_empty)?;
        Ok((0..groups.len())
            .map(|group| {
                let (image, annotations) = groups.get(group);
                (
                    image.id.0,
                    annotations.iter().map(|(index, _)| *index).collect(),
                )
            })
            .collect())
    }

    #[test]
    fn images_come_in_order_of_first_annotation_with_annotations_in_file_order() {
        let dataset = dataset();
        assert_eq!(
            grouped(&dataset, false).unwrap(),
            vec![(2, vec![0, 2, 4]), (1, vec![1, 3])]
        );
        assert_eq!(
            grouped(&dataset, true).unwrap(),
            vec![(2, vec![0, 2, 4]), (1, vec![1, 3]), (3, vec![])]
        );
    }

    #[test]
    fn an_annotation_of_a_missing_image_is_an_error() {
        let mut dataset = dataset();
        dataset.images.remove(0);
        let error = grouped(&dataset, false).unwrap_err().to_string();
        assert!(error.contains("val.json") && error.contains('1'), "{error}");
    }
}
