//! `cocoprep dataset msvd TXT_LABELS --root R [--no-info]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msvd;

use super::super::Outcome;
use crate::cli::{MsvdArgs, RootArg};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct MsvdSettings {
    pub txt_labels: PathBuf,
    pub root: PathBuf,
    pub info: InfoKey,
}

impl MsvdSettings {
    pub fn resolve(args: MsvdArgs) -> Self {
        let MsvdArgs {
            txt_labels,
            root: RootArg { root },
            no_info,
        } = args;
        Self {
            txt_labels,
            root,
            info: if no_info { InfoKey::Omit } else { InfoKey::Add },
        }
    }
}

pub fn run(settings: &MsvdSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let annotations = root.path(msvd::DATASET_DIR).join(msvd::ANNOTATIONS_DIR);
    let written = msvd::prepare(&settings.txt_labels, &annotations, settings.info)
        .context("cannot prepare MSVD")?;
    for split in &written {
        output::note(
            global,
            format_args!(
                "wrote {} ({} videos, {} captions)",
                split.path.display(),
                split.videos,
                split.captions
            ),
        );
    }
    super::common::finish(&root, "msvd", global)
}
