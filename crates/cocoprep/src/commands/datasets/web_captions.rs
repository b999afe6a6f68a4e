//! `cocoprep dataset cc3m` and `cocoprep dataset cc12m`: the JSON-lines annotation file from
//! a URL list TSV and the downloaded images (one command body; the datasets differ in the
//! preparer called and the tree's names).

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::cc3m::{Cc3mSplit, VAL_TSV, prepare_cc3m};
use cocoprep_datasets::cc12m::prepare_cc12m;
use cocoprep_datasets::image_check::ImageCheckLevel;

use super::report::{Report, finish};
use super::shared::{TreeSettings, image_line, web_images};
use crate::cli::{Cc3mSplitArg, DatasetCc3mArgs, DatasetCc12mArgs};
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

/// Which URL list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebDataset {
    Cc3m(Cc3mSplit),
    Cc12m,
}

#[derive(Clone, Debug)]
pub struct WebCaptionsSettings {
    pub dataset: WebDataset,
    pub tsv: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub check: ImageCheckLevel,
    pub tree: TreeSettings,
}

impl WebCaptionsSettings {
    pub fn resolve_cc3m(args: DatasetCc3mArgs) -> Self {
        let DatasetCc3mArgs {
            tsv,
            split,
            images,
            web,
            root,
        } = args;
        let split = match split {
            Some(Cc3mSplitArg::Train) => Cc3mSplit::Train,
            Some(Cc3mSplitArg::Val) => Cc3mSplit::Val,
            None if tsv.file_name().is_some_and(|name| name == VAL_TSV) => Cc3mSplit::Val,
            None => Cc3mSplit::Train,
        };
        let (check, link) = web_images(web);
        Self {
            dataset: WebDataset::Cc3m(split),
            tsv,
            images,
            link,
            check,
            tree: TreeSettings::resolve(root),
        }
    }

    pub fn resolve_cc12m(args: DatasetCc12mArgs) -> Self {
        let DatasetCc12mArgs {
            tsv,
            images,
            web,
            root,
        } = args;
        let (check, link) = web_images(web);
        Self {
            dataset: WebDataset::Cc12m,
            tsv,
            images,
            link,
            check,
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &WebCaptionsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let WebCaptionsSettings {
        dataset,
        tsv,
        images,
        link,
        check,
        tree,
    } = settings;
    let (name, title) = match dataset {
        WebDataset::Cc3m(_) => ("cc3m", "CC3M"),
        WebDataset::Cc12m => ("cc12m", "CC12M"),
    };
    let summary = match *dataset {
        WebDataset::Cc3m(split) => prepare_cc3m(
            &tree.root,
            split,
            tsv,
            images.as_deref(),
            *link,
            *check,
            &progress,
        ),
        WebDataset::Cc12m => {
            prepare_cc12m(&tree.root, tsv, images.as_deref(), *link, *check, &progress)
        }
    }
    .with_context(|| format!("cannot prepare {title} from `{}`", tsv.display()))?;
    let mut report = Report::new(name, &summary)?;
    report.file(
        &summary.output,
        Some(summary.written),
        format_args!("{} records", summary.written),
    );
    report.line(image_line(
        "rows",
        summary.rows,
        summary.written,
        &summary.images,
    ));
    report.line(format!("{} images placed into the tree", summary.placed));
    finish(report, tree, global)
}
