//! `cocoprep dataset imagenet22k --root R [--source DIR] [--classes FILE]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::imagenet22k::{self, ClassOrder};
use cocoprep_datasets::{DataRoot, imagenet};

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::Imagenet22kArgs;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct Imagenet22kSettings {
    pub source: Option<PathBuf>,
    pub classes: Option<PathBuf>,
    pub tree: TreeSettings,
}

impl Imagenet22kSettings {
    pub fn resolve(args: Imagenet22kArgs) -> Self {
        let Imagenet22kArgs {
            source,
            classes,
            root,
        } = args;
        Self {
            source,
            classes,
            tree: TreeSettings::resolve(root),
        }
    }
}

/// The class order and how to describe it.
fn class_order(
    settings: &Imagenet22kSettings,
    root: &DataRoot,
) -> anyhow::Result<(ClassOrder, String)> {
    if let Some(path) = &settings.classes {
        let wnids = imagenet22k::read_wnid_list(path)?;
        let description = format!("the order of {} ({} wnids)", path.display(), wnids.len());
        return Ok((ClassOrder::Listed(wnids), description));
    }
    let train = root.path(imagenet::IMAGENET_DIR).join("train");
    let first: Vec<String> = match std::fs::read_dir(&train) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| !name.starts_with('.'))
            .collect(),
        Err(_) => Vec::new(),
    };
    let description = if first.is_empty() {
        format!(
            "sorted wnids (no ImageNet-1k class folders in {} to put first)",
            train.display()
        )
    } else {
        format!(
            "the {} ImageNet-1k classes of {} first (sorted), then the others sorted",
            first.len(),
            train.display()
        )
    };
    Ok((ClassOrder::Imagenet1kFirst(first), description))
}

pub fn run(settings: &Imagenet22kSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let (order, order_description) = class_order(settings, &root)?;
    let tree_images = root.path(imagenet22k::DIR);
    let source = settings.source.as_deref().unwrap_or(&tree_images);
    let progress = Progress::new(global);
    let prepared = imagenet22k::prepare(&root.dataset_folder(), source, &order, &progress)
        .with_context(|| format!("cannot prepare ImageNet-22k from `{}`", source.display()))?;
    let details = serde_json::json!({
        "classes": prepared.classes,
        "images": prepared.images,
        "skipped": prepared.skipped,
        "linked": prepared.linked,
        "class_order": order_description,
    });
    let mut report = Report::new("imagenet22k", &details)?;
    report.file(
        &prepared.list,
        Some(prepared.images),
        format_args!("{} images in {} classes", prepared.images, prepared.classes),
    );
    report.line(format!("class ids: {order_description}"));
    if prepared.skipped > 0 {
        report.line(format!(
            "{} files left out: not named <wnid>_<num>.JPEG in their class folder",
            prepared.skipped
        ));
    }
    if let Some(link) = &prepared.linked {
        report.line(format!("linked {} -> {}", link.display(), source.display()));
    }
    finish(report, &settings.tree, global)
}
