//! `cocoprep masks panoptic PANOPTIC.json`: semantic PNGs and instance-style JSON.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::mask::{PanopticOptions, ThingsPolicy, convert_panoptic};
use cocoprep_coco::{Category, ReadOptions, read_dataset};

use super::Outcome;
use crate::cli::PanopticArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct PanopticSettings {
    pub input: PathBuf,
    pub png_dir: PathBuf,
    pub output: Option<PathBuf>,
    pub detection_json: Option<PathBuf>,
    pub semantic_json: Option<PathBuf>,
    pub categories: Option<PathBuf>,
    pub things: ThingsPolicy,
    pub things_only: bool,
    pub first_id: u64,
}

impl PanopticSettings {
    pub fn resolve(args: PanopticArgs) -> Self {
        let PanopticArgs {
            input,
            input_json_file,
            png_dir,
            output,
            detection_json,
            semantic_json,
            categories,
            things,
            things_other,
            things_only,
            first_id,
        } = args;
        // clap requires one of the two.
        let input = input.or(input_json_file).unwrap_or_default();
        // panopticapi's default: the segment PNGs sit next to the JSON, in a folder of
        // the same name.
        let png_dir = png_dir.unwrap_or_else(|| input.with_extension(""));
        let things = if things_other {
            ThingsPolicy::Other
        } else {
            things.into()
        };
        Self {
            input,
            png_dir,
            output,
            detection_json,
            semantic_json,
            categories,
            things,
            things_only,
            first_id,
        }
    }
}

pub fn run(settings: &PanopticSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let PanopticSettings {
        input,
        png_dir,
        output,
        detection_json,
        semantic_json,
        categories,
        things,
        things_only,
        first_id,
    } = settings;
    input_kind::check(input, &expected::MASKS_PANOPTIC)?;
    if let Some(categories) = categories {
        input_kind::check(categories, &expected::MASKS_PANOPTIC_CATEGORIES)?;
    }
    let progress = Progress::new(global);
    let read_options = ReadOptions { jobs: global.jobs };
    let dataset = read_dataset(input, &read_options, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    let categories: Vec<Category> = match categories {
        Some(path) => read_categories(path)?,
        None => dataset.categories.clone(),
    };
    if let Some(folder) = output {
        fs_err::create_dir_all(folder)?;
    }
    let options = PanopticOptions {
        semantic_png_dir: output.clone(),
        semantic_json: semantic_json.is_some(),
        detection_json: detection_json.is_some(),
        things: *things,
        things_only: *things_only,
        first_id: *first_id,
        jobs: global.jobs,
    };
    let outputs = convert_panoptic(&dataset, &categories, png_dir, &options, &progress)
        .with_context(|| format!("cannot convert `{}`", input.display()))?;
    let mut written = Vec::new();
    if let Some(folder) = output {
        written.push(format!(
            "{} semantic PNGs in {}",
            outputs.pngs_written,
            folder.display()
        ));
    }
    for (path, result) in [
        (semantic_json, &outputs.semantic),
        (detection_json, &outputs.detection),
    ] {
        if let (Some(path), Some(result)) = (path, result) {
            result
                .write(path)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            written.push(format!(
                "{} annotations in {}",
                result.annotations.len(),
                path.display()
            ));
        }
    }
    output::note(global, written.join("; "));
    Ok(Outcome::Success)
}

/// Categories from a bare list (`panoptic_coco_categories.json`) or a COCO file's
/// `categories`.
fn read_categories(path: &std::path::Path) -> anyhow::Result<Vec<Category>> {
    let text = fs_err::read(path)?;
    let json = if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        let mut wrapped = b"{\"categories\": ".to_vec();
        wrapped.extend_from_slice(&text);
        wrapped.push(b'}');
        wrapped
    } else {
        text
    };
    let dataset = cocoprep_coco::Dataset::from_json_slice(&json)
        .with_context(|| format!("cannot read categories from `{}`", path.display()))?;
    Ok(dataset.categories)
}
