//! The demo runs end to end on the built-in sample, and `inspect` reports real numbers.

use cocoprep_test::{fixtures, temp_dir};

#[test]
fn demo_runs_every_step_on_the_built_in_sample() {
    let folder = temp_dir();
    let output = crate::cocoprep_command()
        .args(["demo", "-o"])
        .arg(folder.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("outputs:"), "{stderr}");
    assert!(
        folder
            .path()
            .join("sample/val2017/000000397133.jpg")
            .is_file()
    );
    assert!(
        folder
            .path()
            .join("inspect/instances_val2017.txt")
            .is_file()
    );
    assert!(
        folder
            .path()
            .join("validate/instances_val2017.json")
            .is_file()
    );
    for picture in [
        "show/instances-139.png",
        "show/person-397133.png",
        "show/instances_val2017.html",
    ] {
        assert!(folder.path().join(picture).is_file(), "no {picture}");
    }
    // Running again reuses the sample already written.
    let again = crate::cocoprep_command()
        .args(["demo", "-q", "-o"])
        .arg(folder.path())
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(
        again.stderr.is_empty(),
        "--quiet prints nothing: {}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn inspect_json_counts_the_sample() {
    let file = fixtures().join("coco-sample/annotations/instances_val2017.json");
    let output = crate::cocoprep_command()
        .args(["inspect", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["kind"], "instances");
    assert_eq!(summary["images"], 6);
    assert_eq!(summary["categories"], 80);
    let per_category = summary["per_category"].as_array().unwrap();
    let person = per_category.iter().find(|c| c["name"] == "person").unwrap();
    assert!(person["instances"].as_u64().unwrap() > 0);
    let area = &summary["area"];
    let total = ["small", "medium", "large", "missing"]
        .iter()
        .map(|k| area[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(total, summary["annotations"].as_u64().unwrap());
}
