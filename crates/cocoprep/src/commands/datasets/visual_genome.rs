//! `cocoprep dataset visual-genome`: vg_captions_128filter.json.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::visual_genome::prepare_visual_genome;

use super::report::{Report, finish};
use super::shared::{TreeSettings, link_mode};
use crate::cli::DatasetVisualGenomeArgs;
use crate::commands::Outcome;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct VisualGenomeSettings {
    pub regions: PathBuf,
    pub images: Option<PathBuf>,
    pub link: LinkMode,
    pub tree: TreeSettings,
}

impl VisualGenomeSettings {
    pub fn resolve(args: DatasetVisualGenomeArgs) -> Self {
        let DatasetVisualGenomeArgs {
            regions,
            images,
            place,
            root,
        } = args;
        Self {
            regions,
            images,
            link: link_mode(place),
            tree: TreeSettings::resolve(root),
        }
    }
}

pub fn run(settings: &VisualGenomeSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let summary = prepare_visual_genome(
        &settings.tree.root,
        &settings.regions,
        settings.images.as_deref(),
        settings.link,
        &progress,
    )
    .with_context(|| {
        format!(
            "cannot prepare Visual Genome from `{}`",
            settings.regions.display()
        )
    })?;
    let mut report = Report::new("visual-genome", &summary)?;
    report.file(
        &summary.output,
        Some(summary.images_written),
        format_args!(
            "{} images, {} phrases (from {} entries, {} regions)",
            summary.images_written, summary.phrases_written, summary.entries, summary.regions
        ),
    );
    report.line(format!(
        "{} of {} images with phrases left out: no file in VG_100K/ or VG_100K_2/ \
             ({} image files found); {} images placed into the tree",
        summary.images_without_file,
        summary.images_with_phrases,
        summary.image_files,
        summary.placed
    ));
    finish(report, &settings.tree, global)
}
