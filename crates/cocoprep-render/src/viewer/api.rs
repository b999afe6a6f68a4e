//! The viewer's JSON API and its pictures.

use cocoprep_coco::{Annotation, Image, ImageId, Segmentation};
use serde_json::{Value, json};

use super::Viewer;
use super::http::Response;
use super::query::Target;
use crate::draw::{Layers, Scene, draw_scene};
use crate::palette::{category_color, css_color};
use crate::picture::{encode_jpeg, encode_png, read_picture, scale_down};
use crate::scene::{image_path, mask_overlay};

const IMMUTABLE: Option<&str> = Some("max-age=3600");
/// The longer side of a grid thumbnail.
pub const THUMBNAIL_SIDE_PX: u32 = 256;
/// The most images one page may hold.
pub const MAX_PER_PAGE: usize = 500;

fn json_response(value: &Value) -> Response {
    Response::ok("application/json", value.to_string().into_bytes())
}

/// `/api/info`: the title, the counts, the categories with their colours and counts, and
/// which kinds of overlay the dataset has.
pub fn info(viewer: &Viewer) -> Response {
    let dataset = viewer.coco.dataset();
    let mut instances = std::collections::HashMap::new();
    let (mut boxes, mut masks, mut keypoints, mut captions) = (false, false, false, false);
    for annotation in &dataset.annotations {
        if let Some(id) = annotation.category_id {
            *instances.entry(id).or_insert(0u64) += 1;
        }
        boxes |= annotation.bbox.is_some();
        masks |= annotation.segmentation.is_some();
        keypoints |= annotation.keypoints.is_some();
        captions |= annotation.caption.is_some();
    }
    let categories: Vec<Value> = dataset
        .categories
        .iter()
        .map(|category| {
            json!({
                "id": category.id.0,
                "name": category.name,
                "supercategory": category.supercategory,
                "color": css_color(category_color(category.id, Some(&category.name))),
                "instances": instances.get(&category.id).copied().unwrap_or(0),
            })
        })
        .collect();
    json_response(&json!({
        "title": viewer.title,
        "images": dataset.images.len(),
        "annotations": dataset.annotations.len(),
        "categories": categories,
        "has_image_files": viewer.images_dir.is_some(),
        "kinds": { "boxes": boxes, "masks": masks, "keypoints": keypoints, "captions": captions },
    }))
}

/// What `/api/images` filters on.
struct Filter {
    image_id: Option<u64>,
    category_id: Option<u32>,
    crowd: Option<bool>,
    min_area: Option<f64>,
    max_area: Option<f64>,
    text: Option<String>,
}

impl Filter {
    fn from_target(target: &Target) -> Result<Self, String> {
        fn number<T: std::str::FromStr>(target: &Target, key: &str) -> Result<Option<T>, String> {
            target
                .get(key)
                .map(|value| {
                    value
                        .trim()
                        .parse()
                        .map_err(|_| format!("`{key}` must be a number, not `{value}`"))
                })
                .transpose()
        }
        let crowd = match target.get("crowd") {
            None | Some("any") => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => return Err(format!("`crowd` is any, yes or no, not `{other}`")),
        };
        Ok(Self {
            image_id: number(target, "image_id")?,
            category_id: number(target, "category")?,
            crowd,
            min_area: number(target, "min_area")?,
            max_area: number(target, "max_area")?,
            text: target.get("q").map(str::to_lowercase),
        })
    }

    fn on_annotations(&self) -> bool {
        self.category_id.is_some()
            || self.crowd.is_some()
            || self.min_area.is_some()
            || self.max_area.is_some()
    }

    fn accepts_annotation(&self, annotation: &Annotation) -> bool {
        if let Some(category_id) = self.category_id
            && annotation.category_id.map(|id| id.0) != Some(category_id)
        {
            return false;
        }
        if let Some(crowd) = self.crowd
            && annotation.is_crowd() != crowd
        {
            return false;
        }
        if self.min_area.is_some() || self.max_area.is_some() {
            let Some(area) = annotation
                .area
                .or(annotation.bbox.map(|bbox| bbox.width * bbox.height))
            else {
                return false;
            };
            if self.min_area.is_some_and(|min| area < min)
                || self.max_area.is_some_and(|max| area > max)
            {
                return false;
            }
        }
        true
    }
}

/// `/api/images?page=&per_page=&image_id=&category=&crowd=&min_area=&max_area=&q=`: one page
/// of the images that match (an image matches when one of its annotations passes every
/// annotation filter), with the number of matching annotations of each.
pub fn images(viewer: &Viewer, target: &Target) -> Response {
    let filter = match Filter::from_target(target) {
        Ok(filter) => filter,
        Err(message) => return Response::error(400, message),
    };
    let page: usize = target
        .get("page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let per_page: usize = target
        .get("per_page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(60)
        .clamp(1, MAX_PER_PAGE);
    let coco = &viewer.coco;
    let annotations = &coco.dataset().annotations;
    let mut total = 0usize;
    let mut listed = Vec::new();
    let first = page.saturating_mul(per_page);
    for image in &coco.dataset().images {
        if filter.image_id.is_some_and(|id| id != image.id.0) {
            continue;
        }
        let indexes = coco.image_annotation_indexes(image.id);
        if let Some(text) = &filter.text {
            let in_name = image
                .file_name
                .as_deref()
                .is_some_and(|name| name.to_lowercase().contains(text.as_str()));
            let in_captions = || {
                indexes.iter().any(|&index| {
                    annotations[index as usize]
                        .caption
                        .as_deref()
                        .is_some_and(|caption| caption.to_lowercase().contains(text.as_str()))
                })
            };
            if !in_name && !in_captions() {
                continue;
            }
        }
        let matching = if filter.on_annotations() {
            let count = indexes
                .iter()
                .filter(|&&index| filter.accepts_annotation(&annotations[index as usize]))
                .count();
            if count == 0 {
                continue;
            }
            count
        } else {
            indexes.len()
        };
        if total >= first && listed.len() < per_page {
            listed.push(json!({
                "id": image.id.0,
                "file_name": image.file_name,
                "width": image.width,
                "height": image.height,
                "annotations": matching,
            }));
        }
        total += 1;
    }
    json_response(&json!({
        "total": total,
        "page": page,
        "per_page": per_page,
        "images": listed,
    }))
}

fn annotation_json(viewer: &Viewer, annotation: &Annotation) -> Value {
    let category = annotation
        .category_id
        .and_then(|id| viewer.coco.category(id));
    let (polygons, rle) = match &annotation.segmentation {
        Some(Segmentation::Polygons(polygons)) => (Some(polygons.parts()), false),
        Some(Segmentation::Rle(_)) => (None, true),
        None => (None, false),
    };
    json!({
        "id": annotation.id.map(|id| id.0),
        "category_id": annotation.category_id.map(|id| id.0),
        "category": category.map(|category| category.name.clone()),
        "color": annotation
            .category_id
            .map(|id| css_color(category_color(id, category.map(|category| category.name.as_str())))),
        "bbox": annotation.bbox.map(|bbox| [bbox.x, bbox.y, bbox.width, bbox.height]),
        "area": annotation.area,
        "iscrowd": annotation.is_crowd(),
        "polygons": polygons,
        "rle": rle,
        "keypoints": annotation.keypoints.as_ref().map(|keypoints| keypoints.values()),
        "skeleton": category.and_then(|category| category.skeleton.clone()),
        "caption": annotation.caption,
        "score": annotation.score,
    })
}

fn find(viewer: &Viewer, id: ImageId) -> Result<&Image, Response> {
    viewer
        .coco
        .image(id)
        .ok_or_else(|| Response::error(404, format!("no image {}", id.0)))
}

/// `/api/image/ID`: the image record and its annotations for the full view.
pub fn image(viewer: &Viewer, id: ImageId) -> Response {
    let image = match find(viewer, id) {
        Ok(image) => image,
        Err(response) => return response,
    };
    let annotations: Vec<Value> = viewer
        .coco
        .image_annotations(id)
        .map(|annotation| annotation_json(viewer, annotation))
        .collect();
    let has_file = viewer
        .images_dir
        .as_deref()
        .and_then(|dir| image_path(dir, image))
        .is_some_and(|path| path.is_file());
    json_response(&json!({
        "image": {
            "id": image.id.0,
            "file_name": image.file_name,
            "width": image.width,
            "height": image.height,
            "has_file": has_file,
        },
        "annotations": annotations,
    }))
}

/// `/thumb/ID.jpg`: the image with its boxes and masks drawn, at most
/// [`THUMBNAIL_SIDE_PX`] on its longer side (on grey when the file is not there).
pub fn thumbnail(viewer: &Viewer, id: ImageId) -> Response {
    let image = match find(viewer, id) {
        Ok(image) => image,
        Err(response) => return response,
    };
    let photo = viewer
        .images_dir
        .as_deref()
        .and_then(|dir| image_path(dir, image))
        .and_then(|path| read_picture(&path).ok());
    let lookup = |id| viewer.coco.category(id);
    let scene = Scene {
        image,
        annotations: viewer.coco.image_annotations(id).collect(),
        category: &lookup,
    };
    let layers = Layers {
        labels: false,
        captions: false,
        ..Layers::default()
    };
    let picture = if image.size().is_none() && photo.is_none() {
        crate::picture::blank(
            THUMBNAIL_SIDE_PX,
            THUMBNAIL_SIDE_PX * 3 / 4,
            [128, 128, 128],
        )
    } else {
        draw_scene(&scene, photo.as_ref(), &layers)
    };
    match picture.and_then(|picture| encode_jpeg(&scale_down(&picture, THUMBNAIL_SIDE_PX), 80)) {
        Ok(jpeg) => Response {
            cache: IMMUTABLE,
            ..Response::ok("image/jpeg", jpeg)
        },
        Err(error) => Response::error(500, error.to_string()),
    }
}

/// `/mask/ID.png`: the image's masks on a transparent background.
pub fn masks(viewer: &Viewer, id: ImageId) -> Response {
    let image = match find(viewer, id) {
        Ok(image) => image,
        Err(response) => return response,
    };
    match mask_overlay(&viewer.coco, image).and_then(|pixmap| encode_png(&pixmap)) {
        Ok(png) => Response {
            cache: IMMUTABLE,
            ..Response::ok("image/png", png)
        },
        Err(error) => Response::error(404, error.to_string()),
    }
}

/// `/image/ID`: the image file itself, found by its record's `file_name` under the image
/// folder (never by a path from the request).
pub fn image_file(viewer: &Viewer, id: ImageId) -> Response {
    let image = match find(viewer, id) {
        Ok(image) => image,
        Err(response) => return response,
    };
    let Some(dir) = viewer.images_dir.as_deref() else {
        return Response::error(404, "no image folder was given");
    };
    let Some(path) = image_path(dir, image) else {
        return Response::error(403, "the image's file_name leaves the image folder");
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let content_type = if bytes.starts_with(b"\x89PNG") {
                "image/png"
            } else {
                "image/jpeg"
            };
            Response {
                cache: IMMUTABLE,
                ..Response::ok(content_type, bytes)
            }
        }
        Err(_) => Response::error(404, format!("image {} has no file", id.0)),
    }
}
