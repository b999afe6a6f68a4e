//! `cocoprep dataset flickr30k`: the jsonlines, the caption files and the images.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::flickr30k::prepare_flickr30k;

use super::shared::{TreeSettings, finish, link_mode};
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
            json,
        } = args;
        Self {
            jsonlines,
            images,
            link: link_mode(place),
            tree: TreeSettings::resolve(root, json),
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
    let mut lines: Vec<String> = summary
        .splits
        .iter()
        .map(|split| {
            format!(
                "{}: {} images, {} captions",
                split.output.display(),
                split.images,
                split.captions
            )
        })
        .collect();
    match &summary.image_source {
        Some(source) => lines.push(format!(
            "images found in {}; {} placed into the tree",
            source.display(),
            summary.placed
        )),
        None => lines.push("no --images: images not checked or placed".to_owned()),
    }
    finish(&settings.tree, "flickr30k", global, &summary, &lines)?;
    Ok(Outcome::Success)
}
