//! Demo steps for the COCO core: inspect and validate.

use cocoprep_coco::validate::{ValidateOptions, validate_file};
use cocoprep_coco::{ReadOptions, Summary, read_dataset};

use super::{DemoContext, DemoReport};
use crate::commands::inspect::render;

const FILES: &[&str] = &[
    "instances_train2017.json",
    "instances_val2017.json",
    "person_keypoints_train2017.json",
    "person_keypoints_val2017.json",
    "captions_train2017.json",
    "captions_val2017.json",
];

pub fn inspect(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("inspect")?;
    let mut totals = (0, 0);
    for name in FILES {
        let dataset = read_dataset(
            &context.annotation(name),
            &ReadOptions {
                jobs: context.global.jobs,
            },
            context.progress,
        )?;
        let summary = Summary::of(&dataset);
        totals.0 += summary.images;
        totals.1 += summary.annotations;
        let stem = name.trim_end_matches(".json");
        let text_path = folder.join(format!("{stem}.txt"));
        cocoprep_base::output::write_atomic(&text_path, render(name, &summary).as_bytes())?;
        let json_path = folder.join(format!("{stem}.json"));
        cocoprep_base::output::write_atomic(
            &json_path,
            serde_json::to_string_pretty(&summary)?.as_bytes(),
        )?;
    }
    report.add("annotation summaries (text and JSON)", &folder);
    Ok(format!(
        "{} files, {} image entries, {} annotations",
        FILES.len(),
        totals.0,
        totals.1
    ))
}

pub fn validate(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("validate")?;
    let (mut errors, mut warnings, mut image_files) = (0, 0, 0);
    for name in FILES {
        let split = if name.contains("train") {
            "train2017"
        } else {
            "val2017"
        };
        let options = ValidateOptions {
            images_dir: Some(context.sample.join(split)),
            skip_decode: false,
            jobs: context.global.jobs,
            dialect: None,
        };
        let result = validate_file(&context.annotation(name), &options, context.progress)?;
        errors += result.error_count();
        warnings += result.warning_count();
        image_files += result.counts.image_files;
        let path = folder.join(name);
        cocoprep_base::output::write_atomic(
            &path,
            serde_json::to_string_pretty(&result)?.as_bytes(),
        )?;
    }
    anyhow::ensure!(
        errors == 0,
        "the built-in sample should be valid but has {errors} errors (see {})",
        folder.display()
    );
    report.add("validation reports (JSON)", &folder);
    Ok(format!(
        "{} files valid, {warnings} warnings, {image_files} image files decoded",
        FILES.len()
    ))
}
