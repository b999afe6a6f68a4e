//! `cocoprep dataset kinetics --version 400|700 --root R [--videos DIR]` and
//! `cocoprep dataset moments-in-time --root R [--videos DIR]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::video_classes::{self, VideoDataset};

use super::super::Outcome;
use crate::cli::{KineticsArgs, KineticsVersionArg, RootArg, VideoArgs};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct VideoSettings {
    pub dataset: VideoDataset,
    pub root: PathBuf,
    pub videos: Option<PathBuf>,
}

impl VideoSettings {
    pub fn resolve_kinetics(args: KineticsArgs) -> Self {
        let KineticsArgs { version, video } = args;
        let dataset = match version {
            KineticsVersionArg::K400 => VideoDataset::Kinetics400,
            KineticsVersionArg::K700 => VideoDataset::Kinetics700,
        };
        Self::resolve(dataset, video)
    }

    pub fn resolve_moments(args: VideoArgs) -> Self {
        Self::resolve(VideoDataset::MomentsInTime, args)
    }

    fn resolve(dataset: VideoDataset, args: VideoArgs) -> Self {
        let VideoArgs {
            root: RootArg { root },
            videos,
        } = args;
        Self {
            dataset,
            root,
            videos,
        }
    }
}

/// The tree check's name of the dataset.
fn tree_name(dataset: VideoDataset) -> &'static str {
    match dataset {
        VideoDataset::Kinetics400 => "kinetics400",
        VideoDataset::Kinetics700 => "kinetics700",
        VideoDataset::MomentsInTime => "moments-in-time",
    }
}

pub fn run(settings: &VideoSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = super::common::resolve_root(&settings.root, global);
    let dataset_dir = root.path(settings.dataset.dir());
    let prepared =
        video_classes::prepare(settings.dataset, &dataset_dir, settings.videos.as_deref())
            .with_context(|| format!("cannot prepare {}", settings.dataset.title()))?;
    if !prepared.renamed.is_empty() {
        output::note(
            global,
            format_args!(
                "moved or renamed {} label folders into {} (e.g. `{}` -> `{}`)",
                prepared.renamed.len(),
                dataset_dir.display(),
                prepared.renamed[0].from.display(),
                prepared.renamed[0].to.display()
            ),
        );
    }
    let [training, validation] = prepared.counts;
    output::note(
        global,
        format_args!(
            "{}: {training} training and {validation} validation videos in {} classes",
            settings.dataset.title(),
            prepared.labels
        ),
    );
    for path in &prepared.written {
        output::note(global, format_args!("wrote {}", path.display()));
    }
    super::common::finish(&root, tree_name(settings.dataset), global)
}
