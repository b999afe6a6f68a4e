//! `cocoprep dataset glue GLUE_DIR --root R`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::glue;

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::GlueArgs;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct GlueSettings {
    pub input: PathBuf,
    pub tree: TreeSettings,
}

impl GlueSettings {
    pub fn resolve(args: GlueArgs) -> Self {
        let GlueArgs { input, root } = args;
        Self {
            input,
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &GlueSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let prepared = glue::prepare(&settings.input, &root.path(glue::GLUE_DIR))
        .context("cannot prepare GLUE")?;
    let details: Vec<serde_json::Value> = prepared
        .iter()
        .map(|task| serde_json::json!({"task": task.task, "files": task.files}))
        .collect();
    let mut report = Report::new("glue", &details)?;
    for task in &prepared {
        for (path, lines) in &task.files {
            report.file(
                path,
                Some(*lines as u64),
                format_args!("{}, {lines} lines", task.task),
            );
        }
    }
    let missing: Vec<&str> = glue::TASKS
        .iter()
        .copied()
        .filter(|task| !prepared.iter().any(|done| done.task == *task))
        .collect();
    if !missing.is_empty() {
        report.line(format!(
            "not in the download folder (skipped): {}",
            missing.join(", ")
        ));
    }
    finish(report, &settings.tree, global)
}
