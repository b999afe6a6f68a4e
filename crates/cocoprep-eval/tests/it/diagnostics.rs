//! TIDE's error breakdown equals the `tidecv` package's (bit for bit) and the confusion matrix equals
//! hotcoco's, on generated results over the coco-mini ground truth (boxes and masks).

use std::path::Path;

use cocoprep_coco::Dataset;
use cocoprep_eval::detection::{
    ConfusionOptions, IouType, TideErrorKind, TideOptions, confusion_matrix, tide,
};
use cocoprep_test::{python, shared_data, temp_dir};
use serde_json::Value;

use crate::results;

/// Runs the reference script on every case in one Python process; `None` when tidecv or
/// hotcoco is not installed.
fn reference(gt: &Path, out: &Path, cases: &[(&Path, &str)]) -> Option<Vec<Value>> {
    let mut command = std::process::Command::new(python());
    command
        .arg(cocoprep_test::repo_root().join("bench/reference/detection_diagnostics.py"))
        .arg(gt)
        .arg(out);
    for (results, iou_type) in cases {
        command.arg(results).arg(iou_type);
    }
    let output = command.output().expect("python starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() && stderr.contains("ModuleNotFoundError") {
        eprintln!("skipped: tidecv or hotcoco is not installed in the test Python: {stderr}");
        return None;
    }
    assert!(
        output.status.success(),
        "detection_diagnostics.py failed:\n{stderr}"
    );
    serde_json::from_slice(&std::fs::read(out).unwrap()).ok()
}

/// Every 5th detection gets the next category (classification errors, and "both" where
/// it is also badly placed).
fn with_wrong_categories(results: &Value, categories: &[u64]) -> Value {
    let mut results = results.clone();
    for (index, detection) in results.as_array_mut().unwrap().iter_mut().enumerate() {
        if index % 5 == 3 {
            let category = detection["category_id"].as_u64().unwrap();
            let at = categories.iter().position(|&c| c == category).unwrap();
            detection["category_id"] = categories[(at + 1) % categories.len()].into();
        }
    }
    results
}

fn write(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec(value).unwrap()).unwrap();
}

fn same_bits(case: &str, what: &str, ours: f64, theirs: f64) {
    assert!(
        ours.to_bits() == theirs.to_bits(),
        "{case}: {what}: ours {ours}, reference {theirs}"
    );
}

#[test]
fn tide_and_confusion_matrix_equal_tidecv_and_hotcoco_on_coco_mini() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let out = temp_dir();
    let instances: Value = serde_json::from_slice(
        &std::fs::read(data.join("coco-mini/annotations/instances_val2017.json")).unwrap(),
    )
    .unwrap();
    let gt = results::with_empty_images(&instances);
    let categories: Vec<u64> = gt["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["id"].as_u64().unwrap())
        .collect();
    let (boxes, masks) = results::instances(&gt, 23);
    let gt_path = out.path().join("gt.json");
    write(&gt_path, &gt);
    let ground_truth = Dataset::from_json_slice(&std::fs::read(&gt_path).unwrap()).unwrap();
    let cases: Vec<(IouType, std::path::PathBuf)> =
        [(IouType::Bbox, boxes), (IouType::Segm, masks)]
            .into_iter()
            .map(|(iou_type, results)| {
                let path = out.path().join(format!("{}.json", iou_type.name()));
                write(&path, &with_wrong_categories(&results, &categories));
                (iou_type, path)
            })
            .collect();
    let arguments: Vec<(&Path, &str)> = cases
        .iter()
        .map(|(iou_type, path)| (path.as_path(), iou_type.name()))
        .collect();
    let Some(references) = reference(&gt_path, &out.path().join("reference.json"), &arguments)
    else {
        return;
    };
    for ((iou_type, results_path), reference) in cases.iter().zip(&references) {
        let (iou_type, case) = (*iou_type, iou_type.name());
        let detections = Dataset::from_json_slice(&std::fs::read(results_path).unwrap()).unwrap();

        let report = tide(
            &ground_truth,
            &detections.annotations,
            &TideOptions::new(iou_type),
        )
        .unwrap();
        let theirs = &reference["tide"];
        same_bits(case, "AP", report.ap, theirs["ap"].as_f64().unwrap());
        for error in &report.errors {
            let name = error.kind.short_name();
            same_bits(
                case,
                &format!("dAP {name}"),
                error.delta_ap,
                theirs["main"][name].as_f64().unwrap(),
            );
            assert_eq!(
                error.count as u64,
                theirs["counts"][name].as_u64().unwrap(),
                "{case}: count of {name}"
            );
        }
        same_bits(
            case,
            "dAP FalsePos",
            report.false_positive_delta_ap,
            theirs["special"]["FalsePos"].as_f64().unwrap(),
        );
        same_bits(
            case,
            "dAP FalseNeg",
            report.false_negative_delta_ap,
            theirs["special"]["FalseNeg"].as_f64().unwrap(),
        );
        // The generated results exercise every error type.
        for kind in TideErrorKind::ALL {
            let count = report.errors.iter().find(|e| e.kind == kind).unwrap().count;
            assert!(count > 0, "{case}: no {} error", kind.short_name());
        }

        let matrix = confusion_matrix(
            &ground_truth,
            &detections.annotations,
            &ConfusionOptions::new(iou_type),
        )
        .unwrap();
        let side = matrix.side();
        let theirs: Vec<u64> = reference["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
            .collect();
        assert_eq!(theirs.len(), side * side, "{case}: matrix size");
        assert_eq!(matrix.counts, theirs, "{case}: confusion matrix");
        let off_diagonal: u64 = (0..side - 1)
            .flat_map(|row| (0..side - 1).map(move |column| (row, column)))
            .filter(|(row, column)| row != column)
            .map(|(row, column)| matrix.get(row, column))
            .sum();
        assert!(off_diagonal > 0, "{case}: no confusion between categories");
    }
}
