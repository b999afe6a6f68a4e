//! An indexed dataset with pycocotools' query semantics.
//!
//! [`Coco`] is `pycocotools.coco.COCO`: the dataset plus lookups by id and the
//! `getAnnIds` / `getCatIds` / `getImgIds` queries, including their surprises (see the
//! method docs), so code ported from Python gets the same answers.

use std::collections::HashSet;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::error::ReadError;
use crate::ids::{AnnotationId, CategoryId, ImageId};
use crate::model::{Annotation, Category, Dataset, Image};
use crate::read::{ReadOptions, read_dataset};
use cocoprep_base::progress::Reporter;

/// A query cannot be answered the way pycocotools would, because pycocotools would raise.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// A record lacks a member the query reads (pycocotools raises `KeyError`).
    #[error("annotations[{index}] has no `{member}`, which this query needs")]
    MissingMember {
        /// Position of the annotation in `annotations`.
        index: usize,
        /// The missing member.
        member: &'static str,
    },
    /// A category lacks a member the query reads (pycocotools raises `KeyError`): LVIS and
    /// Objects365 categories have no `supercategory`.
    #[error("categories[{index}] has no `{member}`, which this query needs")]
    MissingCategoryMember {
        /// Position of the category in `categories`.
        index: usize,
        /// The missing member.
        member: &'static str,
    },
    /// The file has no such top-level list (pycocotools raises `KeyError`).
    #[error("the file has no `{key}` list")]
    MissingList {
        /// `annotations` or `categories`.
        key: &'static str,
    },
    /// An id passed to a `load_*` call does not exist (pycocotools raises `KeyError`).
    #[error("no {kind} with id {id}")]
    UnknownId {
        /// `annotation`, `image` or `category`.
        kind: &'static str,
        /// The id.
        id: u64,
    },
}

/// Filters for [`Coco::annotation_ids`], `getAnnIds(imgIds, catIds, areaRng, iscrowd)`.
#[derive(Clone, Debug, Default)]
pub struct AnnotationQuery<'a> {
    /// Only annotations of these images, in this order (`imgIds`); empty = all.
    pub image_ids: &'a [ImageId],
    /// Only annotations of these categories (`catIds`); empty = all.
    pub category_ids: &'a [CategoryId],
    /// Only annotations with `low < area < high`, **exclusive** (`areaRng`).
    pub area_range: Option<(f64, f64)>,
    /// Only annotations with this `iscrowd` (`iscrowd`).
    pub iscrowd: Option<bool>,
}

/// A dataset with its indexes, the equivalent of `pycocotools.coco.COCO`.
#[derive(Debug)]
pub struct Coco {
    dataset: Dataset,
    /// `anns`: last occurrence wins on duplicate ids, like a Python dict.
    annotations_by_id: FxHashMap<AnnotationId, u32>,
    images_by_id: FxHashMap<ImageId, u32>,
    categories_by_id: FxHashMap<CategoryId, u32>,
    /// `imgToAnns` as compressed rows: the annotations of image slot `s` are
    /// `image_annotation_indexes[image_annotation_starts[s]..image_annotation_starts[s+1]]`.
    image_slots: FxHashMap<ImageId, u32>,
    image_annotation_starts: Vec<u32>,
    image_annotation_indexes: Vec<u32>,
    /// `catToImgs`, with one entry per annotation (duplicates kept, as pycocotools does).
    /// `None` when the file lacks `annotations` or `categories`, where pycocotools leaves
    /// it empty.
    category_images: Option<FxHashMap<CategoryId, Vec<ImageId>>>,
}

impl Coco {
    /// Reads and indexes a file: `COCO(path)`.
    pub fn open(
        path: &Path,
        options: &ReadOptions,
        reporter: &dyn Reporter,
    ) -> Result<Self, ReadError> {
        Ok(Self::new(read_dataset(path, options, reporter)?))
    }

    /// Indexes a dataset: `createIndex()`.
    pub fn new(dataset: Dataset) -> Self {
        let mut annotations_by_id =
            FxHashMap::with_capacity_and_hasher(dataset.annotations.len(), Default::default());
        let mut image_slots: FxHashMap<ImageId, u32> = FxHashMap::default();
        let mut slot_of_annotation = Vec::with_capacity(dataset.annotations.len());
        let mut slot_sizes: Vec<u32> = Vec::new();
        for (index, annotation) in dataset.annotations.iter().enumerate() {
            if let Some(id) = annotation.id {
                annotations_by_id.insert(id, index as u32);
            }
            let next_slot = image_slots.len() as u32;
            let slot = *image_slots.entry(annotation.image_id).or_insert(next_slot);
            if slot == next_slot {
                slot_sizes.push(0);
            }
            slot_sizes[slot as usize] += 1;
            slot_of_annotation.push(slot);
        }
        let mut image_annotation_starts = Vec::with_capacity(slot_sizes.len() + 1);
        let mut total = 0u32;
        image_annotation_starts.push(0);
        for size in &slot_sizes {
            total += size;
            image_annotation_starts.push(total);
        }
        let mut cursor: Vec<u32> = image_annotation_starts[..slot_sizes.len()].to_vec();
        let mut image_annotation_indexes = vec![0u32; dataset.annotations.len()];
        for (index, slot) in slot_of_annotation.into_iter().enumerate() {
            image_annotation_indexes[cursor[slot as usize] as usize] = index as u32;
            cursor[slot as usize] += 1;
        }

        let mut images_by_id =
            FxHashMap::with_capacity_and_hasher(dataset.images.len(), Default::default());
        for (index, image) in dataset.images.iter().enumerate() {
            images_by_id.insert(image.id, index as u32);
        }
        let mut categories_by_id = FxHashMap::default();
        for (index, category) in dataset.categories.iter().enumerate() {
            categories_by_id.insert(category.id, index as u32);
        }
        let category_images =
            (dataset.sections.annotations && dataset.sections.categories).then(|| {
                let mut map: FxHashMap<CategoryId, Vec<ImageId>> = FxHashMap::default();
                for annotation in &dataset.annotations {
                    if let Some(category_id) = annotation.category_id {
                        map.entry(category_id)
                            .or_default()
                            .push(annotation.image_id);
                    }
                }
                map
            });
        Self {
            dataset,
            annotations_by_id,
            images_by_id,
            categories_by_id,
            image_slots,
            image_annotation_starts,
            image_annotation_indexes,
            category_images,
        }
    }

    /// The indexed dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Gives the dataset back, dropping the indexes.
    pub fn into_dataset(self) -> Dataset {
        self.dataset
    }

    /// The annotation with this id (the last one if the id is duplicated).
    pub fn annotation(&self, id: AnnotationId) -> Option<&Annotation> {
        self.annotations_by_id
            .get(&id)
            .map(|&index| &self.dataset.annotations[index as usize])
    }

    /// The position in `annotations` of the annotation with this id (the last one if the
    /// id is duplicated).
    pub fn annotation_position(&self, id: AnnotationId) -> Option<usize> {
        self.annotations_by_id.get(&id).map(|&index| index as usize)
    }

    /// The image with this id (the last one if duplicated).
    pub fn image(&self, id: ImageId) -> Option<&Image> {
        self.images_by_id
            .get(&id)
            .map(|&index| &self.dataset.images[index as usize])
    }

    /// The category with this id (the last one if duplicated).
    pub fn category(&self, id: CategoryId) -> Option<&Category> {
        self.categories_by_id
            .get(&id)
            .map(|&index| &self.dataset.categories[index as usize])
    }

    /// Positions in `annotations` of the annotations of `image_id`, in file order
    /// (`imgToAnns[image_id]`), including annotations whose image is not in `images`.
    pub fn image_annotation_indexes(&self, image_id: ImageId) -> &[u32] {
        match self.image_slots.get(&image_id) {
            Some(&slot) => {
                let start = self.image_annotation_starts[slot as usize] as usize;
                let end = self.image_annotation_starts[slot as usize + 1] as usize;
                &self.image_annotation_indexes[start..end]
            }
            None => &[],
        }
    }

    /// The annotations of `image_id`, in file order.
    pub fn image_annotations(&self, image_id: ImageId) -> impl Iterator<Item = &Annotation> {
        self.image_annotation_indexes(image_id)
            .iter()
            .map(|&index| &self.dataset.annotations[index as usize])
    }

    /// `getAnnIds`: ids of the annotations that pass every filter.
    ///
    /// pycocotools semantics: with image ids, candidates are taken image by image in the
    /// order given (unknown images skipped, repeated images repeated); otherwise in file
    /// order. The area filter is exclusive at both ends. Errors where pycocotools would
    /// raise `KeyError` (a filter reads a member an annotation lacks).
    pub fn annotation_ids(&self, query: &AnnotationQuery) -> Result<Vec<AnnotationId>, QueryError> {
        let annotations = &self.dataset.annotations;
        if query.image_ids.is_empty() && !self.dataset.sections.annotations {
            return Err(QueryError::MissingList { key: "annotations" });
        }
        let candidates: Box<dyn Iterator<Item = usize> + '_> = if query.image_ids.is_empty() {
            Box::new(0..annotations.len())
        } else {
            Box::new(query.image_ids.iter().flat_map(|&image_id| {
                self.image_annotation_indexes(image_id)
                    .iter()
                    .map(|&index| index as usize)
            }))
        };
        let categories: HashSet<CategoryId> = query.category_ids.iter().copied().collect();
        let mut ids = Vec::new();
        for index in candidates {
            let annotation = &annotations[index];
            let missing = |member| QueryError::MissingMember { index, member };
            if !categories.is_empty() {
                let category_id = annotation
                    .category_id
                    .ok_or_else(|| missing("category_id"))?;
                if !categories.contains(&category_id) {
                    continue;
                }
            }
            if let Some((low, high)) = query.area_range {
                let area = annotation.area.ok_or_else(|| missing("area"))?;
                if !(area > low && area < high) {
                    continue;
                }
            }
            if let Some(iscrowd) = query.iscrowd
                && annotation.iscrowd.ok_or_else(|| missing("iscrowd"))? != iscrowd
            {
                continue;
            }
            ids.push(annotation.id.ok_or_else(|| missing("id"))?);
        }
        Ok(ids)
    }

    /// `getCatIds(catNms, supNms, catIds)`: ids of the categories matching every non-empty
    /// filter, in `categories` order (not sorted). A category without `supercategory`
    /// never matches a supercategory filter. Errors if the file has no `categories` list.
    pub fn category_ids(
        &self,
        names: &[&str],
        supercategories: &[&str],
        ids: &[CategoryId],
    ) -> Result<Vec<CategoryId>, QueryError> {
        if !self.dataset.sections.categories {
            return Err(QueryError::MissingList { key: "categories" });
        }
        let mut found = Vec::new();
        for (index, category) in self.dataset.categories.iter().enumerate() {
            if !names.is_empty() && !names.contains(&category.name.as_str()) {
                continue;
            }
            if !supercategories.is_empty() {
                // pycocotools reads `cat['supercategory']` of every category left after the
                // name filter.
                let Some(supercategory) = category.supercategory.as_deref() else {
                    return Err(QueryError::MissingCategoryMember {
                        index,
                        member: "supercategory",
                    });
                };
                if !supercategories.contains(&supercategory) {
                    continue;
                }
            }
            if ids.is_empty() || ids.contains(&category.id) {
                found.push(category.id);
            }
        }
        Ok(found)
    }

    /// `getImgIds(imgIds, catIds)`.
    ///
    /// Without filters: every image id in first-appearance order. With filters, pycocotools'
    /// set logic: start from `image_ids`, then **intersect** with the images of each
    /// category in turn (images containing *all* the categories); if `image_ids` is empty
    /// the first category's images are the start. Ids in `image_ids` need not exist.
    /// pycocotools returns Python set order; this returns ascending order.
    pub fn image_ids(&self, image_ids: &[ImageId], category_ids: &[CategoryId]) -> Vec<ImageId> {
        if image_ids.is_empty() && category_ids.is_empty() {
            let mut seen = HashSet::with_capacity(self.dataset.images.len());
            return self
                .dataset
                .images
                .iter()
                .map(|image| image.id)
                .filter(|id| seen.insert(*id))
                .collect();
        }
        let empty = Vec::new();
        let images_of = |category_id: &CategoryId| -> HashSet<ImageId> {
            let list = self
                .category_images
                .as_ref()
                .and_then(|map| map.get(category_id))
                .unwrap_or(&empty);
            list.iter().copied().collect()
        };
        let mut ids: HashSet<ImageId> = image_ids.iter().copied().collect();
        for (position, category_id) in category_ids.iter().enumerate() {
            if position == 0 && ids.is_empty() {
                ids = images_of(category_id);
            } else {
                let category = images_of(category_id);
                ids.retain(|id| category.contains(id));
            }
        }
        let mut ids: Vec<ImageId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids
    }

    /// `loadAnns(ids)`.
    pub fn load_annotations(&self, ids: &[AnnotationId]) -> Result<Vec<&Annotation>, QueryError> {
        ids.iter()
            .map(|&id| {
                self.annotation(id).ok_or(QueryError::UnknownId {
                    kind: "annotation",
                    id: id.0,
                })
            })
            .collect()
    }

    /// `loadImgs(ids)`.
    pub fn load_images(&self, ids: &[ImageId]) -> Result<Vec<&Image>, QueryError> {
        ids.iter()
            .map(|&id| {
                self.image(id).ok_or(QueryError::UnknownId {
                    kind: "image",
                    id: id.0,
                })
            })
            .collect()
    }

    /// `loadCats(ids)`.
    pub fn load_categories(&self, ids: &[CategoryId]) -> Result<Vec<&Category>, QueryError> {
        ids.iter()
            .map(|&id| {
                self.category(id).ok_or(QueryError::UnknownId {
                    kind: "category",
                    id: id.0 as u64,
                })
            })
            .collect()
    }
}
