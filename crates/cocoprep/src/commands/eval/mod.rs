//! `cocoprep eval detection|captions`.

pub mod captions;
pub mod detection;
pub mod diagnostics;
pub mod pr_curves;

use cocoprep_coco::Category;

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

/// A category's name, or its id when the ground truth does not list it.
pub(crate) fn category_name(categories: &[Category], id: u32) -> String {
    categories
        .iter()
        .find(|category| category.id.0 == id)
        .map_or_else(|| id.to_string(), |category| category.name.clone())
}
