//! `cocoprep eval detection|captions`.

pub mod captions;
pub mod detection;
pub mod diagnostics;

use super::Outcome;
use crate::cli::{EvalArgs, EvalCommand};
use crate::settings::GlobalSettings;

/// Resolves the subcommand's settings and runs it.
pub fn run(args: EvalArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let EvalArgs { command } = args;
    match command {
        EvalCommand::Detection(args) => detection::DetectionSettings::resolve(args)
            .and_then(|settings| detection::run(&settings, global)),
        EvalCommand::Captions(args) => {
            captions::run(&captions::EvalCaptionsSettings::resolve(args)?, global)
        }
    }
}
