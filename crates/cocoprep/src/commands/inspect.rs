//! `cocoprep inspect FILE`: what is in an annotation file, at a glance.

use std::fmt::Write as _;

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::{Coco, FileKind, ReadOptions, Spread, Summary, read_dataset};
use cocoprep_render::report::{ReportOptions, render_report};

use super::Outcome;
use crate::cli::InspectArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct InspectSettings {
    pub file: PathBuf,
    pub json: bool,
    pub html: Option<PathBuf>,
    pub images: Option<PathBuf>,
    pub thumbnails: usize,
}

impl InspectSettings {
    pub fn resolve(args: InspectArgs) -> Self {
        let InspectArgs {
            file,
            json,
            html,
            images,
            thumbnails,
        } = args;
        Self {
            file,
            json,
            html,
            images,
            thumbnails,
        }
    }
}

pub fn run(settings: &InspectSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let InspectSettings {
        file,
        json,
        html,
        images,
        thumbnails,
    } = settings;
    input_kind::check(file, &expected::INSPECT)?;
    let progress = Progress::new(global);
    let dataset = read_dataset(file, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot inspect `{}`", file.display()))?;
    let summary = Summary::of(&dataset);
    let dataset = if let Some(report_path) = html {
        let images_dir = images
            .clone()
            .or_else(|| super::look_source::guess_images_dir(file, &dataset));
        let coco = Coco::new(dataset);
        let options = ReportOptions {
            title: file.display().to_string(),
            images_dir: images_dir.clone(),
            thumbnails_per_category: *thumbnails,
            ..ReportOptions::default()
        };
        let (page, made) = render_report(&coco, &summary, &options);
        cocoprep_base::output::write_atomic(report_path, page.as_bytes())
            .with_context(|| format!("cannot write `{}`", report_path.display()))?;
        let thumbnails_note = match &images_dir {
            Some(_) if made.unreadable_images > 0 => format!(
                "{} thumbnails, {} images unreadable",
                made.thumbnails, made.unreadable_images
            ),
            Some(_) => format!("{} thumbnails", made.thumbnails),
            None => "no thumbnails: images not found, give --images DIR".to_owned(),
        };
        output::note(
            global,
            format!("report → {} ({thumbnails_note})", report_path.display()),
        );
        coco.into_dataset()
    } else {
        dataset
    };
    if *json {
        let value = serde_json::json!({ "file": file, "summary": summary });
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
    } else {
        output::stdout(&render(&file.display().to_string(), &summary))?;
    }
    super::release_at_exit(dataset);
    Ok(Outcome::Success)
}

/// `12345` → `12,345`.
fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn spread(spread: &Option<Spread>) -> String {
    match spread {
        Some(Spread { min, mean, max }) => format!("min {min}, mean {mean:.2}, max {max}"),
        None => "-".to_owned(),
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Instances => "object instances",
        FileKind::Keypoints => "person keypoints",
        FileKind::Captions => "captions",
        FileKind::Panoptic => "panoptic segmentation",
        FileKind::DetectionResults => "detection results",
        FileKind::CaptionResults => "caption results",
        FileKind::ImageInfo => "image list (no annotations)",
    }
}

/// The human-readable report.
pub fn render(name: &str, summary: &Summary) -> String {
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {label:<28} {value}");
    };
    let _ = writeln!(out, "{name}: {}", kind_name(summary.kind));
    line(&mut out, "images", thousands(summary.images));
    line(&mut out, "annotations", thousands(summary.annotations));
    line(&mut out, "categories", thousands(summary.categories));
    line(&mut out, "licenses", thousands(summary.licenses));
    if summary.images > 0 {
        line(
            &mut out,
            "images without annotations",
            format!(
                "{} ({})",
                thousands(summary.images_without_annotations),
                percent(summary.images_without_annotations, summary.images)
            ),
        );
        line(
            &mut out,
            "annotations per image",
            spread(&summary.annotations_per_image),
        );
    }
    if summary.annotations_with_unknown_image > 0 {
        line(
            &mut out,
            "annotations of unknown images",
            thousands(summary.annotations_with_unknown_image),
        );
    }
    if summary.annotations_with_unknown_category > 0 {
        line(
            &mut out,
            "annotations of unknown categories",
            thousands(summary.annotations_with_unknown_category),
        );
    }
    let shapes = summary.annotations - summary.captions.as_ref().map_or(0, |c| c.captions);
    if shapes > 0 && summary.kind != FileKind::Panoptic {
        line(
            &mut out,
            "crowd annotations",
            format!(
                "{} ({})",
                thousands(summary.crowd_annotations),
                percent(summary.crowd_annotations, shapes)
            ),
        );
        let area = &summary.area;
        let mut areas = format!(
            "small {} ({}), medium {} ({}), large {} ({})",
            thousands(area.small),
            percent(area.small, shapes),
            thousands(area.medium),
            percent(area.medium, shapes),
            thousands(area.large),
            percent(area.large, shapes)
        );
        if area.missing > 0 {
            let _ = write!(areas, ", no area {}", thousands(area.missing));
        }
        line(&mut out, "area (COCO ranges)", areas);
        let segmentation = &summary.segmentation;
        line(
            &mut out,
            "segmentation",
            format!(
                "polygons {}, RLE {} (compressed {}), none {}",
                thousands(segmentation.polygons),
                thousands(segmentation.uncompressed_rle + segmentation.compressed_rle),
                thousands(segmentation.compressed_rle),
                thousands(segmentation.none)
            ),
        );
    }
    if let Some(keypoints) = &summary.keypoints {
        let _ = writeln!(out, "\nkeypoints");
        line(
            &mut out,
            "annotations with keypoints",
            thousands(keypoints.annotations_with_keypoints),
        );
        line(
            &mut out,
            "with any keypoint labelled",
            thousands(keypoints.annotations_with_labelled_keypoints),
        );
        line(
            &mut out,
            "labelled per annotation",
            spread(&keypoints.labelled_per_annotation),
        );
        line(
            &mut out,
            "visible / occluded",
            format!(
                "{} / {}",
                thousands(keypoints.visible),
                thousands(keypoints.occluded)
            ),
        );
        for (name, count) in &keypoints.labelled_by_name {
            line(
                &mut out,
                &format!("  {name}"),
                format!(
                    "{} ({})",
                    thousands(*count),
                    percent(*count, keypoints.annotations_with_keypoints)
                ),
            );
        }
    }
    if let Some(captions) = &summary.captions {
        let _ = writeln!(out, "\ncaptions");
        line(&mut out, "captions", thousands(captions.captions));
        line(
            &mut out,
            "images with captions",
            thousands(captions.images_with_captions),
        );
        line(&mut out, "captions per image", spread(&captions.per_image));
        line(
            &mut out,
            "words per caption",
            spread(&captions.words_per_caption),
        );
        line(
            &mut out,
            "vocabulary (lowercased words)",
            thousands(captions.vocabulary),
        );
    }
    if !summary.per_category.is_empty() && shapes > 0 {
        let _ = writeln!(
            out,
            "\n  {:>5}  {:<24} {:<16} {:>10} {:>8} {:>7}",
            "id", "category", "supercategory", "instances", "images", "crowd"
        );
        for category in &summary.per_category {
            let _ = writeln!(
                out,
                "  {:>5}  {:<24} {:<16} {:>10} {:>8} {:>7}",
                category.id.0,
                category.name,
                category.supercategory.as_deref().unwrap_or("-"),
                thousands(category.instances),
                thousands(category.images),
                thousands(category.crowd)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1015435), "1,015,435");
    }
}
