//! `convert yolo`, `subset`, `convert coco`, `filter`, `merge`, `split` end to end: real
//! COCO data in, files checked against Ultralytics' output, read back by PyYAML, and
//! round-tripped.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use cocoprep_coco::Dataset;
use cocoprep_test::{fixtures, run_python, temp_dir};

/// Runs cocoprep quietly: these tests read only the files and the exit status.
fn cocoprep(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let quiet: &dyn AsRef<std::ffi::OsStr> = &"-q";
    crate::cocoprep(std::iter::once(&quiet).chain(args))
}

fn succeed(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let output = cocoprep(args);
    assert!(
        output.status.success(),
        "cocoprep failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `relative path → text` of every file under `root`.
fn text_files(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_owned();
                files.insert(relative, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    files
}

fn file_names(root: &Path) -> BTreeSet<PathBuf> {
    text_files(root).into_keys().collect()
}

/// Rows of `text` whose class is in `mapping`, class replaced, rest verbatim.
fn remapped(text: &str, mapping: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let (class, rest) = line.split_once(' ').unwrap();
        if let Some(new) = mapping.get(class) {
            out.push_str(&format!("{new} {rest}\n"));
        }
    }
    out
}

const LOAD_YAML: &str = r#"
import json, sys, yaml
print(json.dumps(yaml.safe_load(open(sys.argv[1]))))
"#;

fn load_yaml(path: &Path) -> serde_json::Value {
    serde_json::from_str(&run_python(LOAD_YAML, &[path])).unwrap()
}

#[test]
fn subset_keeps_chosen_classes_in_user_order_with_every_polygon_point() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let mini = data.join("coco-mini");
    let golden = cocoprep_test::shared_golden()
        .unwrap()
        .join("yolo/segments/labels");
    let output = temp_dir();
    let out = output.path();
    succeed(&[
        &"subset",
        &mini.join("annotations/instances_train2017.json"),
        &mini.join("annotations/instances_val2017.json"),
        &"--classes",
        &"dog,person,tv",
        &"--segments",
        &"--images",
        &mini,
        &"--format",
        &"both",
        &"-o",
        &out,
    ]);
    // COCO80 classes 16 (dog), 0 (person), 62 (tv) become 0, 1, 2 in the order asked.
    let mapping = BTreeMap::from([("16", "0"), ("0", "1"), ("62", "2")]);
    let expected: BTreeMap<PathBuf, String> = text_files(&golden)
        .into_iter()
        .map(|(path, text)| (path, remapped(&text, &mapping)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let ours = text_files(&out.join("labels"));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    // Every row equals Ultralytics' row for the same object, token for token: no polygon
    // point is dropped (Petoi's script keeps only 5 numbers per row).
    assert_eq!(ours, expected);
    let longest = ours
        .values()
        .flat_map(|t| t.lines())
        .map(|l| l.split(' ').count())
        .max();
    assert!(longest.unwrap() > 100, "polygons keep all their points");

    // Images: exactly those with labels, hard-linked to the source files.
    let images = file_names(&out.join("images"));
    let labels: BTreeSet<PathBuf> = ours.keys().map(|p| p.with_extension("jpg")).collect();
    assert_eq!(images, labels);
    for image in &images {
        let linked = std::fs::metadata(out.join("images").join(image)).unwrap();
        let source = std::fs::metadata(mini.join(image)).unwrap();
        assert_eq!(
            linked.ino(),
            source.ino(),
            "{} is a hard link",
            image.display()
        );
    }

    let yaml = load_yaml(&out.join("data.yaml"));
    assert_eq!(
        yaml["names"],
        serde_json::json!({"0": "dog", "1": "person", "2": "tv"})
    );
    assert_eq!(yaml["nc"], 3);
    assert_eq!(yaml["train"], "images/train2017");
    assert_eq!(yaml["val"], "images/val2017");
    assert_eq!(yaml["path"], out.to_str().unwrap());

    // The COCO side has the same images and the selected categories renumbered 1..3.
    let coco = Dataset::read(&out.join("annotations/instances_val2017.json")).unwrap();
    let names: Vec<(u32, &str)> = coco
        .categories
        .iter()
        .map(|c| (c.id.0, c.name.as_str()))
        .collect();
    assert_eq!(names, vec![(1, "dog"), (2, "person"), (3, "tv")]);
    let coco_images: BTreeSet<PathBuf> = coco
        .images
        .iter()
        .map(|i| Path::new("val2017").join(i.file_name.as_ref().unwrap()))
        .collect();
    let yolo_val: BTreeSet<PathBuf> = labels
        .iter()
        .filter(|p| p.starts_with("val2017"))
        .cloned()
        .collect();
    assert_eq!(coco_images, yolo_val);
    assert!(
        coco.annotations
            .iter()
            .all(|a| (1..=3).contains(&a.category_id.unwrap().0))
    );
}

#[test]
fn subset_keypoints_keeps_all_56_columns() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let golden = cocoprep_test::shared_golden()
        .unwrap()
        .join("yolo/keypoints/labels");
    let output = temp_dir();
    succeed(&[
        &"subset",
        &data.join("coco-mini/annotations/person_keypoints_val2017.json"),
        &"--classes",
        &"person",
        &"--keypoints",
        &"-o",
        &output.path(),
    ]);
    let ours = text_files(&output.path().join("labels"));
    let expected: BTreeMap<PathBuf, String> = text_files(&golden)
        .into_iter()
        .filter(|(path, text)| path.starts_with("person_keypoints_val2017") && !text.is_empty())
        .collect();
    assert_eq!(ours, expected);
    assert!(
        ours.values()
            .flat_map(|t| t.lines())
            .all(|l| l.split(' ').count() == 56)
    );
    let yaml = load_yaml(&output.path().join("data.yaml"));
    assert_eq!(yaml["kpt_shape"], serde_json::json!([17, 3]));
    assert_eq!(
        yaml["flip_idx"],
        serde_json::json!([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15])
    );
}

#[test]
fn unknown_class_names_are_an_error_listing_the_valid_ones() {
    let output = temp_dir();
    let result = cocoprep(&[
        &"subset",
        &fixtures().join("coco-sample/annotations/instances_val2017.json"),
        &"--classes",
        &"dog,tvmonitor,Person",
        &"-o",
        &output.path(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("unknown class name(s) `tvmonitor`, `Person`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `tv`, `person`?"), "{stderr}");
    assert!(
        stderr.contains("valid names are: `person`, `bicycle`"),
        "{stderr}"
    );
    assert!(!output.path().join("data.yaml").exists());
}

#[test]
fn yolo_subset_rewrites_only_the_class_token() {
    let sample = fixtures().join("coco-sample");
    let output = temp_dir();
    let converted = output.path().join("full");
    succeed(&[
        &"convert",
        &"yolo",
        &sample.join("annotations/instances_train2017.json"),
        &sample.join("annotations/instances_val2017.json"),
        &"--segments",
        &"--images",
        &sample,
        &"-o",
        &converted,
    ]);
    // Petoi's input: an existing YOLO dataset and its YAML.
    let subset = output.path().join("subset");
    succeed(&[
        &"subset",
        &"--yaml",
        &converted.join("data.yaml"),
        &"--classes",
        &"tv,person",
        &"-o",
        &subset,
    ]);
    let mapping = BTreeMap::from([("62", "0"), ("0", "1")]);
    let expected: BTreeMap<PathBuf, String> = text_files(&converted.join("labels"))
        .into_iter()
        .map(|(path, text)| (path, remapped(&text, &mapping)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(text_files(&subset.join("labels")), expected);
    let images: BTreeSet<PathBuf> = expected.keys().map(|p| p.with_extension("jpg")).collect();
    assert_eq!(file_names(&subset.join("images")), images);
    let yaml = load_yaml(&subset.join("data.yaml"));
    assert_eq!(yaml["names"], serde_json::json!({"0": "tv", "1": "person"}));
}

/// Boxes of non-crowd, non-empty annotations per image file name, in file order.
fn boxes_by_image(dataset: &Dataset) -> BTreeMap<String, Vec<[f64; 4]>> {
    let names: BTreeMap<u64, String> = dataset
        .images
        .iter()
        .map(|i| (i.id.0, i.file_name.clone().unwrap()))
        .collect();
    let mut boxes: BTreeMap<String, Vec<[f64; 4]>> = BTreeMap::new();
    for annotation in &dataset.annotations {
        let bbox = annotation.bbox.unwrap();
        if annotation.is_crowd() || bbox.width <= 0.0 || bbox.height <= 0.0 {
            continue;
        }
        let list = boxes
            .entry(names[&annotation.image_id.0].clone())
            .or_default();
        if !list.contains(&bbox.to_array()) {
            list.push(bbox.to_array());
        }
    }
    boxes
}

#[test]
fn coco_to_yolo_to_coco_keeps_boxes_within_1e_6() {
    let (annotations, images) = match cocoprep_test::shared_data() {
        Some(data) => (data.join("coco-mini/annotations"), data.join("coco-mini")),
        None => (
            fixtures().join("coco-sample/annotations"),
            fixtures().join("coco-sample"),
        ),
    };
    let output = temp_dir();
    let yolo = output.path().join("yolo");
    succeed(&[
        &"convert",
        &"yolo",
        &annotations.join("instances_val2017.json"),
        &"--precision",
        &"full",
        &"--images",
        &images,
        &"-o",
        &yolo,
    ]);
    let back = output.path().join("back.json");
    succeed(&[
        &"convert",
        &"coco",
        &"--yaml",
        &yolo.join("data.yaml"),
        &"--coco-ids",
        &"-o",
        &back,
    ]);
    let original = Dataset::read(&annotations.join("instances_val2017.json")).unwrap();
    let round_trip = Dataset::read(&back).unwrap();
    // Sizes come from the image headers and agree with the JSON; ids come from the names.
    for image in &round_trip.images {
        let source = original.images.iter().find(|i| i.id == image.id).unwrap();
        assert_eq!(image.size(), source.size(), "image {}", image.id);
        assert_eq!(image.file_name, source.file_name);
    }
    let (before, after) = (boxes_by_image(&original), boxes_by_image(&round_trip));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let mut compared = 0;
    for (name, boxes) in &before {
        assert_eq!(boxes.len(), after[name].len(), "{name}");
        for (a, b) in boxes.iter().zip(&after[name]) {
            for (x, y) in a.iter().zip(b) {
                assert!(
                    (x - y).abs() <= 1e-6 * x.abs().max(1e-3),
                    "{name}: {a:?} vs {b:?}"
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 20, "{compared} boxes compared");
    // Categories come back with their COCO ids and names.
    for annotation in &round_trip.annotations {
        let id = annotation.category_id.unwrap();
        let name = &round_trip
            .categories
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .name;
        assert_eq!(
            &original
                .categories
                .iter()
                .find(|c| c.id == id)
                .unwrap()
                .name,
            name
        );
    }
}

#[test]
fn filter_merge_and_split_keep_records_consistent() {
    let annotations = fixtures().join("coco-sample/annotations");
    let output = temp_dir();
    let filtered = output.path().join("people.json");
    succeed(&[
        &"filter",
        &annotations.join("instances_val2017.json"),
        &"--categories",
        &"person",
        &"--crowd",
        &"drop",
        &"--drop-empty-images",
        &"-o",
        &filtered,
    ]);
    let people = Dataset::read(&filtered).unwrap();
    assert!(!people.annotations.is_empty());
    assert!(
        people
            .annotations
            .iter()
            .all(|a| a.category_id.unwrap().0 == 1 && !a.is_crowd())
    );
    assert_eq!(people.categories.len(), 1);
    let with_people: BTreeSet<u64> = people.annotations.iter().map(|a| a.image_id.0).collect();
    assert_eq!(
        people
            .images
            .iter()
            .map(|i| i.id.0)
            .collect::<BTreeSet<_>>(),
        with_people
    );

    // instances + person_keypoints of the same images: one image record each.
    let merged_path = output.path().join("merged.json");
    succeed(&[
        &"merge",
        &annotations.join("instances_val2017.json"),
        &annotations.join("person_keypoints_val2017.json"),
        &"-o",
        &merged_path,
    ]);
    let instances = Dataset::read(&annotations.join("instances_val2017.json")).unwrap();
    let keypoints = Dataset::read(&annotations.join("person_keypoints_val2017.json")).unwrap();
    let merged = Dataset::read(&merged_path).unwrap();
    assert_eq!(merged.images.len(), instances.images.len());
    assert_eq!(
        merged.annotations.len(),
        instances.annotations.len() + keypoints.annotations.len()
    );
    let ids: BTreeSet<u64> = merged.annotations.iter().map(|a| a.id.unwrap().0).collect();
    assert_eq!(
        ids.len(),
        merged.annotations.len(),
        "annotation ids are unique"
    );
    assert_eq!(merged.categories.len(), instances.categories.len());

    let parts = output.path().join("parts");
    succeed(&[
        &"split",
        &merged_path,
        &"--ratios",
        &"train=0.5,val=0.5",
        &"--seed",
        &"3",
        &"-o",
        &parts,
    ]);
    let train = Dataset::read(&parts.join("train.json")).unwrap();
    let val = Dataset::read(&parts.join("val.json")).unwrap();
    assert_eq!(train.images.len() + val.images.len(), merged.images.len());
    assert_eq!(train.images.len(), merged.images.len() / 2);
    assert_eq!(
        train.annotations.len() + val.annotations.len(),
        merged.annotations.len()
    );
    let train_ids: BTreeSet<u64> = train.images.iter().map(|i| i.id.0).collect();
    assert!(val.images.iter().all(|i| !train_ids.contains(&i.id.0)));
}

#[test]
fn images_are_placed_as_link_asks_and_reruns_replace_labels() {
    let sample = fixtures().join("coco-sample");
    let annotations = sample.join("annotations/instances_val2017.json");
    let output = temp_dir();
    for mode in ["hard", "sym", "copy", "none"] {
        let out = output.path().join(mode);
        for _ in 0..2 {
            succeed(&[
                &"convert",
                &"yolo",
                &annotations,
                &"--images",
                &sample,
                &"--link",
                &mode,
                &"-o",
                &out,
            ]);
        }
        let image = out.join("images/val2017/000000397133.jpg");
        let source = sample.join("val2017/000000397133.jpg");
        match mode {
            "none" => assert!(!out.join("images/val2017").exists()),
            "sym" => {
                let target = std::fs::read_link(&image).unwrap();
                assert!(target.is_absolute());
                assert_eq!(
                    std::fs::read(&target).unwrap(),
                    std::fs::read(&source).unwrap()
                );
            }
            _ => {
                let (placed, original) = (
                    std::fs::metadata(&image).unwrap(),
                    std::fs::metadata(&source).unwrap(),
                );
                assert_eq!(placed.ino() == original.ino(), mode == "hard", "{mode}");
                assert_eq!(
                    std::fs::read(&image).unwrap(),
                    std::fs::read(&source).unwrap()
                );
            }
        }
        // Running twice gives the same labels (Ultralytics appends, doubling every row).
        let labels = text_files(&out.join("labels"));
        let single = text_files(&output.path().join("hard/labels"));
        assert_eq!(labels, single, "{mode}");
        // No staging folders left behind.
        let hidden: Vec<_> = std::fs::read_dir(out.join("labels"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "{hidden:?}");
    }
}

#[test]
fn subset_image_selection_options() {
    let sample = fixtures().join("coco-sample");
    let annotations = sample.join("annotations/instances_val2017.json");
    let output = temp_dir();
    let run = |name: &str, extra: &[&dyn AsRef<std::ffi::OsStr>]| -> BTreeMap<PathBuf, String> {
        let out = output.path().join(name);
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"subset", &annotations, &"-o"];
        args.push(&out);
        args.extend_from_slice(extra);
        succeed(&args);
        text_files(&out.join("labels"))
    };
    let all_people = run("people", &[&"--classes", &"person"]);
    let sampled = run(
        "sampled",
        &[
            &"--classes",
            &"person",
            &"--max-images",
            &"2",
            &"--seed",
            &"1",
        ],
    );
    let again = run(
        "again",
        &[
            &"--classes",
            &"person",
            &"--max-images",
            &"2",
            &"--seed",
            &"1",
        ],
    );
    assert_eq!(sampled.len(), 2);
    assert_eq!(sampled, again, "the same seed picks the same images");
    assert!(sampled.iter().all(|(path, text)| all_people[path] == *text));

    let crowded = run(
        "crowded",
        &[&"--classes", &"person", &"--min-instances", &"3"],
    );
    assert!(!crowded.is_empty() && crowded.len() < all_people.len());
    assert!(crowded.values().all(|text| text.lines().count() >= 3));

    let with_background = run("background", &[&"--classes", &"tv", &"--include-empty"]);
    let dataset = Dataset::read(&annotations).unwrap();
    assert_eq!(
        with_background.len(),
        dataset.images.len(),
        "every image, tv or not"
    );
    assert!(with_background.values().any(|text| text.is_empty()));
    assert!(with_background.values().any(|text| !text.is_empty()));
}
