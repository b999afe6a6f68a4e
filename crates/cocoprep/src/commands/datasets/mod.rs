//! `cocoprep tree` and `cocoprep dataset <NAME>`: Uni-Perceiver's `open_source_dataset/`
//! tree, one module per command.

pub mod bookswiki;
pub mod coco;
pub mod flickr30k;
pub mod glue;
pub mod imagenet;
pub mod imagenet22k;
pub mod kinetics;
pub mod msrvtt;
pub mod msvd;
mod report;
pub mod sbu;
mod shared;
pub mod tree;
pub mod visual_genome;
pub mod vqa;
pub mod web_captions;

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
        DatasetCommand::Imagenet22k(args) => {
            imagenet22k::run(&imagenet22k::Imagenet22kSettings::resolve(args), global)
        }
        DatasetCommand::Bookswiki(args) => {
            bookswiki::run(&bookswiki::BookswikiSettings::resolve(args), global)
        }
        DatasetCommand::Glue(args) => glue::run(&glue::GlueSettings::resolve(args), global),
        DatasetCommand::Coco(args) => coco::run(&coco::CocoDatasetSettings::resolve(args), global),
        DatasetCommand::Flickr30k(args) => {
            flickr30k::run(&flickr30k::Flickr30kSettings::resolve(args), global)
        }
        DatasetCommand::VisualGenome(args) => {
            visual_genome::run(&visual_genome::VisualGenomeSettings::resolve(args), global)
        }
        DatasetCommand::Sbu(args) => sbu::run(&sbu::SbuSettings::resolve(args), global),
        DatasetCommand::Cc3m(args) => web_captions::run(
            &web_captions::WebCaptionsSettings::resolve_cc3m(args),
            global,
        ),
        DatasetCommand::Cc12m(args) => web_captions::run(
            &web_captions::WebCaptionsSettings::resolve_cc12m(args),
            global,
        ),
        DatasetCommand::Vqa(args) => vqa::run(&vqa::VqaSettings::resolve(args), global),
    }
}
