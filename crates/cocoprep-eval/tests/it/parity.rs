//! The stats, the summary lines and the full `precision` / `recall` / `scores` arrays equal
//! pycocotools 2.0.11's bit for bit, on the published cocoapi example results and on
//! generated results over the coco-mini ground truth.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::{ReadOptions, read_dataset};
use cocoprep_eval::detection::{AreaRange, Evaluation, IouType, Params, evaluate};
use cocoprep_formats::npy::NpyArray;
use cocoprep_test::{run_python, shared_data, temp_dir};
use serde_json::Value;

use crate::results;

const PYCOCOTOOLS_EVAL: &str = include_str!("pycocotools_eval.py");

struct Case<'a> {
    name: &'a str,
    ground_truth: PathBuf,
    results: PathBuf,
    params: Params,
}

fn read_npy(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let array = NpyArray::parse(&std::fs::read(path).unwrap()).unwrap();
    (array.header.shape.clone(), array.to_f64().unwrap())
}

fn assert_bits_equal(case: &str, what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{case}: {what} sizes differ");
    let differing: Vec<usize> = (0..ours.len())
        .filter(|&i| ours[i].to_bits() != theirs[i].to_bits())
        .collect();
    assert!(
        differing.is_empty(),
        "{case}: {what} differs at {} of {} entries, first at {}: ours {} pycocotools {}",
        differing.len(),
        ours.len(),
        differing[0],
        ours[differing[0]],
        theirs[differing[0]]
    );
}

/// Runs pycocotools on every case in one Python process (each case's files go to
/// `out/<name>/`).
fn run_pycocotools(cases: &[Case<'_>], out: &Path) {
    let list: Vec<Value> = cases
        .iter()
        .map(|case| {
            let defaults = Params::new(case.params.iou_type);
            let max_dets = (case.params.max_detections != defaults.max_detections)
                .then(|| case.params.max_detections.clone());
            let area_ranges = (case.params.area_ranges != defaults.area_ranges).then(|| {
                case.params
                    .area_ranges
                    .iter()
                    .map(|range| [range.min, range.max])
                    .collect::<Vec<_>>()
            });
            serde_json::json!({
                "gt": case.ground_truth,
                "results": case.results,
                "iou_type": case.params.iou_type.name(),
                "out": out.join(case.name),
                "use_cats": u8::from(case.params.use_categories),
                "max_dets": max_dets,
                "area_ranges": area_ranges,
            })
        })
        .collect();
    let cases_file = write_json(&out.join("cases.json"), &Value::Array(list));
    run_python(PYCOCOTOOLS_EVAL, &[&cases_file]);
}

/// Runs cocoprep on one case and compares everything with pycocotools'; returns ours.
fn check(case: &Case<'_>, out: &Path) -> Evaluation {
    let Case {
        name,
        ground_truth,
        results,
        params,
    } = case;
    let folder = out.join(name);
    let defaults = Params::new(params.iou_type);
    let default_max_dets = params.max_detections == defaults.max_detections;
    let default_areas = params.area_ranges == defaults.area_ranges;
    let options = ReadOptions::default();
    let gt = read_dataset(ground_truth, &options, &NoReporter).unwrap();
    let dt = read_dataset(results, &options, &NoReporter).unwrap();
    let ours = evaluate(&gt, &dt.annotations, params, None).unwrap();

    let (shape, precision) = read_npy(&folder.join("precision.npy"));
    assert_eq!(shape, ours.precision_shape(), "{name}: precision shape");
    assert_bits_equal(name, "precision", &ours.precision, &precision);
    let (shape, recall) = read_npy(&folder.join("recall.npy"));
    assert_eq!(shape, ours.recall_shape(), "{name}: recall shape");
    assert_bits_equal(name, "recall", &ours.recall, &recall);
    assert_bits_equal(
        name,
        "scores",
        &ours.scores,
        &read_npy(&folder.join("scores.npy")).1,
    );

    let (_, stats) = read_npy(&folder.join("stats.npy"));
    let our_stats = ours.stats();
    if default_max_dets && default_areas {
        assert_bits_equal(name, "stats", &our_stats, &stats);
        let printed = std::fs::read_to_string(folder.join("summary.txt")).unwrap();
        let lines: Vec<String> = ours.summarize().iter().map(ToString::to_string).collect();
        assert_eq!(
            printed.lines().collect::<Vec<_>>(),
            lines,
            "{name}: printed summary"
        );
    } else if default_areas {
        // pycocotools' first line hard-codes maxDets=100 (-1 without it); the rest agree.
        // (With other area ranges its summary still prints small/medium/large: only the
        // arrays are compared.)
        assert_bits_equal(name, "stats[1..]", &our_stats[1..], &stats[1..]);
    }
    ours
}

fn write_json(path: &Path, value: &Value) -> PathBuf {
    std::fs::write(path, serde_json::to_vec(value).unwrap()).unwrap();
    path.to_owned()
}

#[test]
fn published_cocoapi_results_equal_pycocotools_bit_for_bit() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let folder = data.join("cocoapi-eval");
    let out = temp_dir();
    let cases = [
        Case {
            name: "cocoapi-bbox",
            ground_truth: folder.join("instances_val2014_100.json"),
            results: folder.join("instances_val2014_fakebbox100_results.json"),
            params: Params::new(IouType::Bbox),
        },
        Case {
            name: "cocoapi-segm",
            ground_truth: folder.join("instances_val2014_100.json"),
            results: folder.join("instances_val2014_fakesegm100_results.json"),
            params: Params::new(IouType::Segm),
        },
    ];
    run_pycocotools(&cases, out.path());
    let bbox = check(&cases[0], out.path());
    let segm = check(&cases[1], out.path());
    // The full-precision values of spec §1.6.4 (pycocotools 2.0.11, verified).
    assert_eq!(bbox.stats()[0], 0.5045806987249628);
    assert_eq!(bbox.stats()[11], 0.5642905982905982);
    assert_eq!(segm.stats()[0], 0.3195452758576433);
    assert_eq!(segm.stats()[3], 0.3873740315997837);
    // The published printout (results/val2014_fake_eval_res.txt) to its 3 printed digits.
    let published = std::fs::read_to_string(folder.join("val2014_fake_eval_res.txt")).unwrap();
    for (kind, evaluation) in [("segm", &segm), ("bbox", &bbox)] {
        let section = published
            .split(&format!("type={kind}"))
            .nth(1)
            .unwrap()
            .lines()
            .filter(|line| line.contains("] = "))
            .take(12)
            .map(|line| line.rsplit("] = ").next().unwrap().trim().to_owned())
            .collect::<Vec<_>>();
        let ours: Vec<String> = evaluation
            .stats()
            .iter()
            .map(|v| format!("{v:.3}"))
            .collect();
        assert_eq!(ours, section, "{kind}: published stats");
    }
}

#[test]
fn generated_results_over_coco_mini_equal_pycocotools_bit_for_bit() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let annotations = data.join("coco-mini/annotations");
    let out = temp_dir();
    let instances: Value =
        serde_json::from_slice(&std::fs::read(annotations.join("instances_val2017.json")).unwrap())
            .unwrap();
    let gt = results::with_empty_images(&instances);
    let gt_path = write_json(&out.path().join("gt.json"), &gt);
    let (boxes, masks) = results::instances(&gt, 17);
    let boxes_path = write_json(&out.path().join("boxes.json"), &boxes);
    let masks_path = write_json(&out.path().join("masks.json"), &masks);
    let case = |name, results: &Path, params| Case {
        name,
        ground_truth: gt_path.clone(),
        results: results.to_owned(),
        params,
    };
    let mut pooled = Params::new(IouType::Bbox);
    pooled.use_categories = false;
    let mut areas = Params::new(IouType::Segm);
    areas.max_detections = vec![1, 10, 200];
    areas.area_ranges = vec![
        AreaRange::new("all", 0.0, 1e10),
        AreaRange::new("small", 0.0, 2000.0),
        AreaRange::new("medium", 2000.0, 20000.0),
    ];
    let mut max_dets = Params::new(IouType::Segm);
    max_dets.max_detections = vec![1, 10, 200];

    let people: Value = serde_json::from_slice(
        &std::fs::read(annotations.join("person_keypoints_val2017.json")).unwrap(),
    )
    .unwrap();
    let keypoints_path = write_json(
        &out.path().join("keypoints.json"),
        &results::keypoints(&people, 5),
    );
    let cases = [
        case("mini-bbox", &boxes_path, Params::new(IouType::Bbox)),
        case("mini-segm", &masks_path, Params::new(IouType::Segm)),
        case("mini-bbox-pooled", &boxes_path, pooled),
        case("mini-segm-areas", &masks_path, areas),
        case("mini-segm-max-dets", &masks_path, max_dets),
        Case {
            name: "mini-keypoints",
            ground_truth: annotations.join("person_keypoints_val2017.json"),
            results: keypoints_path,
            params: Params::new(IouType::Keypoints),
        },
    ];
    run_pycocotools(&cases, out.path());
    for case in &cases {
        let ours = check(case, out.path());
        if case.name == "mini-segm-max-dets" {
            assert!(
                ours.stats()[0] > 0.0,
                "the first AP uses maxDets 200, not -1"
            );
        }
    }
}
