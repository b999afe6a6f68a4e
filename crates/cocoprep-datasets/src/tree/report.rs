//! What the tree check found: per dataset, what is present and each problem with its fix.
//! Serialises to the stable `--json` schema (version [`SCHEMA_VERSION`]).

use std::path::PathBuf;

use serde::Serialize;

/// The `schema` field of the JSON report; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The `DATA_PATH` to export (the parent of `open_source_dataset/`).
    pub data_path: PathBuf,
    /// `DATA_PATH/open_source_dataset`.
    pub dataset_folder: PathBuf,
    /// Things to know that are not problems (e.g. the folder passed was corrected).
    pub notes: Vec<String>,
    /// Problems of the tree as a whole (the folder itself, `DATA_PATH`).
    pub problems: Vec<Problem>,
    /// One entry per dataset checked.
    pub datasets: Vec<DatasetReport>,
}

impl Report {
    /// Problems in total (tree-wide and per dataset).
    pub fn problem_count(&self) -> usize {
        self.problems.len()
            + self
                .datasets
                .iter()
                .map(|dataset| dataset.problems.len())
                .sum::<usize>()
    }
}

/// How a dataset stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Everything the configs read is there, in the right format.
    Ok,
    /// Some of it is there, with problems.
    Problems,
    /// Nothing of it is there (one `missing` problem says how to prepare it).
    Absent,
}

/// One dataset's findings.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetReport {
    /// The catalog name (`msvd`, `kinetics400`, ...).
    pub name: &'static str,
    /// How people call it.
    pub title: &'static str,
    /// Its main folder, relative to `open_source_dataset/`.
    pub folder: &'static str,
    /// The overall state.
    pub status: Status,
    /// What is there and well-formed (paths relative to `open_source_dataset/`).
    pub present: Vec<String>,
    /// The loader cache pickles found (relative paths).
    pub caches: Vec<String>,
    /// Each problem with its fix.
    pub problems: Vec<Problem>,
}

/// The kinds of problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not there.
    Missing,
    /// There under a name the configs do not read.
    WrongName,
    /// There, but not in the format the loader reads.
    WrongFormat,
    /// A loader cache older than the annotation file it was built from.
    StaleCache,
}

impl ProblemKind {
    /// The name used in the human report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::WrongName => "wrong name",
            Self::WrongFormat => "wrong format",
            Self::StaleCache => "stale cache",
        }
    }
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// The file or folder, relative to `open_source_dataset/` (empty for the folder itself).
    pub path: String,
    /// What is wrong, in a sentence.
    pub detail: String,
    /// The command to run or the action to take.
    pub fix: String,
}
