//! The report's grid of thumbnails: for each category, its first images with that
//! category's annotations drawn, as inline base64 JPEGs.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use cocoprep_coco::{CategoryId, Coco, ImageId, Summary};
use rayon::prelude::*;

use super::html::escape;
use super::{ReportOptions, ReportSummary};
use crate::draw::{Layers, Scene, draw_scene};
use crate::palette::{category_color, css_color};
use crate::picture::{encode_jpeg, read_picture, scale_down};
use crate::scene::image_path;

/// One group of the grid: a category (or, for files without categories, all images).
struct Group {
    heading: String,
    category_id: Option<CategoryId>,
    images: Vec<ImageId>,
}

pub(super) fn section(
    coco: &Coco,
    summary: &Summary,
    images_dir: &Path,
    options: &ReportOptions,
) -> (String, ReportSummary) {
    let per_group = options.thumbnails_per_category;
    let mut groups: Vec<Group> = summary
        .per_category
        .iter()
        .filter(|category| category.instances > 0)
        .map(|category| Group {
            heading: format!("{} ({} instances)", category.name, category.instances),
            category_id: Some(category.id),
            images: coco
                .image_ids(&[], &[category.id])
                .into_iter()
                .take(per_group)
                .collect(),
        })
        .collect();
    if groups.is_empty() {
        groups.push(Group {
            heading: "images".to_owned(),
            category_id: None,
            images: coco
                .dataset()
                .images
                .iter()
                .map(|image| image.id)
                .take(per_group * 4)
                .collect(),
        });
    }
    let jobs: Vec<(usize, ImageId)> = groups
        .iter()
        .enumerate()
        .flat_map(|(group, entry)| entry.images.iter().map(move |&image| (group, image)))
        .collect();
    let layers = Layers {
        labels: false,
        captions: false,
        ..Layers::default()
    };
    let drawn: Vec<Option<String>> = jobs
        .par_iter()
        .map(|&(group, image_id)| {
            let image = coco.image(image_id)?;
            let photo = read_picture(&image_path(images_dir, image)?).ok()?;
            let wanted = groups[group].category_id;
            let lookup = |id| coco.category(id);
            let scene = Scene {
                image,
                annotations: coco
                    .image_annotations(image_id)
                    .filter(|annotation| wanted.is_none() || annotation.category_id == wanted)
                    .collect(),
                category: &lookup,
            };
            let picture = draw_scene(&scene, Some(&photo), &layers).ok()?;
            let jpeg = encode_jpeg(&scale_down(&picture, options.thumbnail_side_px), 82).ok()?;
            Some(base64::engine::general_purpose::STANDARD.encode(jpeg))
        })
        .collect();
    let mut report = ReportSummary::default();
    let mut out = String::from("<h2 id=\"thumbnails\">Examples per category</h2>\n");
    let mut position = 0;
    for group in &groups {
        let swatch = group.category_id.map_or_else(String::new, |id| {
            format!(
                "<span class=\"swatch\" style=\"background:{}\"></span>",
                css_color(category_color(
                    id,
                    coco.category(id).map(|category| category.name.as_str()),
                ))
            )
        });
        let _ = write!(
            out,
            "<h3>{swatch}{}</h3>\n<div class=\"grid\">",
            escape(&group.heading)
        );
        for &image_id in &group.images {
            match &drawn[position] {
                Some(base64) => {
                    report.thumbnails += 1;
                    let _ = write!(
                        out,
                        "<figure><img alt=\"image {id}\" title=\"image {id}\" src=\"data:image/jpeg;base64,{base64}\"><figcaption>{id}</figcaption></figure>",
                        id = image_id.0
                    );
                }
                None => report.unreadable_images += 1,
            }
            position += 1;
        }
        out.push_str("</div>\n");
    }
    (out, report)
}
