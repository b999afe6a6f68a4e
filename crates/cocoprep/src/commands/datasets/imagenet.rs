//! `cocoprep dataset imagenet --root R [--val-labels FILE]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::imagenet;

use super::super::Outcome;
use crate::cli::{ImagenetArgs, RootArg};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ImagenetSettings {
    pub root: PathBuf,
    pub val_labels: Option<PathBuf>,
}

impl ImagenetSettings {
    pub fn resolve(args: ImagenetArgs) -> Self {
        let ImagenetArgs {
            root: RootArg { root },
            val_labels,
        } = args;
        Self { root, val_labels }
    }
}

pub fn run(settings: &ImagenetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let prepared = imagenet::prepare(
        &root.path(imagenet::IMAGENET_DIR),
        settings.val_labels.as_deref(),
    )
    .context("cannot prepare ImageNet")?;
    if prepared.classes != imagenet::CLASS_COUNT {
        output::note(
            global,
            format_args!(
                "warning: {} class folders in train/, ImageNet-1k has {}: class ids follow the folders found, \
                 so they do not match the 1000-class target set",
                prepared.classes,
                imagenet::CLASS_COUNT
            ),
        );
    }
    for (path, lines) in &prepared.lists {
        output::note(
            global,
            format_args!("wrote {} ({lines} images)", path.display()),
        );
    }
    super::common::finish(&root, "imagenet", global)
}
