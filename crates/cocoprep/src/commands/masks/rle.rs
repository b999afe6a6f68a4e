//! `cocoprep masks rle IN.json -o OUT.json`: every segmentation as compressed RLE.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::mask::{
    RleConversionOptions, convert_annotations_to_rle, convert_segmentations_to_rle,
};
use cocoprep_coco::{ReadOptions, read_dataset};

use super::{Outcome, report_failures};
use crate::cli::RleArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct RleSettings {
    pub input: PathBuf,
    pub output: PathBuf,
    pub recompute_area: bool,
    pub recompute_bbox: bool,
    pub images: Option<PathBuf>,
}

impl RleSettings {
    pub fn resolve(args: RleArgs) -> Self {
        let RleArgs {
            input,
            output,
            recompute_area,
            recompute_bbox,
            images,
        } = args;
        Self {
            input,
            output,
            recompute_area,
            recompute_bbox,
            images,
        }
    }
}

pub fn run(settings: &RleSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let RleSettings {
        input,
        output,
        recompute_area,
        recompute_bbox,
        images,
    } = settings;
    input_kind::check(input, &expected::MASKS_RLE)?;
    if let Some(images) = images {
        input_kind::check(images, &expected::MASKS_RLE_IMAGES)?;
    }
    let progress = Progress::new(global);
    let mut dataset = read_dataset(input, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    let options = RleConversionOptions {
        recompute_area: *recompute_area,
        recompute_bbox: *recompute_bbox,
        jobs: global.jobs,
    };
    let summary = match images {
        Some(images) => {
            let ground_truth = read_dataset(images, &ReadOptions { jobs: global.jobs }, &progress)
                .with_context(|| format!("cannot read `{}`", images.display()))?;
            anyhow::ensure!(
                !ground_truth.images.is_empty(),
                "`{}` has no `images` to take sizes from",
                images.display()
            );
            convert_annotations_to_rle(
                &mut dataset.annotations,
                &ground_truth.images,
                &options,
                &progress,
            )
        }
        None => convert_segmentations_to_rle(&mut dataset, &options, &progress),
    };
    dataset
        .write(output)
        .with_context(|| format!("cannot write `{}`", output.display()))?;
    report_failures(&summary.failures);
    output::note(
        global,
        format!(
            "{}: {} polygon and {} uncompressed-RLE segmentations converted, {} compressed RLE kept, {} without segmentation, {} failed",
            output.display(),
            summary.from_polygons,
            summary.from_uncompressed,
            summary.already_compressed,
            summary.without_segmentation,
            summary.failures.len()
        ),
    );
    crate::commands::release_at_exit(dataset);
    Ok(if summary.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
