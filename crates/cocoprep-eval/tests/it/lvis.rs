//! LVIS federated evaluation equals the official LVIS API's (`lvis` 0.5.3, `LVISEval`) bit
//! for bit: its 13 results, its printed lines and the full `precision` / `recall` arrays,
//! on an LVIS-style ground truth made from the coco-mini instances.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::mask::from_bbox;
use cocoprep_coco::{BBoxXywh, ReadOptions, read_dataset};
use cocoprep_eval::detection::{IouType, Params, evaluate};
use cocoprep_formats::npy::NpyArray;
use cocoprep_test::{SplitMix64, run_python, shared_data, temp_dir};
use serde_json::{Value, json};

use crate::results;

const LVIS_EVAL: &str = include_str!("lvis_eval.py");

fn write_json(path: &Path, value: &Value) -> PathBuf {
    std::fs::write(path, serde_json::to_vec(value).unwrap()).unwrap();
    path.to_owned()
}

/// coco-mini's instances made LVIS-like: no crowd regions, every 7th image without
/// objects, `frequency` on the categories, `neg_category_ids` and
/// `not_exhaustive_category_ids` on the images, one object of area 0 (LVIS skips it) and
/// one with `ignore: 1` (LVIS honours it).
fn lvis_ground_truth(instances: &Value, random: &mut SplitMix64) -> Value {
    let mut gt = results::with_empty_images(instances);
    let annotations = gt["annotations"].as_array_mut().unwrap();
    annotations.retain(|annotation| annotation["iscrowd"].as_u64() != Some(1));
    annotations[3]["area"] = json!(0.0);
    annotations[10]["ignore"] = json!(1);
    let category_ids: Vec<u64> = gt["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["id"].as_u64().unwrap())
        .collect();
    for (index, category) in gt["categories"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        category["frequency"] = json!(["r", "c", "f"][index % 3]);
    }
    let present = |gt: &Value, image_id: u64| -> BTreeSet<u64> {
        gt["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|annotation| annotation["image_id"].as_u64() == Some(image_id))
            .map(|annotation| annotation["category_id"].as_u64().unwrap())
            .collect()
    };
    let snapshot = gt.clone();
    for image in gt["images"].as_array_mut().unwrap() {
        let on_image = present(&snapshot, image["id"].as_u64().unwrap());
        let absent: Vec<u64> = category_ids
            .iter()
            .copied()
            .filter(|id| !on_image.contains(id))
            .collect();
        let negative: BTreeSet<u64> = (0..6)
            .map(|_| absent[random.below(absent.len() as u64) as usize])
            .collect();
        let mut not_exhaustive = Vec::new();
        if random.unit() < 0.4
            && let Some(&first) = on_image.iter().next()
        {
            not_exhaustive.push(first);
        }
        image["neg_category_ids"] = json!(negative.into_iter().collect::<Vec<_>>());
        image["not_exhaustive_category_ids"] = json!(not_exhaustive);
    }
    gt
}

/// More than LVIS' 300 detections on one image, of its own, negative and unknown
/// categories, with tied scores; and a zero-area detection (LVIS skips it).
fn crowded_image(gt: &Value, boxes: &mut Value, masks: &mut Value, random: &mut SplitMix64) {
    let image = &gt["images"][1];
    let image_id = image["id"].as_u64().unwrap();
    let (width, height) = (
        image["width"].as_f64().unwrap(),
        image["height"].as_f64().unwrap(),
    );
    let mut categories: Vec<u64> = gt["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|annotation| annotation["image_id"].as_u64() == Some(image_id))
        .map(|annotation| annotation["category_id"].as_u64().unwrap())
        .collect();
    categories.extend(
        image["neg_category_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap()),
    );
    categories.push(gt["categories"][0]["id"].as_u64().unwrap());
    for index in 0..340 {
        let (w, h) = if index == 7 {
            (0.0, 12.0)
        } else {
            (
                2.0 + random.unit() * width / 3.0,
                2.0 + random.unit() * height / 3.0,
            )
        };
        let bbox = [
            random.unit() * (width - w),
            random.unit() * (height - h),
            w,
            h,
        ]
        .map(|v| (v * 100.0).round() / 100.0);
        let category_id = categories[random.below(categories.len() as u64) as usize];
        let score = random.below(21) as f64 / 20.0;
        let mask = from_bbox(BBoxXywh::from_array(bbox), height as u32, width as u32).unwrap();
        let rle = json!({"size": [height as u32, width as u32], "counts": mask.to_compressed()});
        boxes.as_array_mut().unwrap().push(
            json!({"image_id": image_id, "category_id": category_id, "bbox": bbox, "score": score}),
        );
        masks.as_array_mut().unwrap().push(
            json!({"image_id": image_id, "category_id": category_id, "segmentation": rle, "score": score}),
        );
    }
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
        "{case}: {what} differs at {} of {} entries, first at {}: ours {} lvis {}",
        differing.len(),
        ours.len(),
        differing[0],
        ours[differing[0]],
        theirs[differing[0]]
    );
}

#[test]
fn lvis_federated_evaluation_equals_lvis_api_bit_for_bit() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let out = temp_dir();
    let instances: Value = serde_json::from_slice(
        &std::fs::read(data.join("coco-mini/annotations/instances_val2017.json")).unwrap(),
    )
    .unwrap();
    let mut random = SplitMix64::new(29);
    let gt = lvis_ground_truth(&instances, &mut random);
    let (mut boxes, mut masks) = results::instances(&gt, 31);
    crowded_image(&gt, &mut boxes, &mut masks, &mut random);
    let gt_path = write_json(&out.path().join("gt.json"), &gt);
    let cases = [
        (
            "lvis-bbox",
            IouType::Bbox,
            write_json(&out.path().join("boxes.json"), &boxes),
        ),
        (
            "lvis-segm",
            IouType::Segm,
            write_json(&out.path().join("masks.json"), &masks),
        ),
    ];
    let list: Vec<Value> = cases
        .iter()
        .map(|(name, iou_type, results)| {
            json!({"gt": gt_path, "results": results, "iou_type": iou_type.name(),
                   "out": out.path().join(name)})
        })
        .collect();
    let cases_file = write_json(&out.path().join("cases.json"), &Value::Array(list));
    run_python(LVIS_EVAL, &[&cases_file]);

    let options = ReadOptions::default();
    let ground_truth = read_dataset(&gt_path, &options, &NoReporter).unwrap();
    for (name, iou_type, results) in &cases {
        let folder = out.path().join(name);
        let detections = read_dataset(results, &options, &NoReporter).unwrap();
        // Detected from the ground truth's LVIS members (Federated::Detect).
        let ours = evaluate(
            &ground_truth,
            &detections.annotations,
            &Params::new(*iou_type),
            None,
        )
        .unwrap();
        assert!(ours.params.is_lvis(), "{name}: LVIS ground truth detected");
        let [t, r, k, a, m] = ours.precision_shape();
        assert_eq!(m, 1, "{name}: LVIS has one max detections");
        let (shape, precision) = read_npy(&folder.join("precision.npy"));
        assert_eq!(shape, [t, r, k, a], "{name}: precision shape");
        assert_bits_equal(name, "precision", &ours.precision, &precision);
        let (shape, recall) = read_npy(&folder.join("recall.npy"));
        assert_eq!(shape, [t, k, a], "{name}: recall shape");
        assert_bits_equal(name, "recall", &ours.recall, &recall);

        let theirs: Vec<(String, String)> =
            serde_json::from_slice(&std::fs::read(folder.join("results.json")).unwrap()).unwrap();
        let lines = ours.summarize();
        let names: Vec<&str> = lines
            .iter()
            .map(|line| line.name.as_deref().unwrap())
            .collect();
        let their_names: Vec<&str> = theirs.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, their_names, "{name}: result names");
        let their_values: Vec<f64> = theirs
            .iter()
            .map(|(_, value)| value.parse().unwrap())
            .collect();
        let our_values: Vec<f64> = lines.iter().map(|line| line.value).collect();
        assert_bits_equal(name, "results", &our_values, &their_values);
        assert!(
            our_values.iter().all(|&value| value > 0.0),
            "{name}: {our_values:?}"
        );
        let printed = std::fs::read_to_string(folder.join("summary.txt")).unwrap();
        let ours_printed: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed.lines().collect::<Vec<_>>(),
            ours_printed,
            "{name}: printed lines"
        );
    }
}
