//! What every `cocoprep dataset` command prints when it is done, in one place: the files
//! written (path, bytes, records), the problems found, the links made, the stale loader
//! caches deleted and the `DATA_PATH` — as lines on stderr, or as one JSON object on
//! stdout with `--json` (`"schema": 1`).

use std::path::{Path, PathBuf};

use cocoprep_datasets::DataRoot;
use serde::Serialize;

use super::shared::TreeSettings;
use crate::commands::Outcome;
use crate::output;
use crate::settings::GlobalSettings;

/// A file a preparer wrote.
#[derive(Clone, Debug, Serialize)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub bytes: u64,
    /// Records (lines, images, rows: what the file holds), when the preparer counts them.
    pub records: Option<u64>,
}

/// A problem the preparer found (the exit status is then 1).
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub problem: String,
}

/// The summary of one `cocoprep dataset` run, built by the command and printed by [`finish`].
#[derive(Debug)]
pub struct Report {
    /// The tree check's name of the dataset (`cocoprep tree --dataset NAME`).
    dataset: &'static str,
    files: Vec<WrittenFile>,
    problems: Vec<Problem>,
    /// The preparer's own summary, under `details` in the JSON.
    details: serde_json::Value,
    /// What people read on stderr (without `--json`).
    lines: Vec<String>,
}

impl Report {
    /// A report for `dataset` whose `details` are the preparer's summary.
    pub fn new(dataset: &'static str, details: &impl Serialize) -> anyhow::Result<Self> {
        Ok(Self {
            dataset,
            files: Vec::new(),
            problems: Vec::new(),
            details: serde_json::to_value(details)?,
            lines: Vec::new(),
        })
    }

    /// Records a written file (its size is read now) and says so on stderr:
    /// `wrote PATH (DESCRIPTION)`.
    pub fn file(&mut self, path: &Path, records: Option<u64>, description: impl std::fmt::Display) {
        let bytes = std::fs::metadata(path).map_or(0, |metadata| metadata.len());
        let description = description.to_string();
        self.lines.push(if description.is_empty() {
            format!("wrote {}", path.display())
        } else {
            format!("wrote {} ({description})", path.display())
        });
        self.files.push(WrittenFile {
            path: path.to_owned(),
            bytes,
            records,
        });
    }

    /// Records a problem and says so on stderr.
    pub fn problem(&mut self, path: &Path, problem: impl Into<String>) {
        let problem = problem.into();
        self.lines.push(format!("{}: {problem}", path.display()));
        self.problems.push(Problem {
            path: path.to_owned(),
            problem,
        });
    }

    /// A line for people (not in the JSON: the same facts are in `details`).
    pub fn line(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    dataset: &'a str,
    data_path: &'a Path,
    files: &'a [WrittenFile],
    problems: &'a [Problem],
    links: &'a [PathBuf],
    deleted_caches: &'a [PathBuf],
    details: &'a serde_json::Value,
}

/// `--root` resolved, with a note when the user passed `open_source_dataset/` itself.
pub fn resolve_root(root: &Path, global: &GlobalSettings) -> DataRoot {
    let resolved = DataRoot::resolve(root);
    if resolved.passed_dataset_folder() {
        output::note(
            global,
            format_args!(
                "note: `{}` is the open_source_dataset folder itself; using its parent `{}` as the root (DATA_PATH)",
                root.display(),
                resolved.data_path().display()
            ),
        );
    }
    resolved
}

/// After new annotations: makes the links the dataset needs and deletes its loader caches
/// (now stale; the loaders never rebuild them); then prints the report (JSON on stdout with
/// `--json`, else lines on stderr) and the `DATA_PATH` the configs need. Problems make the
/// outcome [`Outcome::ProblemsFound`].
pub fn finish(
    report: Report,
    tree: &TreeSettings,
    global: &GlobalSettings,
) -> anyhow::Result<Outcome> {
    let Report {
        dataset,
        files,
        problems,
        details,
        lines,
    } = report;
    let root = DataRoot::resolve(&tree.root);
    let names = [dataset.to_owned()];
    let links = cocoprep_datasets::tree::make_links(&root, &names)?;
    let deleted = cocoprep_datasets::tree::clean_caches(&root, &names)?;
    if tree.json {
        let json = JsonReport {
            schema: 1,
            dataset,
            data_path: root.data_path(),
            files: &files,
            problems: &problems,
            links: &links,
            deleted_caches: &deleted,
            details: &details,
        };
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
    } else {
        for line in &lines {
            output::note(global, line);
        }
        for path in &links {
            output::note(
                global,
                format_args!(
                    "linked {} (a path the configs or loaders need)",
                    path.display()
                ),
            );
        }
        for path in &deleted {
            output::note(
                global,
                format_args!("deleted stale loader cache {}", path.display()),
            );
        }
    }
    output::note(
        global,
        format_args!(
            "DATA_PATH={}   (check: cocoprep tree {} --dataset {dataset})",
            root.data_path().display(),
            root.data_path().display()
        ),
    );
    Ok(if problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
