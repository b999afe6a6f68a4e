//! Demo step for looking at the data: pictures with annotations drawn (`show`) and the
//! HTML report (`inspect --html`).

use cocoprep_coco::{Coco, ReadOptions, Summary, read_dataset};
use cocoprep_render::picture::encode_png;
use cocoprep_render::report::{ReportOptions, render_report};
use cocoprep_render::{Layers, find_image, render_image};

use super::{DemoContext, DemoReport};

/// `(annotation file, image)`: boxes and polygons, a crowd RLE mask, keypoints, captions.
const PICTURES: &[(&str, &str)] = &[
    ("instances_val2017.json", "139"),
    ("instances_val2017.json", "255165"),
    ("person_keypoints_val2017.json", "397133"),
    ("captions_val2017.json", "311002"),
];

pub fn look(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("show")?;
    let images_dir = context.sample.join("val2017");
    let read = |name: &str| -> anyhow::Result<Coco> {
        Ok(Coco::new(read_dataset(
            &context.annotation(name),
            &ReadOptions {
                jobs: context.global.jobs,
            },
            context.progress,
        )?))
    };
    for (file, key) in PICTURES {
        let coco = read(file)?;
        let image = find_image(&coco, key)?;
        let picture = render_image(&coco, image, Some(&images_dir), &Layers::default())?;
        let kind = file.split('_').next().unwrap_or("picture");
        let path = folder.join(format!("{kind}-{key}.png"));
        cocoprep_base::output::write_atomic(&path, &encode_png(&picture)?)?;
    }
    report.add("pictures with annotations drawn (show)", &folder);
    let coco = read("instances_val2017.json")?;
    let summary = Summary::of(coco.dataset());
    let options = ReportOptions {
        title: "sample/annotations/instances_val2017.json".to_owned(),
        images_dir: Some(images_dir),
        ..ReportOptions::default()
    };
    let (page, made) = render_report(&coco, &summary, &options);
    let report_path = folder.join("instances_val2017.html");
    cocoprep_base::output::write_atomic(&report_path, page.as_bytes())?;
    report.add("HTML report (inspect --html)", &report_path);
    Ok(format!(
        "{} pictures, a report with {} thumbnails",
        PICTURES.len(),
        made.thumbnails
    ))
}
