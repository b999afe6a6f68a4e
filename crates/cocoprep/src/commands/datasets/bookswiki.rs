//! `cocoprep dataset bookswiki FILE... --root R`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::bookswiki;

use super::super::Outcome;
use crate::cli::{BookswikiArgs, RootArg};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct BookswikiSettings {
    pub inputs: Vec<PathBuf>,
    pub root: PathBuf,
}

impl BookswikiSettings {
    pub fn resolve(args: BookswikiArgs) -> Self {
        let BookswikiArgs {
            inputs,
            root: RootArg { root },
        } = args;
        Self { inputs, root }
    }
}

pub fn run(settings: &BookswikiSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let prepared = bookswiki::prepare(&settings.inputs, &root.path(bookswiki::BOOKSWIKI_DIR))
        .context("cannot prepare Books & Wiki")?;
    output::note(
        global,
        format_args!(
            "wrote {} ({} lines, {} non-empty, {} bytes) and {}",
            prepared.corpus.display(),
            prepared.lines,
            prepared.non_empty_lines,
            prepared.bytes,
            prepared.sample.display()
        ),
    );
    super::common::finish(&root, "bookswiki", global)
}
