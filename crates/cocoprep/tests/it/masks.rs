//! End-to-end tests of `cocoprep masks rle|semantic|panoptic` against the reference tools:
//! pycocotools, cocostuffapi's golden PNGs (and its export function, reproduced in
//! `bench/reference/`), and panopticapi's converters (its real output on the panoptic
//! sample, and its logic reproduced in `bench/reference/`).

use std::path::{Path, PathBuf};
use std::process::Output;

use cocoprep_coco::mask::{LabelMap, cocostuff_palette};
use serde_json::Value;

use crate::cocoprep;

fn succeed(args: &[&str]) -> Output {
    let output = cocoprep(args);
    assert!(
        output.status.success(),
        "cocoprep {args:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn labels(path: &Path) -> LabelMap {
    LabelMap::read_png(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The PLTE chunk of a PNG.
fn palette(path: &Path) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    reader
        .info()
        .palette
        .as_deref()
        .unwrap_or_default()
        .to_vec()
}

/// Asserts that every label map in `reference` has an identical twin in `ours`; returns
/// how many were compared.
fn assert_same_label_maps(reference: &Path, ours: &Path) -> usize {
    let mut compared = 0;
    for entry in std::fs::read_dir(reference).unwrap() {
        let reference = entry.unwrap().path();
        let produced = ours.join(reference.file_name().unwrap());
        assert!(
            labels(&produced).labels() == labels(&reference).labels(),
            "{}",
            produced.display()
        );
        compared += 1;
    }
    compared
}

/// A Python prelude that makes `bench/reference` importable.
fn python_with_references(body: &str) -> String {
    let folder = cocoprep_test::repo_root().join("bench/reference");
    format!(
        "import sys, json, contextlib\nsys.path.insert(0, {:?})\n{body}",
        folder.display().to_string()
    )
}

#[test]
fn semantic_label_maps_equal_cocostuffapi_golden_pngs() {
    let (Some(data), Some(golden)) = (cocoprep_test::shared_data(), cocoprep_test::shared_golden())
    else {
        eprintln!("skipping: ../shared is absent");
        return;
    };
    let folder = cocoprep_test::temp_dir();
    let ours = folder.path().join("ours");
    let annotations = data.join("cocostuff-examples/annotations/stuff_examples.json");
    succeed(&["masks", "semantic", text(&annotations), "-o", text(&ours)]);
    let golden_dir = golden.join("cocostuff-png");
    let mut compared = 0;
    for entry in std::fs::read_dir(&golden_dir).unwrap() {
        let reference = entry.unwrap().path();
        let produced = ours.join(reference.file_name().unwrap());
        let (a, b) = (labels(&produced), labels(&reference));
        assert_eq!((a.height(), a.width()), (b.height(), b.width()));
        assert!(
            a.labels() == b.labels(),
            "{} differs from the golden PNG",
            produced.display()
        );
        // Labels above 127 (stuff classes and 183 `other`) survive.
        assert!(a.labels().iter().any(|&label| label > 127));
        assert_eq!(palette(&produced), palette(&reference), "palette");
        compared += 1;
    }
    assert_eq!(compared, 2);
    assert_eq!(palette(&ours.join("000000000934.png")), cocostuff_palette());

    // The Python reproduction used by the benchmark gives the golden PNGs too, and its
    // live `getCMap()` (matplotlib + NumPy's seeded permutation) is our palette.
    let reference_dir = folder.path().join("reference");
    std::fs::create_dir_all(&reference_dir).unwrap();
    let script = python_with_references(
        r#"
from pycocotools.coco import COCO
from cocostuffapi_png import cocoSegmentationToPng, getCMap
with contextlib.redirect_stdout(sys.stderr):
    coco = COCO(sys.argv[1])
for image_id in coco.getImgIds():
    name = coco.imgs[image_id]['file_name'].replace('.jpg', '') + '.png'
    cocoSegmentationToPng(coco, image_id, sys.argv[2] + '/' + name)
cmap = (getCMap() * 255).astype(int).reshape(-1).tolist()
print(json.dumps(cmap + [0] * (768 - len(cmap))))
"#,
    );
    let output = cocoprep_test::run_python(&script, &[&annotations, &reference_dir]);
    let live_palette: Vec<u8> = serde_json::from_str(&output).unwrap();
    assert_eq!(live_palette, cocostuff_palette());
    for name in ["000000000934.png", "000000013715.png"] {
        assert!(
            labels(&reference_dir.join(name)).labels() == labels(&golden_dir.join(name)).labels(),
            "the Python reproduction of cocoSegmentationToPng differs from the golden {name}"
        );
    }
}

#[test]
fn instance_label_maps_equal_cocostuffapi_painting_and_its_overlap_check() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipping: ../shared is absent");
        return;
    };
    let annotations = data.join("coco-mini/annotations/instances_val2017.json");
    let folder = cocoprep_test::temp_dir();
    let (ours, reference) = (folder.path().join("ours"), folder.path().join("reference"));
    std::fs::create_dir_all(&reference).unwrap();
    // `--overlap last` is cocostuffapi's painting without its uniqueness check.
    succeed(&[
        "masks",
        "semantic",
        text(&annotations),
        "-o",
        text(&ours),
        "--overlap",
        "last",
    ]);
    let script = python_with_references(
        r#"
from pycocotools.coco import COCO
from cocostuffapi_png import cocoSegmentationToPng
with contextlib.redirect_stdout(sys.stderr):
    coco = COCO(sys.argv[1])
overlapping = []
for image_id in coco.getImgIds():
    name = coco.imgs[image_id]['file_name'].replace('.jpg', '') + '.png'
    cocoSegmentationToPng(coco, image_id, sys.argv[2] + '/' + name, checkUniquePixelLabel=False)
    try:
        cocoSegmentationToPng(coco, image_id, '/dev/null', checkUniquePixelLabel=True)
    except Exception as error:
        assert 'more than one label' in str(error)
        overlapping.append(image_id)
print(json.dumps(overlapping))
"#,
    );
    let output = cocoprep_test::run_python(&script, &[&annotations, &reference]);
    let overlapping: Vec<u64> = serde_json::from_str(output.trim()).unwrap();
    assert_eq!(assert_same_label_maps(&reference, &ours), 79);

    // `--overlap error` fails on exactly the images cocostuffapi's check rejects.
    let checked = folder.path().join("checked");
    let output = cocoprep([
        "masks",
        "semantic",
        text(&annotations),
        "-o",
        text(&checked),
        "--overlap",
        "error",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!overlapping.is_empty());
    assert!(
        stderr.contains(&format!("{} failed", overlapping.len())),
        "{stderr}"
    );
    let written = std::fs::read_dir(&checked).unwrap().count();
    assert_eq!(written, 79 - overlapping.len());
}

/// A 4×4 image with overlapping boxes of categories 150 and 200 (above 127), a crowd
/// region of category 7 and a thing (category 5).
fn overlap_fixture(folder: &Path) -> PathBuf {
    let path = folder.join("overlap.json");
    let json = r#"{
      "images": [{"id": 1, "width": 4, "height": 4, "file_name": "one.jpg"},
                 {"id": 2, "width": 4, "height": 4, "file_name": "two.jpg"}],
      "annotations": [
        {"id": 1, "image_id": 1, "category_id": 150, "iscrowd": 0, "area": 4, "bbox": [0, 0, 2, 2],
         "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]},
        {"id": 2, "image_id": 1, "category_id": 200, "iscrowd": 0, "area": 4, "bbox": [1, 1, 2, 2],
         "segmentation": [[1, 1, 3, 1, 3, 3, 1, 3]]},
        {"id": 3, "image_id": 1, "category_id": 7, "iscrowd": 1, "area": 1, "bbox": [3, 3, 1, 1],
         "segmentation": {"size": [4, 4], "counts": [15, 1]}},
        {"id": 4, "image_id": 2, "category_id": 5, "iscrowd": 0, "area": 1, "bbox": [0, 0, 1, 1],
         "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1]]}
      ],
      "categories": [{"id": 5, "name": "thing"}, {"id": 7, "name": "crowd thing"},
                     {"id": 150, "name": "stuff a"}, {"id": 200, "name": "stuff b"}]
    }"#;
    std::fs::write(&path, json).unwrap();
    path
}

#[test]
fn overlap_policy_decides_who_owns_shared_pixels() {
    let folder = cocoprep_test::temp_dir();
    let input = overlap_fixture(folder.path());
    let render = |extra: &[&str]| -> (Output, PathBuf) {
        let out = folder.path().join(extra.join("_").replace('-', ""));
        let mut args = vec!["masks", "semantic", text(&input), "-o", text(&out)];
        args.extend_from_slice(extra);
        (cocoprep(&args), out)
    };
    let pixel = |out: &Path, x: usize, y: usize| labels(&out.join("one.png")).labels()[y * 4 + x];

    let (output, last) = render(&["--overlap", "last"]);
    assert!(output.status.success());
    assert_eq!(
        [pixel(&last, 0, 0), pixel(&last, 1, 1), pixel(&last, 2, 2)],
        [150, 200, 200]
    );
    assert_eq!(
        pixel(&last, 3, 3),
        0,
        "crowd regions are left out by default"
    );

    let (output, first) = render(&["--overlap", "first"]);
    assert!(output.status.success());
    assert_eq!(
        [
            pixel(&first, 0, 0),
            pixel(&first, 1, 1),
            pixel(&first, 2, 2)
        ],
        [150, 150, 200]
    );

    let (output, error) = render(&["--overlap", "error"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "overlap is a problem: exit status 1"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("image 1: annotation 2"), "{stderr}");
    assert!(stderr.contains("already have a label"), "{stderr}");
    assert!(
        !error.join("one.png").exists(),
        "no PNG for the failed image"
    );
    assert!(
        error.join("two.png").exists(),
        "other images are still written"
    );

    let (output, crowd) = render(&["--include-crowd"]);
    assert!(output.status.success());
    assert_eq!(pixel(&crowd, 3, 3), 7);

    let (output, other) = render(&["--things", "other"]);
    assert!(output.status.success());
    assert_eq!(
        labels(&other.join("two.png")).labels()[0],
        183,
        "things become `other`"
    );
    assert_eq!(pixel(&other, 0, 0), 150, "stuff ids (above 91) are kept");
}

#[test]
fn masks_rle_equals_pycocotools_ann_to_rle_area_and_bbox() {
    let mut inputs = vec![
        cocoprep_test::fixtures().join("coco-sample/annotations/person_keypoints_val2017.json"),
    ];
    if let Some(data) = cocoprep_test::shared_data() {
        inputs.push(data.join("coco-mini/annotations/instances_train2017.json"));
        inputs.push(data.join("cocoapi-eval/instances_val2014_100.json"));
    }
    let folder = cocoprep_test::temp_dir();
    for input in inputs {
        let output = folder.path().join("rle.json");
        succeed(&[
            "masks",
            "rle",
            text(&input),
            "-o",
            text(&output),
            "--recompute-area",
            "--recompute-bbox",
        ]);
        let script = r#"
import sys, json, contextlib
from pycocotools.coco import COCO
from pycocotools import mask as mask_utils
with contextlib.redirect_stdout(sys.stderr):
    coco = COCO(sys.argv[1])
ours = json.load(open(sys.argv[2]))
assert len(ours['annotations']) == len(coco.dataset['annotations'])
checked = 0
for ann, mine in zip(coco.dataset['annotations'], ours['annotations']):
    rle = coco.annToRLE(ann)
    counts = rle['counts'].decode() if isinstance(rle['counts'], bytes) else rle['counts']
    assert mine['segmentation'] == {'size': list(rle['size']), 'counts': counts}, ann['id']
    assert mine['area'] == float(mask_utils.area(rle)), (ann['id'], mine['area'])
    assert mine['bbox'] == [float(v) for v in mask_utils.toBbox(rle)], (ann['id'], mine['bbox'])
    assert {k: v for k, v in mine.items() if k not in ('segmentation', 'area', 'bbox')} == \
           {k: v for k, v in ann.items() if k not in ('segmentation', 'area', 'bbox')}, ann['id']
    checked += 1
print(checked)
"#;
        let checked: usize = cocoprep_test::run_python(script, &[&input, &output])
            .trim()
            .parse()
            .unwrap();
        assert!(checked > 0, "{}", input.display());
    }
}

#[test]
fn masks_rle_on_a_results_list_takes_image_sizes_from_the_ground_truth() {
    let ground_truth =
        cocoprep_test::fixtures().join("coco-sample/annotations/instances_val2017.json");
    let folder = cocoprep_test::temp_dir();
    // A detector's segm results: a bare list with image_id, category_id, polygons, score.
    let dataset: Value = serde_json::from_slice(&std::fs::read(&ground_truth).unwrap()).unwrap();
    let results: Vec<Value> = dataset["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["segmentation"].is_array())
        .map(|a| {
            serde_json::json!({"image_id": a["image_id"], "category_id": a["category_id"],
                               "segmentation": a["segmentation"], "score": 0.5})
        })
        .collect();
    assert!(!results.is_empty());
    let input = folder.path().join("results.json");
    std::fs::write(&input, serde_json::to_vec(&results).unwrap()).unwrap();
    let output = folder.path().join("results_rle.json");

    // Without the ground truth there is no image size: each result is reported.
    let without = cocoprep(["masks", "rle", text(&input), "-o", text(&output)]);
    assert_eq!(without.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&without.stderr).contains("image"),
        "{}",
        String::from_utf8_lossy(&without.stderr)
    );

    succeed(&[
        "masks",
        "rle",
        text(&input),
        "--images",
        text(&ground_truth),
        "-o",
        text(&output),
        "--recompute-area",
        "--recompute-bbox",
    ]);
    let script = r#"
import sys, json
from pycocotools import mask as mask_utils
images = {i['id']: i for i in json.load(open(sys.argv[1]))['images']}
results = json.load(open(sys.argv[2]))
ours = json.load(open(sys.argv[3]))
assert isinstance(ours, list) and len(ours) == len(results)
for result, mine in zip(results, ours):
    image = images[result['image_id']]
    rle = mask_utils.merge(mask_utils.frPyObjects(result['segmentation'], image['height'], image['width']))
    assert mine['segmentation'] == {'size': list(rle['size']), 'counts': rle['counts'].decode()}, result
    assert mine['area'] == float(mask_utils.area(rle))
    assert mine['bbox'] == [float(v) for v in mask_utils.toBbox(rle)]
    assert mine['score'] == result['score'] and mine['image_id'] == result['image_id']
print(len(ours))
"#;
    let checked: usize = cocoprep_test::run_python(script, &[&ground_truth, &input, &output])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(checked, results.len());
}

#[test]
fn short_rle_counts_are_reported_not_decoded_as_garbage() {
    let folder = cocoprep_test::temp_dir();
    let input = folder.path().join("short.json");
    std::fs::write(
        &input,
        r#"{"images": [{"id": 1, "width": 2, "height": 2, "file_name": "a.jpg"}],
            "annotations": [{"id": 9, "image_id": 1, "category_id": 1, "iscrowd": 1,
                             "segmentation": {"size": [2, 2], "counts": [0, 2]}}],
            "categories": [{"id": 1, "name": "a"}]}"#,
    )
    .unwrap();
    let output = cocoprep([
        "masks",
        "rle",
        text(&input),
        "-o",
        text(&folder.path().join("out.json")),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("annotations[0] (id 9)"), "{stderr}");
    assert!(
        stderr.contains("sum to 2 but a 2×2 mask has 4 pixels"),
        "{stderr}"
    );
    assert!(stderr.contains("uninitialised"), "{stderr}");
}

fn panoptic_sample() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let data = cocoprep_test::shared_data()?;
    let root = data.join("panoptic-examples");
    Some((
        root.join("sample_data/panoptic_examples.json"),
        root.join("sample_data/panoptic_examples"),
        root.join("panoptic_coco_categories.json"),
    ))
}

#[test]
fn panoptic_to_detection_equals_panopticapi_output() {
    let Some((input, pngs, categories)) = panoptic_sample() else {
        eprintln!("skipping: ../shared is absent");
        return;
    };
    let folder = cocoprep_test::temp_dir();
    let ours = folder.path().join("detection.json");
    succeed(&[
        "masks",
        "panoptic",
        text(&input),
        "--png-dir",
        text(&pngs),
        "--categories",
        text(&categories),
        "--detection-json",
        text(&ours),
        "--first-id",
        "0",
    ]);
    // `panoptic_coco_detection_format.json` is panopticapi's own output on this sample.
    let reference = input.with_file_name("panoptic_coco_detection_format.json");
    let read =
        |path: &Path| -> Value { serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap() };
    assert_eq!(read(&ours), read(&reference));

    // By default ids start at 1 (id 0 is pycocotools' "no match" sentinel).
    succeed(&[
        "masks",
        "panoptic",
        text(&input),
        "--png-dir",
        text(&pngs),
        "--detection-json",
        text(&ours),
    ]);
    let ids: Vec<u64> = read(&ours)["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.len(), 50);
}

#[test]
fn panoptic_to_semantic_equals_panopticapi_algorithm() {
    let Some((input, pngs, categories)) = panoptic_sample() else {
        eprintln!("skipping: ../shared is absent");
        return;
    };
    for (things, things_only) in [("keep", false), ("other", true)] {
        let folder = cocoprep_test::temp_dir();
        let (ours_png, ours_json, ours_detection) = (
            folder.path().join("ours"),
            folder.path().join("semantic.json"),
            folder.path().join("detection.json"),
        );
        let mut args = vec![
            "masks",
            "panoptic",
            text(&input),
            "--png-dir",
            text(&pngs),
            "--categories",
            text(&categories),
            "-o",
            text(&ours_png),
            "--semantic-json",
            text(&ours_json),
            "--detection-json",
            text(&ours_detection),
            "--things",
            things,
            "--first-id",
            "0",
        ];
        if things_only {
            args.push("--things-only");
        }
        succeed(&args);
        let reference_png = folder.path().join("reference");
        std::fs::create_dir_all(&reference_png).unwrap();
        let script = python_with_references(
            r#"
from panopticapi_converters import panoptic2semantic, panoptic2detection
d_coco = json.load(open(sys.argv[1]))
categories = {c['id']: c for c in json.load(open(sys.argv[3]))}
things = sys.argv[6] == 'other'
annotations, cats = panoptic2semantic(d_coco, sys.argv[2], categories, things, sys.argv[4])
ours = json.load(open(sys.argv[5]))
assert ours['annotations'] == annotations, (ours['annotations'][:2], annotations[:2])
assert [c['id'] for c in ours['categories']] == [c['id'] for c in cats]
detection = panoptic2detection(d_coco, sys.argv[2], categories, sys.argv[8] == 'only')
assert json.load(open(sys.argv[7])) == detection
print(len(annotations), len(detection['annotations']))
"#,
        );
        let only = PathBuf::from(if things_only { "only" } else { "all" });
        let printed = cocoprep_test::run_python(
            &script,
            &[
                &input,
                &pngs,
                &categories,
                &reference_png,
                &ours_json,
                Path::new(things),
                &ours_detection,
                &only,
            ],
        );
        eprintln!("panoptic ({things}, things only {things_only}): {printed}");
        assert_eq!(assert_same_label_maps(&reference_png, &ours_png), 2);
    }
}
