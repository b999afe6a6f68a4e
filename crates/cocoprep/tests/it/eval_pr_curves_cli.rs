//! `cocoprep eval detection --pr-curves`: the picture of the cocoapi bbox results compared
//! with a golden PNG (tolerance in `cocoprep_test::golden`), hotcoco's other line sets,
//! and the options' errors.

use std::path::{Path, PathBuf};

use cocoprep_test::cli::stderr;
use cocoprep_test::golden::assert_png_matches_golden;
use cocoprep_test::{shared_data, temp_dir};

use crate::eval_detection;

/// The cocoapi bbox fixture: ground truth of 100 val2014 images and the fake results.
fn cocoapi_bbox() -> Option<(PathBuf, PathBuf)> {
    let Some(folder) = shared_data().map(|data| data.join("cocoapi-eval")) else {
        eprintln!("skipped: ../shared/data is absent");
        return None;
    };
    Some((
        folder.join("instances_val2014_100.json"),
        folder.join("instances_val2014_fakebbox100_results.json"),
    ))
}

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs `eval detection` on the cocoapi bbox results with `--pr-curves OUT.png` and
/// `options`; returns the PNG's bytes.
fn draw(options: &[&str]) -> Option<Vec<u8>> {
    let (gt, results) = cocoapi_bbox()?;
    let out = temp_dir();
    let picture = out.path().join("curves.png");
    let mut args = vec!["-q", "--pr-curves", text(&picture)];
    args.extend_from_slice(options);
    let output = eval_detection(&gt, &results, "bbox", &args);
    assert!(output.status.success(), "{}", stderr(&output));
    Some(std::fs::read(&picture).unwrap())
}

fn png_size(png_bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .unwrap();
    (reader.info().width, reader.info().height)
}

#[test]
fn pr_curves_of_the_cocoapi_bbox_results_match_the_golden_picture() {
    // IoU 0.50 / 0.75 / 0.50:0.95 with APs 0.697 / 0.573 / 0.505 (the published summary).
    let Some(png) = draw(&[]) else { return };
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pr-curves-bbox.png");
    assert_png_matches_golden(&golden, &png);
}

#[test]
fn pr_curves_by_iou_category_and_area_draw_hotcocos_line_sets() {
    let Some(summary) = draw(&[]) else { return };
    // Ten IoU lines need the legend beside the plot; three categories and four area
    // ranges keep it inside.
    let iou = draw(&["--pr-curves-by", "iou"]).unwrap();
    let category = draw(&[
        "--pr-curves-by",
        "category",
        "--pr-categories",
        "person,3,dog",
        "--pr-iou",
        "0.75",
    ])
    .unwrap();
    let area = draw(&["--pr-curves-by", "area", "--pr-max-dets", "10"]).unwrap();
    let (width, height) = png_size(&summary);
    assert!(png_size(&iou).0 > width + 100);
    assert_eq!(png_size(&category), (width, height));
    assert_eq!(png_size(&area), (width, height));
    assert_ne!(summary, area);
}

#[test]
fn pr_curve_options_that_do_not_fit_the_evaluation_are_errors_naming_them() {
    let Some((gt, results)) = cocoapi_bbox() else {
        return;
    };
    let out = temp_dir();
    let picture = out.path().join("curves.png");
    let fails = |options: &[&str], message: &str| {
        let mut args = vec!["--pr-curves", text(&picture)];
        args.extend_from_slice(options);
        let output = eval_detection(&gt, &results, "bbox", &args);
        assert!(!output.status.success());
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    };
    fails(
        &["--pr-curves-by", "category", "--pr-iou", "0.52"],
        "--pr-iou: 0.52 is not one of the evaluation's IoU thresholds",
    );
    fails(&["--pr-area", "tiny"], "--pr-area: no area range `tiny`");
    fails(
        &["--pr-max-dets", "5"],
        "--pr-max-dets: 5 is not one of --max-dets",
    );
    fails(
        &["--pr-curves-by", "category", "--pr-categories", "unicorn"],
        "--pr-categories: no category `unicorn`",
    );
    fails(&["--pr-iou", "0.5"], "--pr-iou applies to");
    assert!(!picture.exists());
}
