//! `cocoprep dataset cc3m`: cc3m/{train,val}_spacy.json from the official TSV.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::cc3m::{Cc3mSplit, VAL_TSV, prepare_cc3m};
use cocoprep_datasets::image_check::ImageCheckLevel;

use super::shared::{TreeSettings, check_level, finish, image_line, link_mode};
use crate::cli::{Cc3mSplitArg, DatasetCc3mArgs};
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct Cc3mSettings {
    pub tsv: PathBuf,
    pub split: Cc3mSplit,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub check: ImageCheckLevel,
    pub tree: TreeSettings,
}

impl Cc3mSettings {
    pub fn resolve(args: DatasetCc3mArgs) -> Self {
        let DatasetCc3mArgs {
            tsv,
            split,
            images,
            check,
            place,
            root,
            json,
        } = args;
        let split = match split {
            Some(Cc3mSplitArg::Train) => Cc3mSplit::Train,
            Some(Cc3mSplitArg::Val) => Cc3mSplit::Val,
            None if tsv.file_name().is_some_and(|name| name == VAL_TSV) => Cc3mSplit::Val,
            None => Cc3mSplit::Train,
        };
        Self {
            tsv,
            split,
            images,
            link: link_mode(place),
            check: check_level(check),
            tree: TreeSettings::resolve(root, json),
        }
    }
}

pub fn run(settings: &Cc3mSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let summary = prepare_cc3m(
        &settings.tree.root,
        settings.split,
        &settings.tsv,
        settings.images.as_deref(),
        settings.link,
        settings.check,
        &progress,
    )
    .with_context(|| format!("cannot prepare CC3M from `{}`", settings.tsv.display()))?;
    let lines = [
        format!("{}:", summary.output.display()),
        image_line("rows", summary.rows, summary.written, &summary.images),
        format!("{} images placed into the tree", summary.placed),
    ];
    finish(&settings.tree, "cc3m", global, &summary, &lines)?;
    Ok(Outcome::Success)
}
