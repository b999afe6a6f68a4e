//! `cocoprep captions ...`: Karpathy-format captioning data, one module per command.

pub mod karpathy;
pub mod labels;
pub mod ngrams;
pub mod reference;
pub mod splits;
pub mod subsample;

use super::Outcome;
use crate::cli::{CaptionsArgs, CaptionsCommand};
use crate::settings::GlobalSettings;

pub fn run(args: CaptionsArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let CaptionsArgs { command } = args;
    match command {
        CaptionsCommand::Labels(args) => {
            labels::run(&labels::LabelsSettings::resolve(args), global)
        }
        CaptionsCommand::Ngrams(args) => {
            ngrams::run(&ngrams::NgramsSettings::resolve(args), global)
        }
        CaptionsCommand::Reference(args) => {
            reference::run(&reference::ReferenceSettings::resolve(args), global)
        }
        CaptionsCommand::Splits(args) => {
            splits::run(&splits::SplitsSettings::resolve(args), global)
        }
        CaptionsCommand::Subsample(args) => {
            subsample::run(&subsample::SubsampleSettings::resolve(args), global)
        }
        CaptionsCommand::Karpathy(args) => {
            karpathy::run(&karpathy::KarpathySettings::resolve(args), global)
        }
    }
}
