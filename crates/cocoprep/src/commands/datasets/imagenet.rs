//! `cocoprep dataset imagenet --root R [--val-labels FILE]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::imagenet;

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::ImagenetArgs;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ImagenetSettings {
    pub tree: TreeSettings,
    pub val_labels: Option<PathBuf>,
}

impl ImagenetSettings {
    pub fn resolve(args: ImagenetArgs) -> Self {
        let ImagenetArgs { root, val_labels } = args;
        Self {
            tree: TreeSettings::resolve(root),
            val_labels,
        }
    }
}

pub fn run(settings: &ImagenetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let prepared = imagenet::prepare(
        &root.path(imagenet::IMAGENET_DIR),
        settings.val_labels.as_deref(),
    )
    .context("cannot prepare ImageNet")?;
    let details = serde_json::json!({"classes": prepared.classes, "lists": prepared.lists});
    let mut report = Report::new("imagenet", &details)?;
    if prepared.classes != imagenet::CLASS_COUNT {
        report.line(format!(
                "warning: {} class folders in train/, ImageNet-1k has {}: class ids follow the folders found, \
                 so they do not match the 1000-class target set",
                prepared.classes,
                imagenet::CLASS_COUNT
        ));
    }
    for (path, lines) in &prepared.lists {
        report.file(path, Some(*lines as u64), format_args!("{lines} images"));
    }
    finish(report, &settings.tree, global)
}
