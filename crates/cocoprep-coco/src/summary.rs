//! The numbers `cocoprep inspect` shows.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::ids::{CategoryId, ImageId};
use crate::model::{Dataset, Layout};
use crate::segmentation::{RleCounts, Segmentation};

/// COCOeval's area thresholds: small < 32², medium < 96², large otherwise.
pub const SMALL_AREA_LIMIT: f64 = 32.0 * 32.0;
/// See [`SMALL_AREA_LIMIT`].
pub const MEDIUM_AREA_LIMIT: f64 = 96.0 * 96.0;

/// What kind of COCO file this looks like, judged from its records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// Object instances (boxes and segmentations).
    Instances,
    /// Person keypoints.
    Keypoints,
    /// Captions.
    Captions,
    /// Panoptic segmentation (per-image `segments_info`).
    Panoptic,
    /// A results list of detections.
    DetectionResults,
    /// A results list of captions.
    CaptionResults,
    /// Images and categories only (e.g. `image_info_test2017.json`).
    ImageInfo,
}

/// Counts by COCO area range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AreaCounts {
    /// `area < 32²`.
    pub small: usize,
    /// `32² <= area < 96²`.
    pub medium: usize,
    /// `area >= 96²`.
    pub large: usize,
    /// No `area` member.
    pub missing: usize,
}

/// Counts by segmentation form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SegmentationCounts {
    /// Polygon lists.
    pub polygons: usize,
    /// `counts` as a list.
    pub uncompressed_rle: usize,
    /// `counts` as a string.
    pub compressed_rle: usize,
    /// No `segmentation`.
    pub none: usize,
}

/// Per-category numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategorySummary {
    /// Category id.
    pub id: CategoryId,
    /// Category name.
    pub name: String,
    /// Supercategory, if any.
    pub supercategory: Option<String>,
    /// Annotations of this category.
    pub instances: usize,
    /// Of which crowd regions.
    pub crowd: usize,
    /// Distinct images with at least one annotation of this category.
    pub images: usize,
}

/// Minimum, mean and maximum of a count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Spread {
    /// Smallest value.
    pub min: usize,
    /// Mean value.
    pub mean: f64,
    /// Largest value.
    pub max: usize,
}

impl Spread {
    fn of(values: impl Iterator<Item = usize>) -> Option<Self> {
        let (mut min, mut max, mut sum, mut count) = (usize::MAX, 0, 0usize, 0usize);
        for value in values {
            min = min.min(value);
            max = max.max(value);
            sum += value;
            count += 1;
        }
        (count > 0).then(|| Spread {
            min,
            mean: sum as f64 / count as f64,
            max,
        })
    }
}

/// Keypoint numbers (person keypoints files).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KeypointSummary {
    /// Annotations that carry a `keypoints` array.
    pub annotations_with_keypoints: usize,
    /// Of which have at least one labelled keypoint (`num_keypoints > 0`).
    pub annotations_with_labelled_keypoints: usize,
    /// Labelled keypoints (v > 0) per annotation with keypoints.
    pub labelled_per_annotation: Option<Spread>,
    /// Keypoints with v = 2 (visible) in all annotations.
    pub visible: usize,
    /// Keypoints with v = 1 (labelled, not visible).
    pub occluded: usize,
    /// For each keypoint name (of the first category that defines names), how many
    /// annotations label it.
    pub labelled_by_name: Vec<(String, usize)>,
}

/// Caption numbers (caption files).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CaptionSummary {
    /// Annotations with a caption.
    pub captions: usize,
    /// Images with at least one caption.
    pub images_with_captions: usize,
    /// Captions per captioned image.
    pub per_image: Option<Spread>,
    /// Words (whitespace-separated) per caption.
    pub words_per_caption: Option<Spread>,
    /// Distinct lowercased words (punctuation stripped).
    pub vocabulary: usize,
}

/// Everything `inspect` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The kind of file.
    pub kind: FileKind,
    /// Entries of `images`.
    pub images: usize,
    /// Entries of `annotations`.
    pub annotations: usize,
    /// Entries of `categories`.
    pub categories: usize,
    /// Entries of `licenses`.
    pub licenses: usize,
    /// Annotations with `iscrowd: 1`.
    pub crowd_annotations: usize,
    /// Images that no annotation refers to.
    pub images_without_annotations: usize,
    /// Annotations whose image is not in `images`.
    pub annotations_with_unknown_image: usize,
    /// Annotations whose category is not in `categories`.
    pub annotations_with_unknown_category: usize,
    /// Annotations per image (over all images in `images`).
    pub annotations_per_image: Option<Spread>,
    /// Annotations by COCO area range.
    pub area: AreaCounts,
    /// Annotations by segmentation form.
    pub segmentation: SegmentationCounts,
    /// Per-category numbers, in `categories` order.
    pub per_category: Vec<CategorySummary>,
    /// Keypoint numbers, if any annotation has keypoints.
    pub keypoints: Option<KeypointSummary>,
    /// Caption numbers, if any annotation has a caption.
    pub captions: Option<CaptionSummary>,
}

impl Summary {
    /// Computes the summary in one pass over the annotations.
    pub fn of(dataset: &Dataset) -> Self {
        let image_ids: HashSet<ImageId> = dataset.images.iter().map(|image| image.id).collect();
        let category_ids: HashSet<CategoryId> = dataset
            .categories
            .iter()
            .map(|category| category.id)
            .collect();
        let mut per_image: HashMap<ImageId, usize> = HashMap::with_capacity(dataset.images.len());
        let mut per_category: HashMap<CategoryId, (usize, usize, HashSet<ImageId>)> =
            HashMap::new();
        let mut area = AreaCounts::default();
        let mut segmentation = SegmentationCounts::default();
        let (mut crowd, mut unknown_image, mut unknown_category) = (0, 0, 0);
        let mut keypoints = KeypointSummary::default();
        let mut labelled_counts = Vec::new();
        let keypoint_names: Vec<String> = dataset
            .categories
            .iter()
            .find_map(|c| c.keypoints.clone())
            .unwrap_or_default();
        let mut labelled_by_index = vec![0usize; keypoint_names.len()];
        let mut captions = CaptionSummary::default();
        let mut captions_per_image: HashMap<ImageId, usize> = HashMap::new();
        let mut words_per_caption = Vec::new();
        let mut vocabulary: HashSet<String> = HashSet::new();
        let mut panoptic = 0;

        for annotation in &dataset.annotations {
            *per_image.entry(annotation.image_id).or_default() += 1;
            if !image_ids.contains(&annotation.image_id)
                && dataset.sections.images
                && dataset.layout == Layout::Object
            {
                unknown_image += 1;
            }
            if annotation.is_crowd() {
                crowd += 1;
            }
            if let Some(category_id) = annotation.category_id {
                if dataset.sections.categories && !category_ids.contains(&category_id) {
                    unknown_category += 1;
                }
                let entry = per_category.entry(category_id).or_default();
                entry.0 += 1;
                entry.1 += annotation.is_crowd() as usize;
                entry.2.insert(annotation.image_id);
            }
            if annotation.caption.is_none() {
                match annotation.area {
                    Some(value) if value < SMALL_AREA_LIMIT => area.small += 1,
                    Some(value) if value < MEDIUM_AREA_LIMIT => area.medium += 1,
                    Some(_) => area.large += 1,
                    None => area.missing += 1,
                }
                match &annotation.segmentation {
                    Some(Segmentation::Polygons(_)) => segmentation.polygons += 1,
                    Some(Segmentation::Rle(rle)) => match rle.counts {
                        RleCounts::Uncompressed(_) => segmentation.uncompressed_rle += 1,
                        RleCounts::Compressed(_) => segmentation.compressed_rle += 1,
                    },
                    None => segmentation.none += 1,
                }
            }
            if annotation.panoptic.is_some() {
                panoptic += 1;
            }
            if let Some(values) = &annotation.keypoints {
                keypoints.annotations_with_keypoints += 1;
                let values = values.values();
                let mut labelled = 0;
                for (index, triplet) in values.chunks(3).enumerate() {
                    let visibility = triplet.get(2).copied().unwrap_or(0.0);
                    if visibility > 0.0 {
                        labelled += 1;
                        if let Some(count) = labelled_by_index.get_mut(index) {
                            *count += 1;
                        }
                    }
                    if visibility == 2.0 {
                        keypoints.visible += 1;
                    } else if visibility == 1.0 {
                        keypoints.occluded += 1;
                    }
                }
                if labelled > 0 {
                    keypoints.annotations_with_labelled_keypoints += 1;
                }
                labelled_counts.push(labelled);
            }
            if let Some(caption) = &annotation.caption {
                captions.captions += 1;
                *captions_per_image.entry(annotation.image_id).or_default() += 1;
                let mut words = 0;
                for word in caption.split_whitespace() {
                    words += 1;
                    let word: String = word
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(char::to_lowercase)
                        .collect();
                    if !word.is_empty() && !vocabulary.contains(&word) {
                        vocabulary.insert(word);
                    }
                }
                words_per_caption.push(words);
            }
        }

        let kind = if dataset.layout == Layout::ResultsList {
            if captions.captions > 0 {
                FileKind::CaptionResults
            } else {
                FileKind::DetectionResults
            }
        } else if panoptic > 0 {
            FileKind::Panoptic
        } else if captions.captions > 0 {
            FileKind::Captions
        } else if keypoints.annotations_with_keypoints > 0 {
            FileKind::Keypoints
        } else if dataset.annotations.is_empty() {
            FileKind::ImageInfo
        } else {
            FileKind::Instances
        };
        let keypoints = (keypoints.annotations_with_keypoints > 0).then(|| KeypointSummary {
            labelled_per_annotation: Spread::of(labelled_counts.into_iter()),
            labelled_by_name: keypoint_names.into_iter().zip(labelled_by_index).collect(),
            ..keypoints
        });
        let captions = (captions.captions > 0).then(|| CaptionSummary {
            images_with_captions: captions_per_image.len(),
            per_image: Spread::of(captions_per_image.values().copied()),
            words_per_caption: Spread::of(words_per_caption.into_iter()),
            vocabulary: vocabulary.len(),
            ..captions
        });
        let per_category = dataset
            .categories
            .iter()
            .map(|category| {
                let (instances, crowd, images) = per_category
                    .get(&category.id)
                    .map_or((0, 0, 0), |(n, c, i)| (*n, *c, i.len()));
                CategorySummary {
                    id: category.id,
                    name: category.name.clone(),
                    supercategory: category.supercategory.clone(),
                    instances,
                    crowd,
                    images,
                }
            })
            .collect();
        let mut unique_images = HashSet::with_capacity(dataset.images.len());
        let counts_per_image: Vec<usize> = dataset
            .images
            .iter()
            .filter(|image| unique_images.insert(image.id))
            .map(|image| per_image.get(&image.id).copied().unwrap_or(0))
            .collect();
        Summary {
            kind,
            images: dataset.images.len(),
            annotations: dataset.annotations.len(),
            categories: dataset.categories.len(),
            licenses: dataset.licenses.len(),
            crowd_annotations: crowd,
            images_without_annotations: counts_per_image
                .iter()
                .filter(|&&count| count == 0)
                .count(),
            annotations_with_unknown_image: unknown_image,
            annotations_with_unknown_category: unknown_category,
            annotations_per_image: Spread::of(counts_per_image.into_iter()),
            area,
            segmentation,
            per_category,
            keypoints,
            captions,
        }
    }
}
