//! `get --split ... --layout yolo`: the subset's images are placed in `images/<split>/` by
//! the fetch crate; this writes the matching `labels/<split>/*.txt` and `data.yaml` with
//! the same converter as `convert yolo`, so a subset is ready for ultralytics.

use anyhow::Context;
use cocoprep_convert::classes::{ClassMapping, ClassTable};
use cocoprep_convert::yolo::{SplitSource, YoloOptions, YoloReport, write_yolo};
use cocoprep_fetch::subset::SubsetReport;

use crate::commands::convert::read_inputs;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

/// Converts the subset's annotation file into YOLO box labels beside its images.
///
/// Boxes, like the `coco2017-yolo` bundle's labels (`coco2017labels.zip`); for segments or
/// keypoints run `convert yolo` on the annotation file. Classes follow ultralytics' COCO
/// mapping (80 classes from the 91 ids), so labels agree with the full dataset's.
pub fn write_subset_labels(
    subset: &SubsetReport,
    dataset_dir: &std::path::Path,
    global: &GlobalSettings,
    progress: &Progress,
) -> anyhow::Result<YoloReport> {
    let files = [subset.annotation_file.clone()];
    let datasets = read_inputs(&files, global, progress)?;
    let (file, dataset) = &datasets[0];
    let categories: Vec<_> = dataset.categories.iter().collect();
    let classes = ClassTable::build(ClassMapping::detect(&categories), &categories)
        .with_context(|| format!("cannot map the categories of `{}`", file.display()))?;
    let splits = [SplitSource {
        name: SplitSource::split_name(file),
        file: file.clone(),
        dataset,
    }];
    write_yolo(
        &splits,
        &classes,
        dataset_dir,
        &YoloOptions::default(),
        progress,
    )
    .with_context(|| {
        format!(
            "cannot write the YOLO labels of `{}` into `{}`",
            file.display(),
            dataset_dir.display()
        )
    })
}
