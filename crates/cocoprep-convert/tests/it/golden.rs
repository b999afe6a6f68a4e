//! `convert yolo` on the real coco-mini annotations gives the same files, byte for byte,
//! as Ultralytics 8.4.190 `convert_coco` (`shared/golden/yolo`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::Dataset;
use cocoprep_convert::classes::{ClassMapping, ClassTable};
use cocoprep_convert::yolo::{Geometry, SplitSource, YoloOptions, write_yolo};

fn files_under(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn convert_and_compare(inputs: &[&str], geometry: Geometry, golden: &str) {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let golden = cocoprep_test::shared_golden()
        .unwrap()
        .join("yolo")
        .join(golden)
        .join("labels");
    let annotations = data.join("coco-mini/annotations");
    let datasets: Vec<(PathBuf, Dataset)> = inputs
        .iter()
        .map(|name| {
            let path = annotations.join(name);
            let dataset = Dataset::read(&path).unwrap();
            (path, dataset)
        })
        .collect();
    let splits: Vec<SplitSource> = datasets
        .iter()
        .map(|(path, dataset)| SplitSource {
            name: SplitSource::split_name(path),
            file: path.clone(),
            dataset,
        })
        .collect();
    let categories: Vec<_> = datasets
        .iter()
        .flat_map(|(_, d)| d.categories.iter())
        .collect();
    let classes = ClassTable::build(ClassMapping::Coco80, &categories).unwrap();
    let output = cocoprep_test::temp_dir();
    let options = YoloOptions {
        geometry,
        ..YoloOptions::default()
    };
    write_yolo(&splits, &classes, output.path(), &options, &NoReporter).unwrap();
    let ours = files_under(&output.path().join("labels"));
    let theirs = files_under(&golden);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "the same label files"
    );
    for (path, expected) in &theirs {
        let actual = &ours[path];
        if actual != expected {
            let expected = String::from_utf8_lossy(expected);
            let actual = String::from_utf8_lossy(actual);
            for (line, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
                assert_eq!(a, e, "{}:{}", path.display(), line + 1);
            }
            panic!(
                "{}: different line count\nours:\n{actual}\ntheirs:\n{expected}",
                path.display()
            );
        }
    }
}

#[test]
fn boxes_equal_ultralytics_convert_coco() {
    convert_and_compare(
        &["instances_train2017.json", "instances_val2017.json"],
        Geometry::Boxes,
        "boxes",
    );
}

#[test]
fn segments_equal_ultralytics_convert_coco() {
    convert_and_compare(
        &["instances_train2017.json", "instances_val2017.json"],
        Geometry::Segments,
        "segments",
    );
}

#[test]
fn keypoints_equal_ultralytics_convert_coco() {
    convert_and_compare(
        &[
            "person_keypoints_train2017.json",
            "person_keypoints_val2017.json",
        ],
        Geometry::Keypoints,
        "keypoints",
    );
}
