//! Settings shared by every command. Each command resolves its own arguments into a
//! settings struct in its module (`commands/<name>.rs`).

use crate::cli::GlobalArgs;

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
