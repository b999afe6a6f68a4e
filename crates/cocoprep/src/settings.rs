//! Resolved settings: what each command will do, with every default applied.

use std::path::PathBuf;

use crate::cli::{DemoArgs, GlobalArgs, InspectArgs, ValidateArgs};

/// How much to print on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Progress and summaries.
    Normal,
    /// Extra detail.
    Verbose,
}

/// Settings shared by all commands.
#[derive(Clone, Debug)]
pub struct GlobalSettings {
    pub verbosity: Verbosity,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
}

impl GlobalSettings {
    pub fn resolve(args: GlobalArgs) -> Self {
        let GlobalArgs {
            quiet,
            verbose,
            jobs,
        } = args;
        let verbosity = match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, _) => Verbosity::Verbose,
        };
        Self {
            verbosity,
            jobs: jobs.unwrap_or(0),
        }
    }
}

#[derive(Clone, Debug)]
pub struct InspectSettings {
    pub file: PathBuf,
    pub json: bool,
}

impl InspectSettings {
    pub fn resolve(args: InspectArgs) -> Self {
        let InspectArgs { file, json } = args;
        Self { file, json }
    }
}

#[derive(Clone, Debug)]
pub struct ValidateSettings {
    pub file: PathBuf,
    pub images: Option<PathBuf>,
    pub decode: bool,
    /// Findings to print; `None` = all.
    pub max_issues: Option<usize>,
    pub json: bool,
}

impl ValidateSettings {
    pub fn resolve(args: ValidateArgs) -> Self {
        let ValidateArgs {
            file,
            images,
            no_decode,
            max_issues,
            json,
        } = args;
        Self {
            file,
            images,
            decode: !no_decode,
            max_issues: (max_issues > 0).then_some(max_issues),
            json,
        }
    }
}

#[derive(Clone, Debug)]
pub struct DemoSettings {
    pub output: PathBuf,
}

impl DemoSettings {
    pub fn resolve(args: DemoArgs) -> Self {
        let DemoArgs { output } = args;
        Self { output }
    }
}
