//! `cocoprep convert yolo|coco`, and helpers shared with `subset`, `filter`, `merge`,
//! `split`.

pub mod coco;
pub mod yolo;

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::{Dataset, ReadOptions, read_dataset};
use cocoprep_convert::layout::LinkMode;
use cocoprep_convert::number::Precision;
use cocoprep_convert::yolo::{Geometry, YoloReport};

use super::Outcome;
use crate::cli::{ConvertArgs, ConvertCommand, LinkArg, YoloOutputArgs};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

pub fn run(args: ConvertArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ConvertArgs { command } = args;
    match command {
        ConvertCommand::Yolo(args) => yolo::run(&yolo::ConvertYoloSettings::resolve(args)?, global),
        ConvertCommand::Coco(args) => coco::run(&coco::ConvertCocoSettings::resolve(args), global),
    }
}

/// The YOLO-writing options shared by `convert yolo` and `subset`, resolved.
#[derive(Clone, Debug)]
pub struct YoloOutputSettings {
    pub geometry: Geometry,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub precision: Precision,
}

impl YoloOutputSettings {
    pub fn resolve(args: YoloOutputArgs) -> anyhow::Result<Self> {
        let YoloOutputArgs {
            segments,
            keypoints,
            images,
            link,
            precision,
        } = args;
        let geometry = match (segments, keypoints) {
            (true, _) => Geometry::Segments,
            (_, true) => Geometry::Keypoints,
            _ => Geometry::Boxes,
        };
        let link = match link {
            LinkArg::Hard => LinkMode::Hard,
            LinkArg::Sym => LinkMode::Symbolic,
            LinkArg::Copy => LinkMode::Copy,
            LinkArg::None => LinkMode::None,
        };
        Ok(Self {
            geometry,
            images,
            link,
            precision: parse_precision(&precision)?,
        })
    }
}

fn parse_precision(text: &str) -> anyhow::Result<Precision> {
    Ok(match text {
        "ultralytics" | "g" => Precision::Ultralytics,
        "full" => Precision::Full,
        digits => match digits.parse::<u8>() {
            Ok(digits @ 1..=17) => Precision::Significant(digits),
            _ => anyhow::bail!(
                "`--precision {text}`: expected `ultralytics`, `full` or 1..=17 significant digits"
            ),
        },
    })
}

/// Expands folders into their `*.json` files (sorted, as Ultralytics does).
pub fn expand_inputs(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = fs_err::read_dir(input)?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|e| e == "json"))
                .collect();
            found.sort();
            anyhow::ensure!(
                !found.is_empty(),
                "`{}` has no .json files",
                input.display()
            );
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// Reads annotation files one after the other.
pub fn read_inputs(
    files: &[PathBuf],
    global: &GlobalSettings,
    progress: &Progress,
) -> anyhow::Result<Vec<(PathBuf, Dataset)>> {
    files
        .iter()
        .map(|file| {
            let dataset = read_dataset(file, &ReadOptions { jobs: global.jobs }, progress)
                .with_context(|| format!("cannot read `{}`", file.display()))?;
            Ok((file.clone(), dataset))
        })
        .collect()
}

/// Prints a YOLO conversion's summary (or JSON) and says whether anything was missing.
pub fn report_yolo(
    report: &YoloReport,
    json: bool,
    global: &GlobalSettings,
) -> anyhow::Result<Outcome> {
    let missing: usize = report.splits.iter().map(|s| s.images_missing.len()).sum();
    if json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(report)?))?;
    } else {
        for split in &report.splits {
            let counts = &split.counts;
            let mut line = format!(
                "{}: {} label files ({} empty), {} rows",
                split.name, split.label_files, split.empty_label_files, split.rows
            );
            let images = split.images_linked + split.images_symlinked + split.images_copied;
            if images > 0 || !split.images_missing.is_empty() {
                line.push_str(&format!(
                    ", {images} images ({} linked, {} symlinked, {} copied)",
                    split.images_linked, split.images_symlinked, split.images_copied
                ));
            }
            let mut skipped = Vec::new();
            for (count, what) in [
                (counts.crowd, "crowd"),
                (counts.empty_boxes, "empty boxes"),
                (counts.unselected, "other classes"),
                (counts.no_keypoints, "without keypoints"),
                (counts.duplicates, "duplicate rows"),
            ] {
                if count > 0 {
                    skipped.push(format!("{count} {what}"));
                }
            }
            if !skipped.is_empty() {
                line.push_str(&format!("; skipped {}", skipped.join(", ")));
            }
            let mut approximated = Vec::new();
            for (count, what) in [
                (counts.parts_merged, "multi-part objects joined"),
                (counts.rle_traced, "RLE masks traced"),
                (
                    counts.box_polygons,
                    "written as box polygons (no usable polygon)",
                ),
            ] {
                if count > 0 {
                    approximated.push(format!("{count} {what}"));
                }
            }
            if !approximated.is_empty() {
                line.push_str(&format!("; {}", approximated.join(", ")));
            }
            output::note(global, line);
            for path in split.images_missing.iter().take(10) {
                output::note(global, format!("  missing image: {}", path.display()));
            }
            if split.images_missing.len() > 10 {
                output::note(
                    global,
                    format!("  ... and {} more missing", split.images_missing.len() - 10),
                );
            }
        }
        output::note(
            global,
            format!(
                "{} classes; dataset YAML: {}",
                report.names.len(),
                report.yaml.display()
            ),
        );
    }
    Ok(if missing > 0 {
        Outcome::ProblemsFound
    } else {
        Outcome::Success
    })
}
