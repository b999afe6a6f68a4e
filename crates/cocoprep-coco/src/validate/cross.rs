//! Rules that span records: ids, references and geometry against the image size.

use std::collections::HashMap;

use super::issue::{Issue, IssueCode, Severity};
use super::record::{AnnotationFacts, CategoryFacts, Facts, ImageFacts};

/// Boxes may stick out of their image by float noise; beyond this many pixels it is an
/// error, below it a warning.
const OUTSIDE_TOLERANCE_PIXELS: f64 = 1.0;

/// The facts of every record, in file order per kind.
#[derive(Default)]
pub(crate) struct CollectedFacts {
    pub(crate) images: Vec<ImageFacts>,
    pub(crate) annotations: Vec<AnnotationFacts>,
    pub(crate) categories: Vec<CategoryFacts>,
}

impl CollectedFacts {
    pub(crate) fn push(&mut self, facts: Facts) {
        match facts {
            Facts::Image(facts) => self.images.push(facts),
            Facts::Annotation(facts) => self.annotations.push(facts),
            Facts::Category(facts) => self.categories.push(facts),
            Facts::None => {}
        }
    }
}

fn first_index_by_id(
    ids: impl Iterator<Item = Option<u64>>,
    key: &str,
    noun: &str,
    issues: &mut Vec<Issue>,
) -> HashMap<u64, usize> {
    let mut first: HashMap<u64, usize> = HashMap::new();
    for (index, id) in ids.enumerate() {
        let Some(id) = id else { continue };
        if let Some(&earlier) = first.get(&id) {
            issues.push(
                Issue::new(
                    Severity::Error,
                    IssueCode::DuplicateId,
                    format!("{key}[{index}]"),
                    format!("{noun} id {id} is also used by {key}[{earlier}] (pycocotools silently keeps the last one)"),
                )
                .member("id")
                .id(Some(id.to_string())),
            );
        } else {
            first.insert(id, index);
        }
    }
    first
}

pub(crate) fn check(facts: &CollectedFacts, sections: &HashMap<&'static str, bool>) -> Vec<Issue> {
    let mut issues = Vec::new();
    let images = first_index_by_id(
        facts.images.iter().map(|image| image.id),
        "images",
        "image",
        &mut issues,
    );
    let categories = first_index_by_id(
        facts.categories.iter().map(|c| c.id),
        "categories",
        "category",
        &mut issues,
    );
    let annotation_key = if sections.contains_key("results") {
        "results"
    } else {
        "annotations"
    };
    first_index_by_id(
        facts.annotations.iter().map(|a| a.id),
        annotation_key,
        "annotation",
        &mut issues,
    );

    let mut names: HashMap<&str, usize> = HashMap::new();
    for (index, category) in facts.categories.iter().enumerate() {
        let Some(name) = category.name.as_deref() else {
            continue;
        };
        if let Some(&earlier) = names.get(name) {
            issues.push(
                Issue::new(
                    Severity::Warning,
                    IssueCode::DuplicateCategoryName,
                    format!("categories[{index}]"),
                    format!("name `{name}` is also used by categories[{earlier}]: tools that look categories up by name will pick one"),
                )
                .member("name")
                .id(category.id.map(|id| id.to_string())),
            );
        } else {
            names.insert(name, index);
        }
    }

    let has_images = sections.contains_key("images");
    let has_categories = sections.contains_key("categories");
    let mut missing_categories_noted = false;
    for (index, annotation) in facts.annotations.iter().enumerate() {
        let path = format!("{annotation_key}[{index}]");
        let id = annotation.id.map(|id| id.to_string());
        let issue = |severity, code, member: &str, message: String| {
            Issue::new(severity, code, path.clone(), message)
                .member(member)
                .id(id.clone())
        };
        let image = annotation
            .image_id
            .and_then(|image_id| images.get(&image_id).map(|&i| &facts.images[i]));
        if has_images
            && image.is_none()
            && let Some(image_id) = annotation.image_id
        {
            issues.push(issue(
                Severity::Error,
                IssueCode::UnknownImage,
                "image_id",
                format!("image {image_id} is not in `images`"),
            ));
        }
        if has_categories {
            for &category_id in &annotation.segment_categories {
                if !categories.contains_key(&category_id) {
                    issues.push(issue(
                        Severity::Error,
                        IssueCode::UnknownCategory,
                        "segments_info",
                        format!(
                            "a segment has category {category_id}, which is not in `categories`"
                        ),
                    ));
                }
            }
        }
        if let Some(category_id) = annotation.category_id {
            if has_categories {
                match categories.get(&category_id).map(|&i| &facts.categories[i]) {
                    None => issues.push(issue(
                        Severity::Error,
                        IssueCode::UnknownCategory,
                        "category_id",
                        format!("category {category_id} is not in `categories`"),
                    )),
                    Some(category) => {
                        if let (Some(count), Some(expected)) =
                            (annotation.keypoint_count, category.keypoint_count)
                            && count != expected
                        {
                            issues.push(issue(
                                Severity::Error,
                                IssueCode::KeypointsLength,
                                "keypoints",
                                format!(
                                    "has {count} keypoints but category {category_id} defines {expected} ({} numbers expected)",
                                    expected * 3
                                ),
                            ));
                        }
                    }
                }
            } else if annotation_key == "annotations" && !missing_categories_noted {
                missing_categories_noted = true;
                issues.push(Issue::new(
                    Severity::Warning,
                    IssueCode::MissingSection,
                    "",
                    "annotations have `category_id` but the file has no `categories` list"
                        .to_owned(),
                ));
            }
        }
        let Some(image) = image else { continue };
        let (Some(width), Some(height)) = (image.width, image.height) else {
            continue;
        };
        let (width, height) = (width as f64, height as f64);
        if let Some([x, y, box_width, box_height]) = annotation.bbox {
            let overshoot = [-x, -y, x + box_width - width, y + box_height - height]
                .into_iter()
                .fold(f64::NEG_INFINITY, f64::max);
            if overshoot > 0.0 {
                let severity = if overshoot > OUTSIDE_TOLERANCE_PIXELS {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                issues.push(issue(
                    severity,
                    IssueCode::BboxOutsideImage,
                    "bbox",
                    format!(
                        "box [{x}, {y}, {box_width}, {box_height}] extends {overshoot:.3} px outside the {width}x{height} image"
                    ),
                ));
            }
        }
        if let (Some([max_x, max_y]), Some([min_x, min_y])) =
            (annotation.polygon_max, annotation.polygon_min)
        {
            let overshoot = [-min_x, -min_y, max_x - width, max_y - height]
                .into_iter()
                .fold(f64::NEG_INFINITY, f64::max);
            if overshoot > OUTSIDE_TOLERANCE_PIXELS {
                issues.push(issue(
                    Severity::Warning,
                    IssueCode::PolygonOutsideImage,
                    "segmentation",
                    format!("polygon extends {overshoot:.3} px outside the {width}x{height} image (masks are clipped)"),
                ));
            }
        }
        if let Some([rle_height, rle_width]) = annotation.rle_size
            && (rle_height as f64 != height || rle_width as f64 != width)
        {
            issues.push(issue(
                Severity::Error,
                IssueCode::RleSizeMismatch,
                "segmentation.size",
                format!("RLE size is [{rle_height}, {rle_width}] but image {} is {height}x{width} (height x width)", image.id.unwrap_or(0)),
            ));
        }
    }
    issues
}
