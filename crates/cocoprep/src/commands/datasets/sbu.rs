//! `cocoprep dataset sbu`: sbucaption/annotations/subcaption.json from the two line files.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::image_check::ImageCheckLevel;
use cocoprep_datasets::sbu::prepare_sbu;

use super::report::{Report, finish};
use super::shared::{TreeSettings, image_line, web_images};
use crate::cli::DatasetSbuArgs;
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SbuSettings {
    pub urls: PathBuf,
    pub captions: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub check: ImageCheckLevel,
    pub tree: TreeSettings,
}

impl SbuSettings {
    pub fn resolve(args: DatasetSbuArgs) -> Self {
        let DatasetSbuArgs {
            urls,
            captions,
            images,
            web,
            root,
        } = args;
        let (check, link) = web_images(web);
        Self {
            urls,
            captions,
            images,
            link,
            check,
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &SbuSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let summary = prepare_sbu(
        &settings.tree.root,
        &settings.urls,
        &settings.captions,
        settings.images.as_deref(),
        settings.link,
        settings.check,
        &progress,
    )
    .with_context(|| format!("cannot prepare SBU from `{}`", settings.urls.display()))?;
    let mut report = Report::new("sbu", &summary)?;
    report.file(
        &summary.output,
        Some(summary.written),
        format_args!(
            "{} lines, {} distinct image names",
            summary.rows, summary.names
        ),
    );
    report.line(image_line(
        "images",
        summary.names,
        summary.written,
        &summary.images,
    ));
    report.line(format!("{} images placed into the tree", summary.placed));
    finish(report, &settings.tree, global)
}
