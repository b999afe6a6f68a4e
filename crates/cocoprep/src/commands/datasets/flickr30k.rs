//! `cocoprep dataset flickr30k`: the jsonlines, the caption files and the images.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::flickr30k::prepare_flickr30k;

use super::report::{Report, finish};
use super::shared::{TreeSettings, link_mode};
use crate::cli::DatasetFlickr30kArgs;
use crate::commands::Outcome;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct Flickr30kSettings {
    pub jsonlines: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub tree: TreeSettings,
}

impl Flickr30kSettings {
    pub fn resolve(args: DatasetFlickr30kArgs) -> Self {
        let DatasetFlickr30kArgs {
            jsonlines,
            images,
            place,
            root,
        } = args;
        Self {
            jsonlines,
            images,
            link: link_mode(place),
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &Flickr30kSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let summary = prepare_flickr30k(
        &settings.tree.root,
        &settings.jsonlines,
        settings.images.as_deref(),
        settings.link,
    )
    .with_context(|| {
        format!(
            "cannot prepare Flickr30k from `{}`",
            settings.jsonlines.display()
        )
    })?;
    let mut report = Report::new("flickr30k", &summary)?;
    for split in &summary.splits {
        report.file(
            &split.output,
            Some(split.captions),
            format_args!("{} images, {} captions", split.images, split.captions),
        );
    }
    match &summary.image_source {
        Some(source) => report.line(format!(
            "images found in {}; {} placed into the tree",
            source.display(),
            summary.placed
        )),
        None => report.line("no --images: images not checked or placed"),
    }
    finish(report, &settings.tree, global)
}
