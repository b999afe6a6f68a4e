//! `cocoprep dataset msrvtt DIR --root R [--no-info]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msrvtt::{self, MsrvttInputs};

use super::super::Outcome;
use crate::cli::{MsrvttArgs, RootArg};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct MsrvttSettings {
    pub input: PathBuf,
    pub root: PathBuf,
    pub info: InfoKey,
}

impl MsrvttSettings {
    pub fn resolve(args: MsrvttArgs) -> Self {
        let MsrvttArgs {
            input,
            root: RootArg { root },
            no_info,
        } = args;
        Self {
            input,
            root,
            info: if no_info { InfoKey::Omit } else { InfoKey::Add },
        }
    }
}

pub fn run(settings: &MsrvttSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let annotations = root.path(msrvtt::DATASET_DIR).join(msrvtt::ANNOTATIONS_DIR);
    let written = msrvtt::prepare(
        &MsrvttInputs::in_folder(&settings.input),
        &annotations,
        settings.info,
    )
    .context("cannot prepare MSR-VTT")?;
    for (path, videos, captions) in &written {
        output::note(
            global,
            format_args!(
                "wrote {} ({videos} videos, {captions} captions)",
                path.display()
            ),
        );
    }
    super::common::finish(&root, "msrvtt", global)
}
