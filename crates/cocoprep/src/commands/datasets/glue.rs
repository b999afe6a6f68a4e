//! `cocoprep dataset glue GLUE_DIR --root R`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::glue;

use super::super::Outcome;
use crate::cli::{GlueArgs, RootArg};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct GlueSettings {
    pub input: PathBuf,
    pub root: PathBuf,
}

impl GlueSettings {
    pub fn resolve(args: GlueArgs) -> Self {
        let GlueArgs {
            input,
            root: RootArg { root },
        } = args;
        Self { input, root }
    }
}

pub fn run(settings: &GlueSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let prepared = glue::prepare(&settings.input, &root.path(glue::GLUE_DIR))
        .context("cannot prepare GLUE")?;
    for task in &prepared {
        let lines: Vec<String> = task
            .files
            .iter()
            .map(|(path, lines)| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                format!("{name} {lines}")
            })
            .collect();
        output::note(
            global,
            format_args!("{}: {} lines", task.task, lines.join(", ")),
        );
    }
    let missing: Vec<&str> = glue::TASKS
        .iter()
        .copied()
        .filter(|task| !prepared.iter().any(|done| done.task == *task))
        .collect();
    if !missing.is_empty() {
        output::note(
            global,
            format_args!(
                "not in the download folder (skipped): {}",
                missing.join(", ")
            ),
        );
    }
    super::common::finish(&root, "glue", global)
}
