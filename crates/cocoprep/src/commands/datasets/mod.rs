//! `cocoprep tree` and `cocoprep dataset <NAME>`: Uni-Perceiver's `open_source_dataset/`
//! tree, one module per command.

pub mod bookswiki;
mod common;
pub mod glue;
pub mod imagenet;
pub mod kinetics;
pub mod msrvtt;
pub mod msvd;
pub mod tree;

use super::Outcome;
use crate::cli::{DatasetArgs, DatasetCommand};
use crate::settings::GlobalSettings;

pub fn run(args: DatasetArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let DatasetArgs { command } = args;
    match command {
        DatasetCommand::Msvd(args) => msvd::run(&msvd::MsvdSettings::resolve(args), global),
        DatasetCommand::Kinetics(args) => {
            kinetics::run(&kinetics::VideoSettings::resolve_kinetics(args), global)
        }
        DatasetCommand::MomentsInTime(args) => {
            kinetics::run(&kinetics::VideoSettings::resolve_moments(args), global)
        }
        DatasetCommand::Msrvtt(args) => msrvtt::run(&msrvtt::MsrvttSettings::resolve(args), global),
        DatasetCommand::Imagenet(args) => {
            imagenet::run(&imagenet::ImagenetSettings::resolve(args), global)
        }
        DatasetCommand::Bookswiki(args) => {
            bookswiki::run(&bookswiki::BookswikiSettings::resolve(args), global)
        }
        DatasetCommand::Glue(args) => glue::run(&glue::GlueSettings::resolve(args), global),
    }
}
