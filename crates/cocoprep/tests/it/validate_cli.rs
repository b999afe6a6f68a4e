//! `cocoprep validate` on deliberately broken files reports each problem by path and id,
//! exits with status 1 and never panics; on good files it exits 0.

use std::path::Path;

use cocoprep_test::fixtures;

use crate::cocoprep;

fn validate(file: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["validate", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = cocoprep(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn broken_files_report_every_problem_by_path_and_id() {
    let broken = fixtures().join("broken");
    let images = broken.join("images");
    let cases: &[(&str, &[&str])] = &[
        (
            "malformed.json",
            &["error[syntax]: document at 36:3: expected `,` or `]`"],
        ),
        ("truncated.json", &["unexpected end of file"]),
        (
            "not_an_object.json",
            &["expected a JSON object (annotation file) or list (results file)"],
        ),
        (
            "wrong_types.json",
            &[
                "images[0].id (id \"1\") at 3:3: expected an integer, found a string",
                "images[1].width (id 2) at 9:3: expected an integer, found 640.5",
                "annotations[0].bbox[1] (id 1)",
                "annotations[1].iscrowd (id 2) at 42:3: expected 0 or 1, found 2",
                "annotations[2].area (id 3)",
                "annotations[3].image_id (id 4) at 92:3: expected an integer, found 1.0",
                "annotations[4].segmentation (id 5)",
                "categories[0].name (id 1)",
            ],
        ),
        (
            "missing_keys.json",
            &[
                "images[0].width (id 1) at 3:3: required member is missing",
                "annotations[0].image_id (id 1)",
                "annotations[1].category_id (id 2)",
                "annotations[2].bbox (id 3)",
                "categories[0].name (id 1)",
            ],
        ),
        (
            "duplicate_ids.json",
            &[
                "error[duplicate-id]: images[1].id (id 1)",
                "error[duplicate-id]: annotations[1].id (id 7)",
                "error[duplicate-id]: categories[1].id (id 1)",
                "warning[duplicate-category-name]",
            ],
        ),
        (
            "dangling_references.json",
            &[
                "error[unknown-image]: annotations[0].image_id (id 1): image 999",
                "error[unknown-category]: annotations[1].category_id (id 2): category 77",
            ],
        ),
        (
            "non_finite.json",
            &[
                "non-finite number `NaN`",
                "annotations[1] at 46:16: number out of range",
            ],
        ),
        (
            "bad_boxes.json",
            &[
                "error[bbox-size]: annotations[0].bbox (id 1)",
                "error[bbox-size]: annotations[1].bbox (id 2)",
                "error[bbox-outside-image]: annotations[2].bbox (id 3)",
                "error[bbox-length]: annotations[3].bbox (id 4)",
            ],
        ),
        (
            "bad_polygons.json",
            &[
                "error[polygon-short]: annotations[0].segmentation[0] (id 1)",
                "error[polygon-odd]: annotations[1].segmentation[0] (id 2)",
                "annotations[2].segmentation[1] (id 3)",
            ],
        ),
        (
            "bad_rle.json",
            &[
                "error[rle-sum]: annotations[0].segmentation.counts (id 1) at 11:3: run lengths sum to 600 but size 480x640 has 307200 pixels",
                "error[rle-size-mismatch]: annotations[1].segmentation.size (id 2)",
                "error[rle-invalid]: annotations[2].segmentation.counts (id 3)",
            ],
        ),
        (
            "bad_keypoints.json",
            &[
                "error[keypoints-length]: annotations[0].keypoints (id 1)",
                "error[keypoints-length]: annotations[1].keypoints (id 2): has 2 keypoints but category 1 defines 3",
                "error[skeleton-index]: categories[0].skeleton[1] (id 1)",
            ],
        ),
    ];
    for (name, expected) in cases {
        let (status, stdout, stderr) = validate(&broken.join(name), &[]);
        assert_eq!(status, 1, "{name}: exit status\n{stdout}{stderr}");
        for needle in *expected {
            assert!(
                stdout.contains(needle),
                "{name}: missing `{needle}` in:\n{stdout}"
            );
        }
        assert!(stderr.contains("INVALID"), "{name}: {stderr}");
    }
    let (status, stdout, _) = validate(
        &broken.join("images.json"),
        &["--images", images.to_str().unwrap()],
    );
    assert_eq!(status, 1);
    for needle in [
        "error[image-missing]: images[0].file_name (id 1)",
        "error[image-size-mismatch]: images[1].file_name (id 2)",
        "is 640x423 but the annotation says 100x100",
        "error[image-decode]: images[2].file_name (id 3)",
    ] {
        assert!(stdout.contains(needle), "missing `{needle}` in:\n{stdout}");
    }
}

#[test]
fn json_report_lists_issues_for_scripts() {
    let output = cocoprep([
        "validate",
        "--json",
        fixtures().join("broken/bad_boxes.json").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"], 4);
    let codes: Vec<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"bbox-outside-image") && codes.contains(&"bbox-size"),
        "{codes:?}"
    );
    assert_eq!(report["issues"][0]["id"], "1");
    assert_eq!(report["issues"][0]["path"], "annotations[0]");
    assert_eq!(report["issues"][0]["member"], "bbox");
}

#[test]
fn sample_files_and_their_images_are_valid() {
    let sample = fixtures().join("coco-sample");
    for split in ["train2017", "val2017"] {
        for kind in ["instances", "person_keypoints", "captions"] {
            let file = sample.join(format!("annotations/{kind}_{split}.json"));
            let (status, stdout, stderr) =
                validate(&file, &["--images", sample.join(split).to_str().unwrap()]);
            assert_eq!(status, 0, "{}: {stdout}{stderr}", file.display());
            assert!(stderr.contains("valid: 0 errors"), "{stderr}");
        }
    }
}

#[test]
fn unreadable_input_is_an_error_with_status_2() {
    let output = cocoprep(["inspect", "no/such/file.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no/such/file.json") && stderr.contains("No such file"),
        "{stderr}"
    );
    let output = cocoprep([
        "inspect",
        fixtures().join("broken/wrong_types.json").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "wrong_types.json:3:3: images[0] (id \"1\"): `id`: expected an integer, found a string"
        ),
        "{stderr}"
    );
}
