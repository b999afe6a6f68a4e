//! `cocoprep dataset cc12m`: c12m/train_available.json from cc12m.tsv.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::cc12m::prepare_cc12m;
use cocoprep_datasets::image_check::ImageCheckLevel;

use super::shared::{TreeSettings, check_level, finish, image_line, link_mode};
use crate::cli::DatasetCc12mArgs;
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct Cc12mSettings {
    pub tsv: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub check: ImageCheckLevel,
    pub tree: TreeSettings,
}

impl Cc12mSettings {
    pub fn resolve(args: DatasetCc12mArgs) -> Self {
        let DatasetCc12mArgs {
            tsv,
            images,
            check,
            place,
            root,
            json,
        } = args;
        Self {
            tsv,
            images,
            link: link_mode(place),
            check: check_level(check),
            tree: TreeSettings::resolve(root, json),
        }
    }
}

pub fn run(settings: &Cc12mSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let summary = prepare_cc12m(
        &settings.tree.root,
        &settings.tsv,
        settings.images.as_deref(),
        settings.link,
        settings.check,
        &progress,
    )
    .with_context(|| format!("cannot prepare CC12M from `{}`", settings.tsv.display()))?;
    let lines = [
        format!("{}:", summary.output.display()),
        image_line("rows", summary.rows, summary.written, &summary.images),
        format!("{} images placed into the tree", summary.placed),
    ];
    finish(&settings.tree, "cc12m", global, &summary, &lines)?;
    Ok(Outcome::Success)
}
