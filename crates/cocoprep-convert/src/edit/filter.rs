//! Keeping part of a COCO file: by category, image id, area and crowd flag.

use cocoprep_coco::{CategoryId, Dataset, ImageId};
use rustc_hash::FxHashSet;

use crate::classes::resolve_names;
use crate::error::Error;

/// What to do with `iscrowd: 1` annotations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CrowdFilter {
    /// Keep them.
    #[default]
    Keep,
    /// Drop them.
    Drop,
    /// Keep only them.
    Only,
}

/// What [`filter`] keeps. Empty lists mean "no condition".
#[derive(Clone, Debug, Default)]
pub struct FilterOptions {
    /// Keep annotations of these category names (exact match).
    pub category_names: Vec<String>,
    /// Keep annotations of these category ids.
    pub category_ids: Vec<CategoryId>,
    /// Keep these images.
    pub image_ids: Vec<ImageId>,
    /// Keep annotations with `area >= min_area`.
    pub min_area: Option<f64>,
    /// Keep annotations with `area <= max_area`.
    pub max_area: Option<f64>,
    /// Crowd annotations.
    pub crowd: CrowdFilter,
    /// Drop images left without annotations.
    pub drop_empty_images: bool,
    /// Keep every category record even when filtering by category.
    pub keep_all_categories: bool,
}

/// Counts of what [`filter`] kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FilterReport {
    /// Images before and after.
    pub images: (usize, usize),
    /// Annotations before and after.
    pub annotations: (usize, usize),
    /// Categories before and after.
    pub categories: (usize, usize),
}

/// Applies `options` to `dataset`.
pub fn filter(
    mut dataset: Dataset,
    options: &FilterOptions,
) -> Result<(Dataset, FilterReport), Error> {
    let before = (
        dataset.images.len(),
        dataset.annotations.len(),
        dataset.categories.len(),
    );
    let mut categories: FxHashSet<CategoryId> = options.category_ids.iter().copied().collect();
    if !options.category_names.is_empty() {
        let names: Vec<String> = dataset.categories.iter().map(|c| c.name.clone()).collect();
        for position in resolve_names(&options.category_names, &names)? {
            categories.insert(dataset.categories[position].id);
        }
    }
    let by_category = !categories.is_empty();
    let images: FxHashSet<ImageId> = options.image_ids.iter().copied().collect();
    if !images.is_empty() {
        dataset.images.retain(|image| images.contains(&image.id));
    }
    let kept_images: FxHashSet<ImageId> = dataset.images.iter().map(|image| image.id).collect();
    dataset.annotations.retain(|annotation| {
        let area = annotation
            .area
            .unwrap_or_else(|| annotation.bbox.map_or(0.0, |b| b.area()));
        kept_images.contains(&annotation.image_id)
            && (!by_category
                || annotation
                    .category_id
                    .is_some_and(|id| categories.contains(&id)))
            && options.min_area.is_none_or(|min| area >= min)
            && options.max_area.is_none_or(|max| area <= max)
            && match options.crowd {
                CrowdFilter::Keep => true,
                CrowdFilter::Drop => !annotation.is_crowd(),
                CrowdFilter::Only => annotation.is_crowd(),
            }
    });
    if options.drop_empty_images {
        let annotated: FxHashSet<ImageId> =
            dataset.annotations.iter().map(|a| a.image_id).collect();
        dataset.images.retain(|image| annotated.contains(&image.id));
    }
    if by_category && !options.keep_all_categories {
        dataset
            .categories
            .retain(|category| categories.contains(&category.id));
    }
    let report = FilterReport {
        images: (before.0, dataset.images.len()),
        annotations: (before.1, dataset.annotations.len()),
        categories: (before.2, dataset.categories.len()),
    };
    Ok((dataset, report))
}
