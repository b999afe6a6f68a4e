//! `inspect --html`: one self-contained HTML file about a dataset: the counts, per-category
//! bars, area, aspect-ratio and boxes-per-image histograms, keypoint visibility, caption
//! lengths, and a grid of thumbnails per category with that category's annotations drawn.
//!
//! Everything is inline (SVG charts, base64 JPEG thumbnails, one `<style>`): the file opens
//! from disk with no server and no network.

mod charts;
pub mod html;
mod stats;
mod thumbnails;

use std::fmt::Write as _;
use std::path::PathBuf;

use cocoprep_coco::{Coco, Summary};

use crate::palette::{category_color, css_color};
use charts::{Bar, histogram, horizontal_bars};
use html::{escape, thousands};

/// What goes into a report.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// The heading (usually the annotation file's path).
    pub title: String,
    /// Where the images are; without it there are no thumbnails.
    pub images_dir: Option<PathBuf>,
    /// Thumbnails per category (0 = none).
    pub thumbnails_per_category: usize,
    /// The longer side of a thumbnail, in pixels.
    pub thumbnail_side_px: u32,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            title: "dataset".to_owned(),
            images_dir: None,
            thumbnails_per_category: 6,
            thumbnail_side_px: 200,
        }
    }
}

/// What making the report found besides the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportSummary {
    /// Thumbnails drawn.
    pub thumbnails: usize,
    /// Images that could not be read or drawn (missing file, bad JPEG); left out.
    pub unreadable_images: usize,
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; word-break: break-all; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table.counts td { padding: 2px 14px 2px 0; } table.counts td:nth-child(2) { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { font: 12px system-ui, sans-serif; display: block; margin: .5em 0; } svg .small { font-size: 10px; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; } .grid figure { margin: 0; }
.grid img { display: block; border: 1px solid #ccc; } .grid figcaption { font-size: 11px; color: #666; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -1px; margin-right: .4em; }
.note { color: #666; }
"#;

/// Builds the report page for `coco` (whose [`Summary`] is `summary`).
pub fn render_report(
    coco: &Coco,
    summary: &Summary,
    options: &ReportOptions,
) -> (String, ReportSummary) {
    let mut page = String::new();
    let title = escape(&options.title);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — cocoprep report</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n"
    );
    page.push_str(&overview(summary));
    if !summary.per_category.is_empty() {
        let mut categories = summary.per_category.clone();
        categories.sort_by(|a, b| b.instances.cmp(&a.instances).then(a.id.cmp(&b.id)));
        let empty: Vec<String> = categories
            .iter()
            .filter(|category| category.instances == 0)
            .map(|category| escape(&category.name))
            .collect();
        let bars: Vec<Bar> = categories
            .iter()
            .filter(|category| category.instances > 0)
            .map(|category| Bar {
                label: category.name.clone(),
                value: category.instances as u64,
                color: css_color(category_color(category.id, Some(&category.name))),
            })
            .collect();
        let _ = write!(
            page,
            "<h2 id=\"categories\">Instances per category</h2>\n{}\n",
            horizontal_bars(&bars, "chart-categories")
        );
        if !empty.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"note\" id=\"empty-categories\">{} categories without instances: {}</p>",
                empty.len(),
                empty.join(", ")
            );
        }
    }
    let has_boxes = coco
        .dataset()
        .annotations
        .iter()
        .any(|annotation| annotation.bbox.is_some());
    if has_boxes {
        let _ = write!(
            page,
            "<h2 id=\"areas\">Object sizes</h2>\n<p class=\"note\">√area in pixels; COCOeval calls &lt;32 small, 32–96 medium, ≥96 large.</p>\n{}\n<h2 id=\"aspect\">Box aspect ratio (width / height)</h2>\n{}\n<h2 id=\"boxes-per-image\">Boxes per image</h2>\n{}\n",
            histogram(&stats::area_bins(coco), "#1f77b4", "chart-area"),
            histogram(&stats::aspect_bins(coco), "#2ca02c", "chart-aspect"),
            histogram(
                &stats::boxes_per_image_bins(coco),
                "#ff7f0e",
                "chart-boxes-per-image"
            ),
        );
    }
    let visibility = stats::keypoint_visibility(coco);
    if !visibility.is_empty() {
        page.push_str(&keypoint_section(&visibility));
    }
    let captions = stats::caption_length_bins(coco);
    if !captions.is_empty() {
        let _ = write!(
            page,
            "<h2 id=\"captions\">Caption length (words)</h2>\n{}\n",
            histogram(&captions, "#9467bd", "chart-caption-length")
        );
    }
    let mut report_summary = ReportSummary::default();
    if let Some(images_dir) = &options.images_dir
        && options.thumbnails_per_category > 0
    {
        let (section, thumbnails) = thumbnails::section(coco, summary, images_dir, options);
        page.push_str(&section);
        report_summary = thumbnails;
    }
    page.push_str("<p class=\"note\">Made by cocoprep.</p>\n</body></html>\n");
    (page, report_summary)
}

fn overview(summary: &Summary) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("kind", format!("{:?}", summary.kind).to_lowercase()),
        ("images", thousands(summary.images as u64)),
        ("annotations", thousands(summary.annotations as u64)),
        ("categories", thousands(summary.categories as u64)),
    ];
    if summary.crowd_annotations > 0 {
        rows.push((
            "crowd annotations",
            thousands(summary.crowd_annotations as u64),
        ));
    }
    rows.push((
        "images without annotations",
        thousands(summary.images_without_annotations as u64),
    ));
    if let Some(spread) = &summary.annotations_per_image {
        rows.push((
            "annotations per image",
            format!(
                "min {}, mean {:.2}, max {}",
                spread.min, spread.mean, spread.max
            ),
        ));
    }
    let area = &summary.area;
    if area.small + area.medium + area.large > 0 {
        rows.push((
            "small / medium / large",
            format!(
                "{} / {} / {}",
                thousands(area.small as u64),
                thousands(area.medium as u64),
                thousands(area.large as u64)
            ),
        ));
    }
    let segmentation = &summary.segmentation;
    if segmentation.polygons + segmentation.compressed_rle + segmentation.uncompressed_rle > 0 {
        rows.push((
            "polygons / RLE",
            format!(
                "{} / {}",
                thousands(segmentation.polygons as u64),
                thousands((segmentation.compressed_rle + segmentation.uncompressed_rle) as u64)
            ),
        ));
    }
    if let Some(captions) = &summary.captions {
        rows.push(("captions", thousands(captions.captions as u64)));
        rows.push(("caption vocabulary", thousands(captions.vocabulary as u64)));
    }
    let mut out = String::from("<h2 id=\"overview\">Overview</h2>\n<table class=\"counts\">");
    for (name, value) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&value)
        );
    }
    out.push_str("</table>\n");
    out
}

fn keypoint_section(rows: &[(String, [u64; 3])]) -> String {
    const COLORS: [&str; 3] = ["#2ca02c", "#ff7f0e", "#c7c7c7"];
    let width = 640usize;
    let label = 150usize;
    let row_px = 18usize;
    let height = rows.len() * row_px + 4;
    let mut svg = format!(
        r#"<svg class="chart" id="chart-keypoints" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    for (index, (name, counts)) in rows.iter().enumerate() {
        let total = counts.iter().sum::<u64>().max(1) as f64;
        let y = index * row_px + 2;
        let name = escape(name);
        let _ = write!(
            svg,
            r#"<g><title>{name}: {} visible, {} occluded, {} not labelled</title><text x="{}" y="{}" text-anchor="end">{name}</text>"#,
            counts[0],
            counts[1],
            counts[2],
            label - 6,
            y + 13
        );
        let mut x = label as f64;
        for (count, color) in counts.iter().zip(COLORS) {
            let span = *count as f64 / total * (width - label - 10) as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{span:.1}" height="{}" fill="{color}"/>"#,
                row_px - 4
            );
            x += span;
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    format!(
        "<h2 id=\"keypoints\">Keypoint visibility</h2>\n<p><span class=\"swatch\" style=\"background:{}\"></span>visible (v=2) <span class=\"swatch\" style=\"background:{}\"></span>occluded (v=1) <span class=\"swatch\" style=\"background:{}\"></span>not labelled (v=0)</p>\n{svg}\n",
        COLORS[0], COLORS[1], COLORS[2]
    )
}
