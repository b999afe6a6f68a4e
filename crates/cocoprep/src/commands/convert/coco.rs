//! `cocoprep convert coco [YOLO_DIR] --yaml data.yaml -o OUT`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::dataset::SplitImages;
use cocoprep_convert::to_coco::{CategoryIds, split_to_coco};
use cocoprep_formats::dataset_yaml::DatasetYaml;

use crate::cli::CocoArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ConvertCocoSettings {
    pub root: Option<PathBuf>,
    pub yaml: PathBuf,
    pub output: PathBuf,
    pub split: Option<String>,
    pub category_ids: CategoryIds,
    pub json: bool,
}

impl ConvertCocoSettings {
    pub fn resolve(args: CocoArgs) -> Self {
        let CocoArgs {
            root,
            yaml,
            output,
            split,
            coco_ids,
            json,
        } = args;
        Self {
            root,
            yaml,
            output,
            split,
            category_ids: if coco_ids {
                CategoryIds::Coco91
            } else {
                CategoryIds::Sequential
            },
            json,
        }
    }
}

pub fn run(settings: &ConvertCocoSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ConvertCocoSettings {
        root,
        yaml,
        output,
        split,
        category_ids,
        json,
    } = settings;
    input_kind::check(yaml, &expected::CONVERT_COCO_YAML)?;
    if let Some(root) = root {
        input_kind::check(root, &expected::CONVERT_COCO_ROOT)?;
    }
    let progress = Progress::new(global);
    let description = DatasetYaml::read(yaml)?;
    let root = root
        .clone()
        .or_else(|| description.path.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut splits = Vec::new();
    for (key, entry) in description.split_entries() {
        let images = SplitImages::read(&root, entry)
            .with_context(|| format!("cannot list the `{key}` images of `{}`", yaml.display()))?;
        let wanted = split
            .as_ref()
            .is_none_or(|wanted| wanted == key || *wanted == images.name);
        // The same folder can be both `val` and `test`: convert it once.
        if wanted && !splits.iter().any(|s: &SplitImages| s.name == images.name) {
            splits.push(images);
        }
    }
    anyhow::ensure!(
        !splits.is_empty(),
        "no split of `{}` matches `--split {}`",
        yaml.display(),
        split.as_deref().unwrap_or("")
    );
    let single_file = output.extension().is_some_and(|e| e == "json");
    anyhow::ensure!(
        !single_file || splits.len() == 1,
        "`{}` is one file but the YAML has {} splits ({}); choose one with --split or give a folder",
        output.display(),
        splits.len(),
        splits
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut written = Vec::new();
    for images in &splits {
        let dataset = split_to_coco(
            images,
            &description.names,
            description.kpt_shape,
            *category_ids,
            &progress,
        )
        .with_context(|| format!("cannot convert split `{}`", images.name))?;
        let path = if single_file {
            output.clone()
        } else {
            output.join(format!("instances_{}.json", images.name))
        };
        dataset
            .write(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push(serde_json::json!({
            "split": images.name,
            "file": path,
            "images": dataset.images.len(),
            "annotations": dataset.annotations.len(),
            "categories": dataset.categories.len(),
        }));
        output::note(
            global,
            format!(
                "{}: {} images, {} annotations → {}",
                images.name,
                dataset.images.len(),
                dataset.annotations.len(),
                path.display()
            ),
        );
    }
    if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&written)?))?;
    }
    Ok(Outcome::Success)
}
