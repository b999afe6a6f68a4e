//! Generated detection results over real ground truth: jittered and missed objects,
//! false positives on every image (including images without ground truth), detections
//! inside crowd regions, duplicates, tied scores, and one image with more detections than
//! `maxDets` allows.

use cocoprep_coco::BBoxXywh;
use cocoprep_coco::mask::{from_bbox, from_polygons};
use cocoprep_test::SplitMix64;
use serde_json::{Value, json};

/// Scores on a coarse grid, so that many tie.
fn tied_score(random: &mut SplitMix64) -> f64 {
    (random.below(21) as f64) / 20.0
}

fn jitter(random: &mut SplitMix64, value: f64, scale: f64) -> f64 {
    let shifted = value + (random.unit() - 0.5) * scale;
    (shifted * 100.0).round() / 100.0
}

fn image_sizes(gt: &Value) -> Vec<(u64, f64, f64)> {
    gt["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| {
            (
                image["id"].as_u64().unwrap(),
                image["width"].as_f64().unwrap(),
                image["height"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The ground truth with the annotations of every 7th image removed (images without
/// ground truth that still get detections).
pub fn with_empty_images(gt: &Value) -> Value {
    let mut gt = gt.clone();
    let emptied: Vec<u64> = image_sizes(&gt)
        .iter()
        .step_by(7)
        .map(|(id, _, _)| *id)
        .collect();
    gt["annotations"]
        .as_array_mut()
        .unwrap()
        .retain(|annotation| !emptied.contains(&annotation["image_id"].as_u64().unwrap()));
    gt
}

/// Box results, and the same detections as mask results (`segm`), over instances GT.
pub fn instances(gt: &Value, seed: u64) -> (Value, Value) {
    let mut random = SplitMix64::new(seed);
    let sizes = image_sizes(gt);
    let size_of = |image_id: u64| *sizes.iter().find(|size| size.0 == image_id).unwrap();
    let categories: Vec<u64> = gt["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["id"].as_u64().unwrap())
        .collect();
    let mut boxes = Vec::new();
    let mut masks = Vec::new();
    let mut push = |image_id: u64, category_id: u64, bbox: [f64; 4], mask: Value, score: f64| {
        boxes.push(
            json!({"image_id": image_id, "category_id": category_id, "bbox": bbox, "score": score}),
        );
        masks.push(json!({"image_id": image_id, "category_id": category_id, "segmentation": mask, "score": score}));
    };
    let rle = |bbox: [f64; 4], width: f64, height: f64| {
        let mask = from_bbox(BBoxXywh::from_array(bbox), height as u32, width as u32).unwrap();
        json!({"size": [height as u32, width as u32], "counts": mask.to_compressed()})
    };
    for annotation in gt["annotations"].as_array().unwrap() {
        let image_id = annotation["image_id"].as_u64().unwrap();
        let (_, width, height) = size_of(image_id);
        let category_id = annotation["category_id"].as_u64().unwrap();
        let bbox: Vec<f64> = annotation["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        if annotation["iscrowd"].as_u64() == Some(1) {
            // Detections inside a crowd region: ignored, not false positives.
            for _ in 0..3 {
                let (w, h) = (bbox[2] * 0.3, bbox[3] * 0.3);
                let x = bbox[0] + random.unit() * (bbox[2] - w);
                let y = bbox[1] + random.unit() * (bbox[3] - h);
                let b = [x, y, w, h].map(|v| (v * 100.0).round() / 100.0);
                push(
                    image_id,
                    category_id,
                    b,
                    rle(b, width, height),
                    tied_score(&mut random),
                );
            }
            continue;
        }
        if random.unit() < 0.15 {
            continue; // missed
        }
        let category = if random.unit() < 0.9 {
            category_id
        } else {
            categories[random.below(categories.len() as u64) as usize]
        };
        let scale = 0.25 * bbox[2].min(bbox[3]).max(1.0);
        let (dx, dy) = ((random.unit() - 0.5) * scale, (random.unit() - 0.5) * scale);
        let b = [
            jitter(&mut random, bbox[0] + dx, 1.0),
            jitter(&mut random, bbox[1] + dy, 1.0),
            jitter(&mut random, bbox[2], scale).max(0.5),
            jitter(&mut random, bbox[3], scale).max(0.5),
        ];
        // The mask: the object's own polygons, shifted like the box.
        let mask = match annotation["segmentation"].as_array() {
            Some(parts) => {
                let shifted: Vec<Vec<f64>> = parts
                    .iter()
                    .map(|part| {
                        part.as_array()
                            .unwrap()
                            .iter()
                            .enumerate()
                            .map(|(i, v)| v.as_f64().unwrap() + if i % 2 == 0 { dx } else { dy })
                            .collect()
                    })
                    .collect();
                let mask = from_polygons(&shifted, height as u32, width as u32).unwrap();
                json!({"size": [height as u32, width as u32], "counts": mask.to_compressed()})
            }
            None => rle(b, width, height),
        };
        let score = tied_score(&mut random);
        push(image_id, category, b, mask.clone(), score);
        if random.unit() < 0.1 {
            push(image_id, category, b, mask, score); // an exact duplicate
        }
    }
    for (index, &(image_id, width, height)) in sizes.iter().enumerate() {
        // False positives everywhere; on the first image, more than maxDets of one category.
        let count = if index == 0 { 130 } else { random.below(4) };
        for _ in 0..count {
            let (w, h) = (
                1.0 + random.unit() * width / 3.0,
                1.0 + random.unit() * height / 3.0,
            );
            let b = [
                random.unit() * (width - w),
                random.unit() * (height - h),
                w,
                h,
            ]
            .map(|v| (v * 100.0).round() / 100.0);
            let category = if index == 0 {
                categories[0]
            } else {
                categories[random.below(categories.len() as u64) as usize]
            };
            push(
                image_id,
                category,
                b,
                rle(b, width, height),
                tied_score(&mut random),
            );
        }
    }
    (Value::Array(boxes), Value::Array(masks))
}

/// Keypoint results over person keypoints GT: jittered people (some keypoints dropped to
/// `(0, 0, 0)`), missed people, and random people on every image.
pub fn keypoints(gt: &Value, seed: u64) -> Value {
    let mut random = SplitMix64::new(seed);
    let sizes = image_sizes(gt);
    let mut results = Vec::new();
    for annotation in gt["annotations"].as_array().unwrap() {
        if annotation["num_keypoints"].as_u64() == Some(0) || random.unit() < 0.1 {
            continue;
        }
        let area = annotation["area"].as_f64().unwrap();
        let scale = area.sqrt() * 0.15;
        let truth: Vec<f64> = annotation["keypoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let mut keypoints = Vec::new();
        for k in 0..17 {
            if random.unit() < 0.1 {
                keypoints.extend([0.0, 0.0, 0.0]);
            } else {
                keypoints.push(jitter(&mut random, truth[3 * k], scale));
                keypoints.push(jitter(&mut random, truth[3 * k + 1], scale));
                keypoints.push(1.0);
            }
        }
        results.push(json!({"image_id": annotation["image_id"], "category_id": 1,
            "keypoints": keypoints, "score": tied_score(&mut random)}));
    }
    for &(image_id, width, height) in &sizes {
        for _ in 0..random.below(3) {
            let (x, y) = (random.unit() * width, random.unit() * height);
            let keypoints: Vec<f64> = (0..17)
                .flat_map(|_| {
                    [
                        (x + random.unit() * 60.0).round(),
                        (y + random.unit() * 120.0).round(),
                        2.0,
                    ]
                })
                .collect();
            results.push(json!({"image_id": image_id, "category_id": 1,
                "keypoints": keypoints, "score": tied_score(&mut random)}));
        }
    }
    Value::Array(results)
}
