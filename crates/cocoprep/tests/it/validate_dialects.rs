//! `cocoprep validate` recognises the COCO dialects (LVIS, CrowdPose, Objects365) and holds
//! each file to what its own tools need: a clean file of any dialect has no errors, only
//! warnings naming the tool a left-out member would break; broken variants still fail.
//! The fixtures are the COCO sample reshaped by `scripts/make_dialect_fixtures.py`.

use std::path::{Path, PathBuf};

use cocoprep_test::{fixtures, run_python};
use serde_json::Value;

use crate::cocoprep;

fn dialect_fixture(name: &str) -> PathBuf {
    fixtures().join("dialects").join(name)
}

/// Runs `validate --json` and returns (exit status, report).
fn validate_json(file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["validate", "--json", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = cocoprep(&args);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{}: {error}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), report)
}

/// `(severity, code, location)` of each finding, plus its consumers.
fn findings(report: &Value) -> Vec<(String, String, String, Vec<String>)> {
    report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            let path = issue["path"].as_str().unwrap();
            let location = match issue["member"].as_str() {
                Some(member) if path.is_empty() => member.to_owned(),
                Some(member) => format!("{path}.{member}"),
                None => path.to_owned(),
            };
            let consumers = issue["consumers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (
                issue["severity"].as_str().unwrap().to_owned(),
                issue["code"].as_str().unwrap().to_owned(),
                location,
                consumers,
            )
        })
        .collect()
}

/// An expected warning: code, location, and one consumer it names.
type Expected = (&'static str, &'static str, &'static str);

#[test]
fn clean_files_of_each_dialect_have_no_errors_only_consumer_warnings() {
    // (file, dialect, expected warnings)
    let cases: &[(&str, &str, &[Expected])] = &[
        (
            "lvis_v1_val.json",
            "lvis",
            &[
                ("missing-key", "annotations.iscrowd", "cocoeval-bbox"),
                ("missing-key", "categories.supercategory", "pycocotools"),
            ],
        ),
        (
            "crowdpose_val.json",
            "crowdpose",
            &[
                ("skeleton-index", "categories[0].skeleton[0]", "pycocotools"),
                ("skeleton-index", "categories[0].skeleton[2]", "pycocotools"),
                ("skeleton-index", "categories[0].skeleton[3]", "pycocotools"),
                ("missing-key", "annotations.area", "cocoeval-keypoints"),
            ],
        ),
        (
            "objects365_v2_val.json",
            "objects365",
            &[
                ("missing-key", "annotations.segmentation", "cocoeval-segm"),
                ("missing-key", "categories.supercategory", "pycocotools"),
            ],
        ),
    ];
    for (name, dialect, expected) in cases {
        let (status, report) = validate_json(&dialect_fixture(name), &[]);
        assert_eq!(status, 0, "{name}: {report:#}");
        assert_eq!(report["dialect"], *dialect, "{name}");
        assert_eq!(report["errors"], 0, "{name}: {report:#}");
        let found = findings(&report);
        let warnings: Vec<(&str, &str)> = found
            .iter()
            .map(|(_, code, location, _)| (code.as_str(), location.as_str()))
            .collect();
        let wanted: Vec<(&str, &str)> = expected.iter().map(|(c, l, _)| (*c, *l)).collect();
        assert_eq!(warnings, wanted, "{name}");
        for ((_, _, _, consumers), (_, _, consumer)) in found.iter().zip(expected.iter()) {
            assert!(
                consumers.iter().any(|c| c == consumer),
                "{name}: {consumers:?}"
            );
        }
    }
}

#[test]
fn broken_variants_of_each_dialect_still_fail() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "lvis_v1_val_broken.json",
            &[
                ("missing-key", "annotations[3].area"),
                ("missing-key", "images[1].neg_category_ids"),
                ("type", "images[2].not_exhaustive_category_ids[0]"),
                ("frequency-value", "categories[0].frequency"),
            ],
        ),
        (
            "crowdpose_val_broken.json",
            &[
                ("keypoints-length", "annotations[0].keypoints"),
                ("unknown-image", "annotations[1].image_id"),
                ("bbox-size", "annotations[2].bbox"),
            ],
        ),
        (
            "objects365_v2_val_broken.json",
            &[
                ("missing-key", "annotations[0].iscrowd"),
                ("unknown-category", "annotations[1].category_id"),
                ("bbox-outside-image", "annotations[2].bbox"),
            ],
        ),
    ];
    for (name, expected) in cases {
        let (status, report) = validate_json(&dialect_fixture(name), &[]);
        assert_eq!(status, 1, "{name}");
        let mut errors: Vec<(String, String)> = findings(&report)
            .into_iter()
            .filter(|(severity, ..)| severity == "error")
            .map(|(_, code, location, _)| (code, location))
            .collect();
        errors.sort();
        let mut wanted: Vec<(String, String)> = expected
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect();
        wanted.sort();
        assert_eq!(errors, wanted, "{name}");
    }
}

#[test]
fn forcing_coco_on_an_lvis_file_restores_the_per_record_errors() {
    let file = dialect_fixture("lvis_v1_val.json");
    let (status, report) = validate_json(&file, &["--dialect", "coco"]);
    assert_eq!(status, 1);
    assert_eq!(report["dialect"], "coco");
    let found = findings(&report);
    // COCOeval needs `iscrowd` on every annotation: one error each, naming COCOeval.
    let iscrowd = found
        .iter()
        .filter(|(severity, code, location, consumers)| {
            severity == "error"
                && code == "missing-key"
                && location.ends_with(".iscrowd")
                && consumers.iter().any(|c| c == "cocoeval-bbox")
        })
        .count();
    assert_eq!(
        iscrowd,
        report["counts"]["annotations"].as_u64().unwrap() as usize
    );
    assert!(
        found.iter().any(|(_, code, ..)| code == "dialect-mismatch"),
        "{found:?}"
    );
}

#[test]
fn text_output_names_the_dialect_and_the_consumers() {
    let output = cocoprep([
        "validate",
        dialect_fixture("crowdpose_val.json").to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("dialect crowdpose (6 images have `crowdIndex`)"),
        "{stderr}"
    );
    assert!(
        stdout.contains("[breaks: cocoeval-keypoints, mmdet]"),
        "{stdout}"
    );
}

#[test]
fn pycocotools_loads_every_dialect_fixture() {
    let script = r#"
import contextlib, io, sys
from pycocotools.coco import COCO
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(path)
    print(len(coco.imgs), len(coco.anns), len(coco.cats))
"#;
    let names = [
        "lvis_v1_val.json",
        "lvis_v1_val_broken.json",
        "crowdpose_val.json",
        "crowdpose_val_broken.json",
        "objects365_v2_val.json",
        "objects365_v2_val_broken.json",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|name| dialect_fixture(name)).collect();
    let args: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let counts = run_python(script, &args);
    assert_eq!(
        counts.lines().collect::<Vec<_>>(),
        [
            "6 89 33", "6 89 33", "6 15 1", "6 15 1", "6 28 16", "6 28 16"
        ]
    );
}
