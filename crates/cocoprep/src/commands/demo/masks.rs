//! Demo step for masks: segmentations to RLE, and PNG label maps.

use cocoprep_coco::mask::{
    RleConversionOptions, SemanticOptions, convert_segmentations_to_rle, write_semantic_pngs,
};
use cocoprep_coco::{ReadOptions, read_dataset};

use super::{DemoContext, DemoReport};

pub fn masks(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("masks")?;
    let read_options = ReadOptions {
        jobs: context.global.jobs,
    };
    let mut dataset = read_dataset(
        &context.annotation("instances_val2017.json"),
        &read_options,
        context.progress,
    )?;

    let labels = folder.join("semantic_val2017");
    let summary = write_semantic_pngs(
        &dataset,
        &labels,
        &SemanticOptions {
            jobs: context.global.jobs,
            ..SemanticOptions::default()
        },
        context.progress,
    );
    anyhow::ensure!(
        summary.failures.is_empty(),
        "label maps failed: {}",
        summary.failures[0]
    );
    report.add("label maps, pixel = category id (PNG)", &labels);

    let conversion = convert_segmentations_to_rle(
        &mut dataset,
        &RleConversionOptions {
            recompute_area: true,
            recompute_bbox: true,
            jobs: context.global.jobs,
        },
        context.progress,
    );
    anyhow::ensure!(
        conversion.failures.is_empty(),
        "RLE conversion failed: {}",
        conversion.failures[0]
    );
    let path = folder.join("instances_val2017_rle.json");
    dataset.write(&path)?;
    report.add("instances with RLE segmentations (JSON)", &path);

    Ok(format!(
        "{} label maps ({} masks painted), {} segmentations as RLE",
        summary.written,
        summary.painted,
        conversion.from_polygons + conversion.from_uncompressed + conversion.already_compressed
    ))
}
