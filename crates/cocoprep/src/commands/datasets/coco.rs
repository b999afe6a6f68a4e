//! `cocoprep dataset coco`: the Karpathy split files, dataset_coco.json and the images.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::coco::prepare_coco;

use super::report::{Report, finish};
use super::shared::{TreeSettings, link_mode};
use crate::cli::DatasetCocoArgs;
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct CocoDatasetSettings {
    pub karpathy: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub tree: TreeSettings,
}

impl CocoDatasetSettings {
    pub fn resolve(args: DatasetCocoArgs) -> Self {
        let DatasetCocoArgs {
            karpathy,
            images,
            place,
            root,
        } = args;
        Self {
            karpathy,
            images,
            link: link_mode(place),
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &CocoDatasetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let summary = prepare_coco(
        &settings.tree.root,
        &settings.karpathy,
        settings.images.as_deref(),
        settings.link,
        global.jobs,
        &progress,
    )
    .with_context(|| format!("cannot prepare COCO from `{}`", settings.karpathy.display()))?;
    let json = serde_json::json!({
        "splits": summary.splits.iter().map(|file| serde_json::json!({
            "path": file.path, "images": file.images, "captions": file.captions,
        })).collect::<Vec<_>>(),
        "karpathy": summary.karpathy,
        "images_checked": summary.images_checked,
        "placed": summary.placed,
    });
    let mut report = Report::new("coco", &json)?;
    for file in &summary.splits {
        report.file(
            &file.path,
            Some(file.captions as u64),
            format_args!("{} images, {} captions", file.images, file.captions),
        );
    }
    report.file(&summary.karpathy, None, "Karpathy's file, in place");
    report.line(match settings.images {
        Some(_) => format!(
            "{} images checked; {} placed into the tree",
            summary.images_checked, summary.placed
        ),
        None => "no --images: images not checked or placed".to_owned(),
    });
    finish(report, &settings.tree, global)
}
