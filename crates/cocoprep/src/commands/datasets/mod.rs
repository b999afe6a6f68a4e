//! `cocoprep tree` and `cocoprep dataset <NAME>`: Uni-Perceiver's `open_source_dataset/`
//! tree, one module per command.

pub mod bookswiki;
pub mod glue;
pub mod imagenet;
pub mod kinetics;
pub mod msrvtt;
pub mod msvd;
pub mod tree;

use cocoprep_datasets::DataRoot;

use super::Outcome;
use crate::cli::{DatasetArgs, DatasetCommand};
use crate::output;
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

/// `--root` resolved, with a note when the user passed `open_source_dataset/` itself.
pub fn resolve_root(root: &std::path::Path, global: &GlobalSettings) -> DataRoot {
    let resolved = DataRoot::resolve(root);
    if resolved.passed_dataset_folder() {
        output::note(
            global,
            format_args!(
                "note: `{}` is the open_source_dataset folder itself; using its parent `{}` as the root (DATA_PATH)",
                root.display(),
                resolved.data_path().display()
            ),
        );
    }
    resolved
}

/// After new annotations: the dataset's loader caches are stale, delete them (the loaders
/// never rebuild them) and say so; then point at the tree check.
pub fn finish(root: &DataRoot, dataset: &str, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let deleted = cocoprep_datasets::tree::clean_caches(root, &[dataset.to_owned()])?;
    for path in &deleted {
        output::note(
            global,
            format_args!("deleted stale loader cache {}", path.display()),
        );
    }
    output::note(
        global,
        format_args!(
            "DATA_PATH={}   (check: cocoprep tree {} --dataset {dataset})",
            root.data_path().display(),
            root.data_path().display()
        ),
    );
    Ok(Outcome::Success)
}
