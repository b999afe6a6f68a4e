//! `cocoprep eval detection --tide --confusion-matrix --slice-by`: what is printed, the
//! `--json` members and the files written, on a small fixture whose TIDE numbers and
//! confusion matrix are tidecv 1.0.1's and hotcoco 1.3's (run on these same files; the
//! coco-mini parity test is in cocoprep-eval's tests/it/diagnostics.rs).

use std::path::{Path, PathBuf};

use cocoprep_formats::npy::NpyArray;
use cocoprep_test::cli::{stderr, stdout};
use cocoprep_test::temp_dir;
use serde_json::{Value, json};

use crate::{cocoprep, eval_detection};

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Two images (one rainy, one sunny); a perfect `a`, an `a` on the `b` object
/// (classification), a duplicate `a`, and a `b` on the empty second image (background).
fn fixture(out: &Path) -> (PathBuf, PathBuf) {
    let square = |x: f64| json!([[x, x, x + 20.0, x, x + 20.0, x + 20.0, x, x + 20.0]]);
    let gt = json!({
        "images": [
            {"id": 1, "width": 100, "height": 100, "file_name": "a.jpg", "weather": "rain"},
            {"id": 2, "width": 100, "height": 100, "file_name": "b.jpg", "weather": "sun"}
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 20, 20], "area": 400,
             "iscrowd": 0, "segmentation": square(0.0)},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 50, 20, 20], "area": 400,
             "iscrowd": 0, "segmentation": square(50.0)}
        ],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b, the other"}]
    });
    let results = json!([
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [50, 50, 20, 20], "score": 0.8},
        {"image_id": 1, "category_id": 1, "bbox": [2, 2, 20, 20], "score": 0.7},
        {"image_id": 2, "category_id": 2, "bbox": [2, 2, 20, 20], "score": 0.6}
    ]);
    let gt_path = out.join("gt.json");
    let results_path = out.join("results.json");
    std::fs::write(&gt_path, gt.to_string()).unwrap();
    std::fs::write(&results_path, results.to_string()).unwrap();
    (gt_path, results_path)
}

#[test]
fn tide_and_confusion_matrix_report_tidecv_and_hotcoco_numbers() {
    let out = temp_dir();
    let (gt, results) = fixture(out.path());
    let csv = out.path().join("confusion.csv");
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "bbox",
        "--tide",
        "--confusion-matrix",
        text(&csv),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(
        printed.contains("\nTIDE (bbox AP @ 50: 50.00)\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\nType      Cls    Loc   Both   Dupe    Bkg   Miss\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\ndAP     50.00   0.00   0.00   0.00   0.00   0.00\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\ncount       1      0      0      1      1      0\n"),
        "{printed}"
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "ground_truth\\predicted,a,\"b, the other\",background\n\
         a,1,0,0\n\
         \"b, the other\",1,0,0\n\
         background,1,1,0\n"
    );

    let npy = out.path().join("confusion.npy");
    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "bbox",
        "--tide",
        "--confusion-matrix",
        text(&npy),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["tide"]["ap"], 50.0);
    assert_eq!(json["tide"]["main"]["Cls"], 50.0);
    assert_eq!(json["tide"]["counts"]["Dupe"], 1);
    assert_eq!(json["confusion_matrix"]["matched_other_category"], 1);
    let bytes = std::fs::read(&npy).unwrap();
    let matrix = NpyArray::parse(&bytes).unwrap();
    assert_eq!(matrix.header.shape, [3, 3]);
    let counts: Vec<i64> = bytes[bytes.len() - 72..]
        .chunks(8)
        .map(|chunk| i64::from_le_bytes(chunk.try_into().unwrap()))
        .collect();
    assert_eq!(counts, [1, 0, 0, 1, 0, 0, 1, 1, 0]);
}

#[test]
fn each_slice_equals_an_evaluation_of_its_images_alone() {
    let out = temp_dir();
    let (gt, results) = fixture(out.path());
    let run = |extra: &[&str]| -> Value {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        let output = eval_detection(&gt, &results, "bbox", &args);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let by_key = run(&["--slice-by", "weather"]);
    let slices = by_key["slices"]["slices"].as_array().unwrap();
    assert_eq!(slices.len(), 2);
    assert_eq!(slices[0]["slice"], "rain");
    assert_eq!(slices[0]["stats"], run(&["--image-ids", "1"])["stats"]);
    assert_eq!(slices[1]["stats"], run(&["--image-ids", "2"])["stats"]);
    assert_eq!(by_key["slices"]["labels"][1], "AP50");

    let mapping = out.path().join("slices.json");
    std::fs::write(&mapping, r#"{"wet": [1], "dry": [2]}"#).unwrap();
    let by_file = run(&["--slice-by", text(&mapping)]);
    assert_eq!(by_file["slices"]["slices"][1]["slice"], "wet");
    assert_eq!(by_file["slices"]["slices"][1]["stats"], slices[0]["stats"]);

    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "bbox",
        "--slice-by",
        "weather",
    ]);
    let printed = stdout(&output);
    assert!(
        printed.contains("\nsliced by `weather`\nslice  images      AP    AP50"),
        "{printed}"
    );
    assert!(
        printed.contains("\nrain        1   0.500   0.500"),
        "{printed}"
    );

    let output = cocoprep([
        "eval",
        "detection",
        text(&gt),
        text(&results),
        "--iou-type",
        "bbox",
        "--slice-by",
        "season",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no image falls into a group"),
        "{}",
        stderr(&output)
    );
}
