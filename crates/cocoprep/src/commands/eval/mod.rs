//! `cocoprep eval ...`.

pub mod captions;

use super::Outcome;
use crate::cli::{EvalArgs, EvalCommand};
use crate::settings::GlobalSettings;

pub fn run(args: EvalArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let EvalArgs { command } = args;
    match command {
        EvalCommand::Captions(args) => {
            captions::run(&captions::EvalCaptionsSettings::resolve(args)?, global)
        }
    }
}
