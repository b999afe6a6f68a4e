//! `cocoprep features ...`: region features for captioning models.

pub mod butd;
pub mod resnet;
pub mod vsua;

use super::Outcome;
use crate::cli::{FeaturesArgs, FeaturesCommand};
use crate::settings::GlobalSettings;

pub fn run(args: FeaturesArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let FeaturesArgs { command } = args;
    match command {
        FeaturesCommand::Butd(args) => {
            butd::ButdSettings::resolve(args).and_then(|settings| butd::run(&settings, global))
        }
        FeaturesCommand::VsuaGeometry(args) => {
            vsua::run_geometry(&vsua::GeometrySettings::resolve(args), global)
        }
        FeaturesCommand::Resnet(args) => resnet::ResnetSettings::resolve(args)
            .and_then(|settings| resnet::run(&settings, global)),
        FeaturesCommand::VsuaGraph(args) => {
            vsua::run_graph(&vsua::GraphSettings::resolve(args), global)
        }
    }
}
