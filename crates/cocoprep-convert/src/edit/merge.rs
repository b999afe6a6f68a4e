//! Combining COCO files into one.
//!
//! Categories are matched by name: the first file's ids stand, a new name keeps its id
//! when that id is free and gets the next free id otherwise. Images are matched by
//! `file_name`: the same name is the same image (its annotations from every file end up
//! on one record), so `instances_val2017.json` + `person_keypoints_val2017.json` merge
//! into one file. Image and annotation ids that collide are renumbered past the largest
//! id in use; `renumber` renumbers everything `1..n` instead.

use std::path::PathBuf;

use cocoprep_coco::{AnnotationId, CategoryId, Dataset, ImageId};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Error;

/// What [`merge`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    /// Images in the result.
    pub images: usize,
    /// Images that appeared in more than one input (same `file_name`).
    pub shared_images: usize,
    /// Annotations in the result.
    pub annotations: usize,
    /// Categories in the result.
    pub categories: usize,
    /// Image ids changed to avoid a collision.
    pub renumbered_images: usize,
    /// Annotation ids changed to avoid a collision.
    pub renumbered_annotations: usize,
}

/// Merges `inputs` (`(file, dataset)`, in order).
pub fn merge(
    inputs: Vec<(PathBuf, Dataset)>,
    renumber: bool,
) -> Result<(Dataset, MergeReport), Error> {
    let mut report = MergeReport::default();
    let mut inputs = inputs.into_iter();
    let Some((_, mut merged)) = inputs.next() else {
        return Err(Error::Options("nothing to merge".to_owned()));
    };
    let mut category_by_name: FxHashMap<String, CategoryId> = merged
        .categories
        .iter()
        .map(|c| (c.name.clone(), c.id))
        .collect();
    let mut category_ids: FxHashSet<CategoryId> = merged.categories.iter().map(|c| c.id).collect();
    let mut image_by_name: FxHashMap<String, ImageId> = merged
        .images
        .iter()
        .filter_map(|image| Some((image.file_name.clone()?, image.id)))
        .collect();
    let mut image_ids: FxHashSet<ImageId> = merged.images.iter().map(|i| i.id).collect();
    let mut annotation_ids: FxHashSet<AnnotationId> =
        merged.annotations.iter().filter_map(|a| a.id).collect();
    let mut next_image = image_ids.iter().map(|id| id.0).max().unwrap_or(0) + 1;
    let mut next_annotation = annotation_ids.iter().map(|id| id.0).max().unwrap_or(0) + 1;
    for (file, dataset) in inputs {
        let mut category_map: FxHashMap<CategoryId, CategoryId> = FxHashMap::default();
        for category in &dataset.categories {
            let id = match category_by_name.get(&category.name) {
                Some(&id) => id,
                None => {
                    let id = if category_ids.contains(&category.id) {
                        CategoryId(category_ids.iter().map(|id| id.0).max().unwrap_or(0) + 1)
                    } else {
                        category.id
                    };
                    let mut added = category.clone();
                    added.id = id;
                    merged.categories.push(added);
                    category_ids.insert(id);
                    category_by_name.insert(category.name.clone(), id);
                    id
                }
            };
            category_map.insert(category.id, id);
        }
        let mut image_map: FxHashMap<ImageId, ImageId> = FxHashMap::default();
        for image in &dataset.images {
            if let Some(name) = &image.file_name
                && let Some(&existing) = image_by_name.get(name)
            {
                let known = merged.images.iter().find(|i| i.id == existing);
                if let Some(known) = known
                    && known.size() != image.size()
                {
                    return Err(Error::Inconsistent {
                        message: format!(
                            "`{}`: image `{name}` is {:?} here but {:?} in an earlier input",
                            file.display(),
                            image.size(),
                            known.size()
                        ),
                    });
                }
                image_map.insert(image.id, existing);
                report.shared_images += 1;
                continue;
            }
            let mut added = image.clone();
            if image_ids.contains(&image.id) {
                added.id = ImageId(next_image);
                next_image += 1;
                report.renumbered_images += 1;
            }
            next_image = next_image.max(added.id.0 + 1);
            image_ids.insert(added.id);
            if let Some(name) = &added.file_name {
                image_by_name.insert(name.clone(), added.id);
            }
            image_map.insert(image.id, added.id);
            merged.images.push(added);
        }
        for annotation in dataset.annotations {
            let mut added = annotation;
            added.image_id =
                *image_map
                    .get(&added.image_id)
                    .ok_or_else(|| Error::DanglingAnnotation {
                        file: file.clone(),
                        annotation: crate::AnnotationLabel::Id(added.id.unwrap_or_default()),
                        image_id: added.image_id,
                    })?;
            added.category_id = added
                .category_id
                .map(|id| category_map.get(&id).copied().unwrap_or(id));
            if let Some(id) = added.id
                && annotation_ids.contains(&id)
            {
                added.id = Some(AnnotationId(next_annotation));
                next_annotation += 1;
                report.renumbered_annotations += 1;
            }
            if let Some(id) = added.id {
                annotation_ids.insert(id);
                next_annotation = next_annotation.max(id.0 + 1);
            }
            merged.annotations.push(added);
        }
        if merged.info.is_none() {
            merged.info = dataset.info;
        }
        for license in dataset.licenses {
            if !merged.licenses.contains(&license) {
                merged.licenses.push(license);
            }
        }
    }
    if renumber {
        let mut image_map: FxHashMap<ImageId, ImageId> = FxHashMap::default();
        for (index, image) in merged.images.iter_mut().enumerate() {
            let id = ImageId(index as u64 + 1);
            image_map.insert(image.id, id);
            image.id = id;
        }
        for (index, annotation) in merged.annotations.iter_mut().enumerate() {
            annotation.id = Some(AnnotationId(index as u64 + 1));
            annotation.image_id = image_map[&annotation.image_id];
        }
    }
    merged.categories.sort_by_key(|category| category.id);
    report.images = merged.images.len();
    report.annotations = merged.annotations.len();
    report.categories = merged.categories.len();
    Ok((merged, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(json: &str) -> Dataset {
        Dataset::from_json_slice(json.as_bytes()).unwrap()
    }

    #[test]
    fn categories_match_by_name_and_colliding_ids_are_renumbered() {
        let first = dataset(
            r#"{"images": [{"id": 1, "width": 4, "height": 4, "file_name": "a.jpg"}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}],
                "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]}"#,
        );
        // Same ids, different meaning: image 1 is another file, category 1 is `dog`,
        // category 2 is new (`bird`), annotation 1 collides.
        let second = dataset(
            r#"{"images": [{"id": 1, "width": 8, "height": 8, "file_name": "b.jpg"}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]},
                                {"id": 2, "image_id": 1, "category_id": 2, "bbox": [0, 0, 3, 3]}],
                "categories": [{"id": 1, "name": "dog"}, {"id": 2, "name": "bird"}]}"#,
        );
        let (merged, report) = merge(
            vec![
                (PathBuf::from("a.json"), first),
                (PathBuf::from("b.json"), second),
            ],
            false,
        )
        .unwrap();
        let names: Vec<(u32, &str)> = merged
            .categories
            .iter()
            .map(|c| (c.id.0, c.name.as_str()))
            .collect();
        assert_eq!(names, vec![(1, "cat"), (2, "dog"), (3, "bird")]);
        let image_b = merged
            .images
            .iter()
            .find(|i| i.file_name.as_deref() == Some("b.jpg"))
            .unwrap();
        assert_eq!(image_b.id, ImageId(2));
        let moved: Vec<(u64, u64, u32)> = merged.annotations[1..]
            .iter()
            .map(|a| (a.id.unwrap().0, a.image_id.0, a.category_id.unwrap().0))
            .collect();
        // dog → 2, bird → 3; annotation 1 → 2 (next free), annotation 2 → 3.
        assert_eq!(moved, vec![(2, 2, 2), (3, 2, 3)]);
        assert_eq!(report.renumbered_images, 1);
        assert_eq!(report.renumbered_annotations, 2);
    }
}
