//! `cocoprep dataset bookswiki FILE... --root R [--v2]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::bookswiki;

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::BookswikiArgs;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct BookswikiSettings {
    pub inputs: Vec<PathBuf>,
    pub v2: bool,
    pub tree: TreeSettings,
}

impl BookswikiSettings {
    pub fn resolve(args: BookswikiArgs) -> Self {
        let BookswikiArgs { inputs, v2, root } = args;
        Self {
            inputs,
            v2,
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &BookswikiSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = resolve_root(&settings.tree.root, global);
    let folder = root.path(bookswiki::BOOKSWIKI_DIR);
    let prepared = if settings.v2 {
        bookswiki::prepare_v2(&settings.inputs, &folder)
    } else {
        bookswiki::prepare(&settings.inputs, &folder)
    }
    .context("cannot prepare Books & Wiki")?;
    let details = serde_json::json!({
        "lines": prepared.lines,
        "non_empty_lines": prepared.non_empty_lines,
        "bytes": prepared.bytes,
    });
    let mut report = Report::new("bookswiki", &details)?;
    report.file(
        &prepared.corpus,
        Some(prepared.lines),
        format_args!(
            "{} lines, {} non-empty",
            prepared.lines, prepared.non_empty_lines
        ),
    );
    let sample_lines = prepared.non_empty_lines.min(bookswiki::SAMPLE_LINES as u64);
    report.file(
        &prepared.sample,
        Some(sample_lines),
        format_args!("{sample_lines} lines"),
    );
    if settings.v2 && prepared.non_empty_lines != bookswiki::V2_LINES {
        report.problem(
            &prepared.corpus,
            format!(
                "{} non-empty lines, but the v2 loader hard-codes {} (general_corpus.py): \
                 it never reads lines past that, and a shorter corpus leaves the last ranks \
                 short or empty",
                prepared.non_empty_lines,
                bookswiki::V2_LINES
            ),
        );
    }
    finish(report, &settings.tree, global)
}
