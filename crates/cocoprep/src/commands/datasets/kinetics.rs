//! `cocoprep dataset kinetics --version 400|700 --root R [--videos DIR]` and
//! `cocoprep dataset moments-in-time --root R [--videos DIR]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::video_classes::{self, VideoDataset};

use super::super::Outcome;
use super::report::{Report, finish, resolve_root};
use super::shared::TreeSettings;
use crate::cli::{KineticsArgs, KineticsVersionArg, VideoArgs};
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct VideoSettings {
    pub dataset: VideoDataset,
    pub tree: TreeSettings,
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
        let VideoArgs { root, videos } = args;
        Self {
            dataset,
            tree: TreeSettings::resolve(root),
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
    let root = resolve_root(&settings.tree.root, global);
    let dataset_dir = root.path(settings.dataset.dir());
    let prepared =
        video_classes::prepare(settings.dataset, &dataset_dir, settings.videos.as_deref())
            .with_context(|| format!("cannot prepare {}", settings.dataset.title()))?;
    let details = serde_json::json!({
        "renamed": prepared.renamed.len(),
        "training_videos": prepared.counts[0],
        "validation_videos": prepared.counts[1],
        "labels": prepared.labels,
    });
    let mut report = Report::new(tree_name(settings.dataset), &details)?;
    if !prepared.renamed.is_empty() {
        report.line(format!(
            "moved or renamed {} label folders into {} (e.g. `{}` -> `{}`)",
            prepared.renamed.len(),
            dataset_dir.display(),
            prepared.renamed[0].from.display(),
            prepared.renamed[0].to.display()
        ));
    }
    let [training, validation] = prepared.counts;
    report.line(format!(
        "{}: {training} training and {validation} validation videos in {} classes",
        settings.dataset.title(),
        prepared.labels
    ));
    for path in &prepared.written {
        report.file(path, None, "");
    }
    finish(report, &settings.tree, global)
}
