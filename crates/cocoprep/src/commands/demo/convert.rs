//! Demo steps for detection datasets: COCO → YOLO (segments and keypoints), and a class
//! subset in a chosen order.

use cocoprep_coco::{Dataset, ReadOptions, read_dataset};
use cocoprep_convert::classes::{ClassMapping, ClassTable};
use cocoprep_convert::layout::LinkMode;
use cocoprep_convert::number::Precision;
use cocoprep_convert::subset::{SubsetFormat, subset_coco};
use cocoprep_convert::yolo::{Geometry, ImageSelection, SplitSource, YoloOptions, write_yolo};

use super::{DemoContext, DemoReport};

const SPLITS: &[&str] = &["train2017", "val2017"];

fn read_splits(
    context: &DemoContext,
    prefix: &str,
) -> anyhow::Result<Vec<(std::path::PathBuf, Dataset)>> {
    SPLITS
        .iter()
        .map(|split| {
            let path = context.annotation(&format!("{prefix}_{split}.json"));
            let dataset = read_dataset(
                &path,
                &ReadOptions {
                    jobs: context.global.jobs,
                },
                context.progress,
            )?;
            Ok((path, dataset))
        })
        .collect()
}

fn sources(datasets: &[(std::path::PathBuf, Dataset)]) -> Vec<SplitSource<'_>> {
    datasets
        .iter()
        .map(|(file, dataset)| SplitSource {
            name: SplitSource::split_name(file),
            file: file.clone(),
            dataset,
        })
        .collect()
}

fn options(context: &DemoContext, geometry: Geometry, selection: ImageSelection) -> YoloOptions {
    YoloOptions {
        geometry,
        precision: Precision::Ultralytics,
        images_dir: Some(context.sample.clone()),
        link: LinkMode::Hard,
        selection,
        shard: None,
    }
}

/// `cocoprep convert yolo --segments` and `--keypoints` on the sample.
pub fn yolo(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let mut summary = Vec::new();
    for (prefix, geometry, folder) in [
        ("instances", Geometry::Segments, "yolo-segments"),
        ("person_keypoints", Geometry::Keypoints, "yolo-pose"),
    ] {
        let datasets = read_splits(context, prefix)?;
        let categories: Vec<_> = datasets
            .iter()
            .flat_map(|(_, d)| d.categories.iter())
            .collect();
        let classes = ClassTable::build(ClassMapping::Coco80, &categories)?;
        let output = context.output_dir(folder)?;
        let result = write_yolo(
            &sources(&datasets),
            &classes,
            &output,
            &options(context, geometry, ImageSelection::default()),
            context.progress,
        )?;
        let rows: u64 = result.splits.iter().map(|s| s.rows).sum();
        let files: u64 = result.splits.iter().map(|s| s.label_files).sum();
        summary.push(format!("{folder}: {files} label files, {rows} rows"));
        report.add(format!("YOLO dataset ({folder}, data.yaml)"), &output);
    }
    Ok(summary.join("; "))
}

/// `cocoprep subset --classes tv,person --format both` on the sample.
pub fn subset(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let datasets = read_splits(context, "instances")?;
    let output = context.output_dir("subset-tv-person")?;
    let classes = ["tv".to_owned(), "person".to_owned()];
    let selection = ImageSelection {
        min_instances: 1,
        ..ImageSelection::default()
    };
    let result = subset_coco(
        &sources(&datasets),
        &classes,
        SubsetFormat::Both,
        &output,
        &options(context, Geometry::Segments, selection),
        context.progress,
    )?;
    let yolo = result
        .yolo
        .as_ref()
        .map(|y| &y.splits[..])
        .unwrap_or_default();
    let images: u64 = yolo.iter().map(|s| s.label_files).sum();
    let rows: u64 = yolo.iter().map(|s| s.rows).sum();
    report.add("class subset tv=0, person=1 (YOLO + COCO)", &output);
    Ok(format!(
        "classes {} → {images} images, {rows} rows, {} COCO files",
        result.names.join(", "),
        result.coco_files.len()
    ))
}
