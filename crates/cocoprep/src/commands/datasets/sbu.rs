//! `cocoprep dataset sbu`: sbucaption/annotations/subcaption.json from the two line files.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::image_check::ImageCheckLevel;
use cocoprep_datasets::sbu::prepare_sbu;

use super::shared::{TreeSettings, check_level, finish, image_line, link_mode};
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
            check,
            place,
            root,
            json,
        } = args;
        Self {
            urls,
            captions,
            images,
            link: link_mode(place),
            check: check_level(check),
            tree: TreeSettings::resolve(root, json),
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
    let lines = [
        format!(
            "{}: {} lines, {} distinct image names",
            summary.output.display(),
            summary.rows,
            summary.names
        ),
        image_line("images", summary.names, summary.written, &summary.images),
        format!("{} images placed into the tree", summary.placed),
    ];
    finish(&settings.tree, "sbu", global, &summary, &lines)?;
    Ok(Outcome::Success)
}
