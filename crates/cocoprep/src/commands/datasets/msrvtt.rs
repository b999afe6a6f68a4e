//! `cocoprep dataset msrvtt DIR --root R [--no-info]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msrvtt::{self, MsrvttInputs};

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::MsrvttArgs;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct MsrvttSettings {
    pub input: PathBuf,
    pub tree: TreeSettings,
    pub info: InfoKey,
}

impl MsrvttSettings {
    pub fn resolve(args: MsrvttArgs) -> Self {
        let MsrvttArgs {
            input,
            root,
            no_info,
        } = args;
        Self {
            input,
            tree: TreeSettings::resolve(root),
            info: if no_info { InfoKey::Omit } else { InfoKey::Add },
        }
    }
}

pub fn run(settings: &MsrvttSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let annotations = root.path(msrvtt::DATASET_DIR).join(msrvtt::ANNOTATIONS_DIR);
    let written = msrvtt::prepare(
        &MsrvttInputs::in_folder(&settings.input),
        &annotations,
        settings.info,
    )
    .context("cannot prepare MSR-VTT")?;
    let details: Vec<serde_json::Value> = written
        .iter()
        .map(|(path, videos, captions)| {
            serde_json::json!({"path": path, "videos": videos, "captions": captions})
        })
        .collect();
    let mut report = Report::new("msrvtt", &details)?;
    for (path, videos, captions) in &written {
        report.file(
            path,
            Some(*captions as u64),
            format_args!("{videos} videos, {captions} captions"),
        );
    }
    finish(report, &settings.tree, global)
}
