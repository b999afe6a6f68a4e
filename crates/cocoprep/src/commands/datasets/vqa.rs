//! `cocoprep dataset vqa`: VQA/coco_map.json and a check of the loader's files.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::vqa::prepare_vqa;

use super::report::{Report, finish};
use super::shared::TreeSettings;
use crate::cli::DatasetVqaArgs;
use crate::commands::Outcome;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct VqaSettings {
    pub coco_images: Option<PathBuf>,
    pub tree: TreeSettings,
}

impl VqaSettings {
    pub fn resolve(args: DatasetVqaArgs) -> Self {
        let DatasetVqaArgs { coco_images, root } = args;
        Self {
            coco_images,
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &VqaSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let summary = prepare_vqa(&settings.tree.root, settings.coco_images.as_deref())
        .context("cannot prepare VQA")?;
    let mut report = Report::new("vqa", &summary)?;
    match &summary.coco_map {
        Some(path) => {
            let counts: Vec<String> = summary
                .mapped
                .iter()
                .map(|(folder, count)| format!("{count} in {folder}"))
                .collect();
            let total = summary.mapped.iter().map(|(_, count)| count).sum();
            report.file(path, Some(total), counts.join(", "));
        }
        None => report.line(
            "coco_map.json not written: no train2014/, val2014/ or test2015/ in the COCO \
             image folder (run `cocoprep dataset coco --images ...` first, or pass --coco-images)",
        ),
    }
    for problem in &summary.problems {
        report.problem(&problem.path, problem.problem.clone());
    }
    if !summary.problems.is_empty() {
        report.line(format!(
            "{} required file(s) missing or malformed: they come with the VQA v2 release and \
             Uni-Perceiver's VQA download (data/prepare_data.md)",
            summary.problems.len()
        ));
    }
    finish(report, &settings.tree, global)
}
