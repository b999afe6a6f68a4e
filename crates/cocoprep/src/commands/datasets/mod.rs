//! `cocoprep dataset <NAME>`: one preparer per dataset of the Uni-Perceiver tree, one
//! module per command.

pub mod cc12m;
pub mod cc3m;
pub mod coco;
pub mod flickr30k;
pub mod sbu;
mod shared;
pub mod visual_genome;
pub mod vqa;

use super::Outcome;
use crate::cli::{DatasetArgs, DatasetCommand};
use crate::settings::GlobalSettings;

pub fn run(args: DatasetArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let DatasetArgs { command } = args;
    match command {
        DatasetCommand::Coco(args) => coco::run(&coco::CocoDatasetSettings::resolve(args), global),
        DatasetCommand::Flickr30k(args) => {
            flickr30k::run(&flickr30k::Flickr30kSettings::resolve(args), global)
        }
        DatasetCommand::VisualGenome(args) => {
            visual_genome::run(&visual_genome::VisualGenomeSettings::resolve(args), global)
        }
        DatasetCommand::Sbu(args) => sbu::run(&sbu::SbuSettings::resolve(args), global),
        DatasetCommand::Cc3m(args) => cc3m::run(&cc3m::Cc3mSettings::resolve(args), global),
        DatasetCommand::Cc12m(args) => cc12m::run(&cc12m::Cc12mSettings::resolve(args), global),
        DatasetCommand::Vqa(args) => vqa::run(&vqa::VqaSettings::resolve(args), global),
    }
}
