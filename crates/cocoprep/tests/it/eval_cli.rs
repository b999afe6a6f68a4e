//! End-to-end tests of `cocoprep eval detection`: the published cocoapi numbers as
//! printed, `--json`, `--arrays`, `--per-category`, and the clear errors for bad results.

use std::path::{Path, PathBuf};

use cocoprep_formats::npy::NpyArray;
use cocoprep_test::cli::{stderr, stdout};
use cocoprep_test::{shared_data, temp_dir};
use serde_json::Value;

use crate::{cocoprep, eval_detection};

fn cocoapi() -> Option<PathBuf> {
    let folder = shared_data().map(|data| data.join("cocoapi-eval"));
    if folder.is_none() {
        eprintln!("skipped: ../shared/data is absent");
    }
    folder
}

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn bbox_summary_prints_the_published_cocoapi_numbers() {
    let Some(folder) = cocoapi() else { return };
    let output = cocoprep([
        "eval",
        "detection",
        text(&folder.join("instances_val2014_100.json")),
        text(&folder.join("instances_val2014_fakebbox100_results.json")),
        "--iou-type",
        "bbox",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    // pycocoEvalDemo.ipynb, verbatim.
    assert!(printed.starts_with(
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505\n"
    ));
    assert!(printed.contains(
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.387\n"
    ));
    assert_eq!(printed.lines().count(), 12);
}

#[test]
fn json_arrays_and_per_category_report_the_same_evaluation() {
    let Some(folder) = cocoapi() else { return };
    let out = temp_dir();
    let arrays = out.path().join("arrays");
    let gt = folder.join("instances_val2014_100.json");
    let results = folder.join("instances_val2014_fakesegm100_results.json");
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "segm",
        "--json",
        "--arrays",
        text(&arrays),
        "--pr-curves",
        text(&out.path().join("curves.png")),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["stats"][0].as_f64(), Some(0.3195452758576433));
    assert_eq!(json["stats"].as_array().unwrap().len(), 12);
    assert_eq!(json["per_category"].as_array().unwrap().len(), 80);
    assert_eq!(json["per_category"][0]["name"], "person");
    let precision = NpyArray::parse(&std::fs::read(arrays.join("precision.npy")).unwrap()).unwrap();
    assert_eq!(precision.header.shape, [10, 101, 80, 4, 3]);
    let recall = NpyArray::parse(&std::fs::read(arrays.join("recall.npy")).unwrap()).unwrap();
    assert_eq!(recall.header.shape, [10, 80, 4, 3]);
    assert!(arrays.join("scores.npy").is_file());
    let png = std::fs::read(out.path().join("curves.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    let table = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "segm",
        "--per-category",
    ]);
    let printed = stdout(&table);
    assert!(printed.contains("category"), "{printed}");
    assert!(printed.lines().any(|line| line.starts_with("person ")));
}

/// A one-image ground truth and a results file, for the error tests.
fn tiny(out: &Path, results: &str) -> (PathBuf, PathBuf) {
    let gt = out.join("gt.json");
    std::fs::write(
        &gt,
        r#"{"images": [{"id": 1, "width": 20, "height": 20}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8],
                             "area": 64, "iscrowd": 0, "segmentation": [[2, 2, 10, 2, 10, 10, 2, 10]],
                             "keypoints": [3, 3, 2], "num_keypoints": 1}],
            "categories": [{"id": 1, "name": "thing"}]}"#,
    )
    .unwrap();
    let path = out.join("results.json");
    std::fs::write(&path, results).unwrap();
    (gt, path)
}

fn fails_with(results: &str, iou_type: &str, message: &str) {
    let out = temp_dir();
    let (gt, path) = tiny(out.path(), results);
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&path),
        "--iou-type",
        iou_type,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let error = stderr(&output);
    assert!(error.contains(message), "expected `{message}` in:\n{error}");
}

#[test]
fn bad_results_are_clear_errors_naming_the_record() {
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8], "score": 0.5},
            {"image_id": 9, "category_id": 1, "bbox": [2, 2, 8, 8], "score": 0.5}]"#,
        "bbox",
        "results[1]: image_id 9 is not an image of the ground truth",
    );
    fails_with(
        r#"[{"image_id": 1, "category_id": 7, "bbox": [2, 2, 8, 8], "score": 0.5}]"#,
        "bbox",
        "results[0]: category_id 7 is not a category of the ground truth",
    );
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8]}]"#,
        "bbox",
        "results[0]: `score` is missing",
    );
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "keypoints": [3, 3, 2, 4, 4, 2], "score": 1}]"#,
        "keypoints",
        "results[0]: `keypoints` has 6 values, expected 51",
    );
    fails_with(
        r#"[{"image_id": 1, "caption": "a thing"}]"#,
        "bbox",
        "use `cocoprep eval captions`",
    );
}

/// The reader makes each result's record as it parses it, before it has necessarily seen
/// the first one; a file whose records differ in kind is still judged by its first record,
/// as `loadRes` does.
#[test]
fn results_of_mixed_kinds_are_judged_by_the_first_record() {
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8], "score": 0.5},
            {"image_id": 1, "category_id": 1, "segmentation": [[2, 2, 10, 2, 10, 10]], "score": 0.5}]"#,
        "segm",
        "results[1]: `bbox` is missing (the first result decides the kind of results file",
    );
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "segmentation": [[2, 2, 10, 2, 10, 10]], "score": 0.5},
            {"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8], "score": 0.5}]"#,
        "bbox",
        "results[1]: `segmentation` is missing (the first result decides the kind of results file",
    );
    fails_with(
        r#"[{"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8], "score": 0.5},
            {"image_id": 1, "category_id": 1, "score": 0.5}]"#,
        "bbox",
        "results[1]: `bbox` is missing",
    );
    // A valid file of mixed kinds (a box result with a mask after a mask result) is
    // evaluated.
    let out = temp_dir();
    let (gt, path) = tiny(
        out.path(),
        r#"[{"image_id": 1, "category_id": 1, "segmentation": [[2, 2, 10, 2, 10, 10, 2, 10]], "score": 0.9},
            {"image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 8], "segmentation": [[2, 2, 10, 2, 10, 10]], "score": 0.5}]"#,
    );
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&path),
        "--iou-type",
        "segm",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn empty_results_evaluate_as_no_detections() {
    let out = temp_dir();
    let (gt, path) = tiny(out.path(), "[]");
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&path),
        "--iou-type",
        "segm",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    // AP and AR 0 where there is ground truth; -1 for the empty small/large ranges.
    let stats: Vec<f64> = json["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        stats,
        [
            0.0, 0.0, 0.0, 0.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, -1.0
        ]
    );
}

/// The cocoapi ground truth with LVIS' members: every category `frequency`, every image
/// `neg_category_ids` (the first category) and `not_exhaustive_category_ids` (none).
fn lvis_like(folder: &Path, out: &Path) -> PathBuf {
    let mut gt: Value =
        serde_json::from_slice(&std::fs::read(folder.join("instances_val2014_100.json")).unwrap())
            .unwrap();
    for (index, category) in gt["categories"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        category["frequency"] = serde_json::json!(["r", "c", "f"][index % 3]);
    }
    for image in gt["images"].as_array_mut().unwrap() {
        image["neg_category_ids"] = serde_json::json!([1]);
        image["not_exhaustive_category_ids"] = serde_json::json!([]);
    }
    let path = out.join("lvis.json");
    std::fs::write(&path, serde_json::to_vec(&gt).unwrap()).unwrap();
    path
}

#[test]
fn lvis_ground_truth_is_evaluated_as_lvis_unless_no_lvis() {
    let Some(folder) = cocoapi() else { return };
    let out = temp_dir();
    let gt = lvis_like(&folder, out.path());
    let results = folder.join("instances_val2014_fakebbox100_results.json");
    let run = |extra: &[&str]| {
        let output = eval_detection(&gt, &results, "bbox", extra);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let printed = run(&[]);
    assert_eq!(printed.lines().count(), 13, "{printed}");
    assert!(
        printed.contains("| area=   all | maxDets=300 catIds=  r] = "),
        "{printed}"
    );
    assert!(printed.contains(
        "Average Recall     (AR) @[ IoU=0.50:0.95 | area=     s | maxDets=300 catIds=all]"
    ));
    let json: Value = serde_json::from_str(&run(&["--json", "--per-category"])).unwrap();
    assert_eq!(json["lvis"], true);
    let names: Vec<&String> = json["results"].as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 13);
    assert!(json["results"]["AR@300"].as_f64().unwrap() > 0.0);
    assert!(!json["per_category"].as_array().unwrap().is_empty());
    // --no-lvis: pycocotools' COCOeval, the published numbers.
    let coco = run(&["--no-lvis"]);
    assert!(coco.starts_with(
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505\n"
    ));
}

#[test]
fn lvis_without_its_members_is_an_error_naming_the_image() {
    let Some(folder) = cocoapi() else { return };
    let output = cocoprep([
        "eval",
        "detection",
        text(&folder.join("instances_val2014_100.json")),
        text(&folder.join("instances_val2014_fakebbox100_results.json")),
        "--iou-type",
        "bbox",
        "--lvis",
    ]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("`neg_category_ids` is missing"),
        "{message}"
    );
    assert!(message.contains("image "), "{message}");
}
