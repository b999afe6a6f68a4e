//! `cocoprep dataset msvd TXT_LABELS --root R [--no-info]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msvd;

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::MsvdArgs;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct MsvdSettings {
    pub txt_labels: PathBuf,
    pub tree: TreeSettings,
    pub info: InfoKey,
}

impl MsvdSettings {
    pub fn resolve(args: MsvdArgs) -> Self {
        let MsvdArgs {
            txt_labels,
            root,
            no_info,
        } = args;
        Self {
            txt_labels,
            tree: TreeSettings::resolve(root),
            info: if no_info { InfoKey::Omit } else { InfoKey::Add },
        }
    }
}

pub fn run(settings: &MsvdSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let annotations = root.path(msvd::DATASET_DIR).join(msvd::ANNOTATIONS_DIR);
    let written = msvd::prepare(&settings.txt_labels, &annotations, settings.info)
        .context("cannot prepare MSVD")?;
    let details: Vec<serde_json::Value> = written
        .iter()
        .map(|split| {
            serde_json::json!({
                "split": split.split, "videos": split.videos, "captions": split.captions,
            })
        })
        .collect();
    let mut report = Report::new("msvd", &details)?;
    for split in &written {
        report.file(
            &split.path,
            Some(split.captions as u64),
            format_args!("{} videos, {} captions", split.videos, split.captions),
        );
    }
    finish(report, &settings.tree, global)
}
