//! Parity of `cocoprep_coco::mask` with PyPI pycocotools 2.0.11, byte for byte: RLE strings,
//! decoded masks (CRC-32 of the column-major bytes), areas, boxes and IoU matrices.
//!
//! Covers every annotation of the shared COCO data (coco-mini instances and keypoints, the
//! cocoapi evaluation ground truth and its segmentation results, the COCO-Stuff examples)
//! plus more than 10,000 generated polygons and masks: random, negative, out-of-image,
//! fractional, degenerate and very thin shapes. The generated half runs on a fresh clone;
//! the shared-data half is skipped with a message when `../shared` is absent.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::mask::{
    MergeOperation, RunLengthMask, bbox_iou, from_bbox, from_polygons, iou, merge,
    segmentation_to_mask,
};
use cocoprep_coco::{BBoxXywh, Dataset, ImageId, ReadOptions, read_dataset};
use serde_json::{Value, json};

/// Random cases from a fixed seed ([`cocoprep_test::SplitMix64`]), so they are the same on
/// every run.
struct Random(cocoprep_test::SplitMix64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0.below(bound)
    }
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }
    /// A coordinate in `[low, high]` with 0 to 3 decimals, sometimes a raw double.
    fn coordinate(&mut self, low: f64, high: f64) -> f64 {
        let value = low + (high - low) * self.unit();
        match self.below(5) {
            0 => value.round(),
            1 => (value * 10.0).round() / 10.0,
            2 => (value * 100.0).round() / 100.0,
            3 => (value * 1000.0).round() / 1000.0,
            _ => value,
        }
    }
}

/// Detection boxes, ground-truth boxes, crowd flags.
type BoxIouCase = (Vec<[f64; 4]>, Vec<[f64; 4]>, Vec<bool>);

struct Described {
    size: (u32, u32),
    counts: String,
    area: u64,
    bbox: [f64; 4],
    crc32: u32,
}

fn describe(mask: &RunLengthMask) -> Described {
    Described {
        size: mask.size(),
        counts: mask.to_compressed(),
        area: mask.area(),
        bbox: mask.bbox().to_array(),
        crc32: crc32fast::hash(&mask.decode_column_major()),
    }
}

/// Compares our description with pycocotools'; returns a message on mismatch.
fn compare(what: &str, ours: &Described, reference: &Value) -> Result<(), String> {
    let size = (
        reference["size"][0].as_u64().unwrap() as u32,
        reference["size"][1].as_u64().unwrap() as u32,
    );
    let bbox: Vec<f64> = reference["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let same = ours.size == size
        && ours.counts == reference["counts"].as_str().unwrap()
        && ours.area == reference["area"].as_u64().unwrap()
        && ours.bbox.as_slice() == bbox.as_slice()
        && ours.crc32 as u64 == reference["crc32"].as_u64().unwrap();
    if same {
        Ok(())
    } else {
        Err(format!(
            "{what}: ours size {:?} counts {:?} area {} bbox {:?} crc {}; pycocotools {reference}",
            ours.size, ours.counts, ours.area, ours.bbox, ours.crc32
        ))
    }
}

fn compare_floats(what: &str, ours: &[f64], reference: &Value) -> Result<(), String> {
    let theirs: Vec<f64> = reference
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let same = ours.len() == theirs.len()
        && ours
            .iter()
            .zip(&theirs)
            .all(|(a, b)| a.to_bits() == b.to_bits() || (*a == 0.0 && *b == 0.0));
    if same {
        Ok(())
    } else {
        Err(format!("{what}: ours {ours:?}, pycocotools {theirs:?}"))
    }
}

/// A polygon object: 1 to 4 parts of various kinds.
fn generate_polygon(random: &mut Random) -> (u32, u32, Vec<Vec<f64>>) {
    let (height, width) = if random.below(10) == 0 {
        (random.range(200, 640) as u32, random.range(200, 640) as u32)
    } else {
        (random.range(1, 80) as u32, random.range(1, 80) as u32)
    };
    let (h, w) = (height as f64, width as f64);
    let part_count = [1, 1, 1, 2, 2, 3, 4][random.below(7) as usize];
    let mut parts = Vec::new();
    for part in 0..part_count {
        let kind = random.below(9);
        let points = random.range(3, 14) as usize;
        let mut coordinates = Vec::new();
        match kind {
            // Inside the image.
            0 | 1 => {
                for _ in 0..points {
                    coordinates.push(random.coordinate(0.0, w));
                    coordinates.push(random.coordinate(0.0, h));
                }
            }
            // Negative and beyond the image.
            2 | 3 => {
                for _ in 0..points {
                    coordinates.push(random.coordinate(-w, 2.0 * w));
                    coordinates.push(random.coordinate(-h, 2.0 * h));
                }
            }
            // Very thin: a sliver along a random direction, under a pixel wide.
            4 => {
                let (x0, y0) = (
                    random.coordinate(-2.0, w + 2.0),
                    random.coordinate(-2.0, h + 2.0),
                );
                let (x1, y1) = (
                    random.coordinate(-2.0, w + 2.0),
                    random.coordinate(-2.0, h + 2.0),
                );
                let thickness = random.coordinate(0.01, 0.9);
                let horizontal = random.below(2) == 0;
                let (dx, dy) = if horizontal {
                    (0.0, thickness)
                } else {
                    (thickness, 0.0)
                };
                coordinates.extend([x0, y0, x1, y1, x1 + dx, y1 + dy, x0 + dx, y0 + dy]);
            }
            // Axis-aligned thin rectangles (one row or column, fractional edges).
            5 => {
                let x = random.coordinate(-1.0, w);
                let y = random.coordinate(-1.0, h);
                let (rw, rh) = if random.below(2) == 0 {
                    (random.coordinate(0.0, w), random.coordinate(0.0, 1.2))
                } else {
                    (random.coordinate(0.0, 1.2), random.coordinate(0.0, h))
                };
                coordinates.extend([x, y, x + rw, y, x + rw, y + rh, x, y + rh]);
            }
            // Degenerate: collinear, repeated vertices, a single repeated point.
            6 => {
                let (x0, y0) = (random.coordinate(0.0, w), random.coordinate(0.0, h));
                let (x1, y1) = (random.coordinate(0.0, w), random.coordinate(0.0, h));
                match random.below(3) {
                    0 => {
                        for step in 0..points {
                            let t = step as f64 / points as f64;
                            coordinates.push(x0 + (x1 - x0) * t);
                            coordinates.push(y0 + (y1 - y0) * t);
                        }
                    }
                    1 => coordinates.extend([x0, y0, x0, y0, x1, y1, x1, y1, x0, y1, x0, y1]),
                    _ => coordinates.extend([x0, y0, x0, y0, x0, y0]),
                }
            }
            // Self-intersecting stars, integer and half-pixel coordinates.
            7 => {
                for _ in 0..points {
                    coordinates.push(random.range(-2, width as i64 + 2) as f64 / 2.0 * 2.0);
                    coordinates.push(random.range(-2, 2 * height as i64 + 2) as f64 / 2.0);
                }
            }
            // Later parts only: two points (4 numbers) or an odd count, which pycocotools
            // rasterises as degenerate (it crashes if the first part is like this).
            _ if part > 0 && random.below(2) == 0 => {
                coordinates.extend([
                    random.coordinate(0.0, w),
                    random.coordinate(0.0, h),
                    random.coordinate(0.0, w),
                    random.coordinate(0.0, h),
                ]);
            }
            _ => {
                for _ in 0..points {
                    coordinates.push(random.coordinate(-0.5, w + 0.5));
                    coordinates.push(random.coordinate(-0.5, h + 0.5));
                }
                coordinates.push(random.coordinate(0.0, w)); // odd: the last is ignored
            }
        }
        parts.push(coordinates);
    }
    (height, width, parts)
}

/// A binary mask in column-major order: noise, blobs, stripes, empty, full, single pixels.
fn generate_mask(random: &mut Random) -> (u32, u32, Vec<u8>) {
    let height = random.range(1, 40) as u32;
    let width = random.range(1, 40) as u32;
    let pixels = (height * width) as usize;
    let mut mask = vec![0u8; pixels];
    match random.below(6) {
        0 => {
            let density = random.unit();
            for value in &mut mask {
                *value = (random.unit() < density) as u8;
            }
        }
        1 => {
            for _ in 0..random.range(1, 4) {
                let (cx, cy) = (
                    random.range(0, width as i64),
                    random.range(0, height as i64),
                );
                let radius = random.range(0, 12);
                for x in 0..width as i64 {
                    for y in 0..height as i64 {
                        if (x - cx).pow(2) + (y - cy).pow(2) <= radius * radius {
                            mask[(x * height as i64 + y) as usize] = 1;
                        }
                    }
                }
            }
        }
        2 => {
            let column = random.below(width as u64) as usize;
            mask[column * height as usize..(column + 1) * height as usize].fill(1);
        }
        3 => {}
        4 => mask.fill(1),
        _ => {
            for _ in 0..random.range(1, 3) {
                mask[random.below(pixels as u64) as usize] = 1;
            }
        }
    }
    (height, width, mask)
}

fn generate_box(random: &mut Random) -> (u32, u32, [f64; 4]) {
    let height = random.range(1, 60) as u32;
    let width = random.range(1, 60) as u32;
    let (h, w) = (height as f64, width as f64);
    let bbox = [
        random.coordinate(-w / 2.0, w),
        random.coordinate(-h / 2.0, h),
        random.coordinate(-2.0, w),
        random.coordinate(-2.0, h),
    ];
    (height, width, bbox)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

struct FileCase {
    dataset: Dataset,
    /// `(height, width)` by image id, for polygons.
    sizes: std::collections::HashMap<ImageId, (u32, u32)>,
    file: PathBuf,
    results: Option<PathBuf>,
}

fn file_cases() -> Vec<FileCase> {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipping the shared-data part of the mask parity test: ../shared is absent");
        return Vec::new();
    };
    let mut cases = Vec::new();
    let pairs: Vec<(PathBuf, Option<PathBuf>)> = vec![
        (
            data.join("coco-mini/annotations/instances_train2017.json"),
            None,
        ),
        (
            data.join("coco-mini/annotations/instances_val2017.json"),
            None,
        ),
        (
            data.join("coco-mini/annotations/person_keypoints_train2017.json"),
            None,
        ),
        (
            data.join("coco-mini/annotations/person_keypoints_val2017.json"),
            None,
        ),
        (data.join("cocoapi-eval/instances_val2014_100.json"), None),
        (
            data.join("cocoapi-eval/instances_val2014_100.json"),
            Some(data.join("cocoapi-eval/instances_val2014_fakesegm100_results.json")),
        ),
        (
            data.join("cocostuff-examples/annotations/stuff_examples.json"),
            None,
        ),
    ];
    for (file, results) in pairs {
        let ground_truth = read_dataset(&file, &ReadOptions::default(), &NoReporter).unwrap();
        let sizes = ground_truth
            .images
            .iter()
            .filter_map(|image| Some((image.id, (image.height?, image.width?))))
            .collect();
        let dataset = match &results {
            Some(path) => read_dataset(path, &ReadOptions::default(), &NoReporter).unwrap(),
            None => ground_truth,
        };
        cases.push(FileCase {
            dataset,
            sizes,
            file,
            results,
        });
    }
    cases
}

#[test]
fn masks_match_pycocotools_byte_for_byte() {
    let mut random = Random(cocoprep_test::SplitMix64::new(20_260_917));
    let polygons: Vec<_> = (0..11_000).map(|_| generate_polygon(&mut random)).collect();
    let boxes: Vec<_> = (0..1_500).map(|_| generate_box(&mut random)).collect();
    let masks: Vec<_> = (0..3_000).map(|_| generate_mask(&mut random)).collect();
    // Merges and IoUs among masks of one size: group the generated masks by size.
    let mut by_size: std::collections::BTreeMap<(u32, u32), Vec<usize>> = Default::default();
    for (index, (height, width, _)) in masks.iter().enumerate() {
        by_size.entry((*height, *width)).or_default().push(index);
    }
    let mut merges = Vec::new();
    let mut mask_ious = Vec::new();
    for group in by_size.values().filter(|group| group.len() >= 2) {
        for intersect in [false, true] {
            merges.push((group.clone(), intersect));
        }
        merges.push((group[..2].to_vec(), random.below(2) == 1));
        let split = group.len() / 2;
        let crowd: Vec<bool> = group[split..]
            .iter()
            .map(|_| random.below(3) == 0)
            .collect();
        mask_ious.push((group[..split].to_vec(), group[split..].to_vec(), crowd));
    }
    // IoU between masks of different sizes (-1 where the boxes overlap).
    let sizes: Vec<&Vec<usize>> = by_size.values().collect();
    for pair in sizes.windows(2).take(50) {
        mask_ious.push((pair[0].clone(), pair[1].clone(), vec![false; pair[1].len()]));
    }
    let bbox_ious: Vec<BoxIouCase> = (0..300)
        .map(|_| {
            let dt: Vec<[f64; 4]> = (0..random.range(1, 6))
                .map(|_| generate_box(&mut random).2)
                .collect();
            let gt: Vec<[f64; 4]> = (0..random.range(1, 6))
                .map(|_| generate_box(&mut random).2)
                .collect();
            let crowd = gt.iter().map(|_| random.below(3) == 0).collect();
            (dt, gt, crowd)
        })
        .collect();
    let files = file_cases();

    let folder = cocoprep_test::temp_dir();
    let cases_path = folder.path().join("cases.json");
    let cases = json!({
        "files": files.iter().map(|case| json!({"file": case.file, "results": case.results})).collect::<Vec<_>>(),
        "polygons": polygons.iter().map(|(height, width, parts)| json!({"height": height, "width": width, "parts": parts})).collect::<Vec<_>>(),
        "boxes": boxes.iter().map(|(height, width, bbox)| json!({"height": height, "width": width, "bbox": bbox})).collect::<Vec<_>>(),
        "masks": masks.iter().map(|(height, width, mask)| json!({"height": height, "width": width, "column_major": hex(mask)})).collect::<Vec<_>>(),
        "merges": merges.iter().map(|(masks, intersect)| json!({"masks": masks, "intersect": *intersect as u8})).collect::<Vec<_>>(),
        "mask_ious": mask_ious.iter().map(|(dt, gt, crowd)| json!({"dt": dt, "gt": gt, "iscrowd": crowd.iter().map(|c| *c as u8).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "bbox_ious": bbox_ious.iter().map(|(dt, gt, crowd)| json!({"dt": dt, "gt": gt, "iscrowd": crowd.iter().map(|c| *c as u8).collect::<Vec<_>>()})).collect::<Vec<_>>(),
    });
    fs_err::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = include_str!("../python/mask_parity.py");
    let output = cocoprep_test::run_python(script, &[Path::new(&cases_path)]);
    let reference: Value = serde_json::from_str(&output).unwrap();

    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut check = |result: Result<(), String>| {
        checked += 1;
        if let Err(message) = result {
            failures.push(message);
        }
    };

    for (index, (height, width, parts)) in polygons.iter().enumerate() {
        let ours = describe(&from_polygons(parts, *height, *width).unwrap());
        check(compare(
            &format!("polygon {index} {parts:?} in {height}×{width}"),
            &ours,
            &reference["polygons"][index],
        ));
    }
    for (index, (height, width, bbox)) in boxes.iter().enumerate() {
        let ours = describe(&from_bbox(BBoxXywh::from_array(*bbox), *height, *width).unwrap());
        check(compare(
            &format!("box {index} {bbox:?}"),
            &ours,
            &reference["boxes"][index],
        ));
    }
    let encoded: Vec<RunLengthMask> = masks
        .iter()
        .map(|(height, width, mask)| {
            RunLengthMask::encode_column_major(*height, *width, mask).unwrap()
        })
        .collect();
    for (index, mask) in encoded.iter().enumerate() {
        // Decoding our string must give back the original pixels.
        assert_eq!(
            mask.decode_column_major(),
            masks[index].2,
            "mask {index} round trip"
        );
        check(compare(
            &format!("mask {index}"),
            &describe(mask),
            &reference["masks"][index],
        ));
    }
    for (index, (members, intersect)) in merges.iter().enumerate() {
        let inputs: Vec<RunLengthMask> = members.iter().map(|&i| encoded[i].clone()).collect();
        let operation = if *intersect {
            MergeOperation::Intersection
        } else {
            MergeOperation::Union
        };
        let ours = describe(&merge(&inputs, operation).unwrap());
        check(compare(
            &format!("merge {index} of {members:?} ({operation:?})"),
            &ours,
            &reference["merges"][index],
        ));
    }
    for (index, (dt, gt, crowd)) in mask_ious.iter().enumerate() {
        let dt: Vec<RunLengthMask> = dt.iter().map(|&i| encoded[i].clone()).collect();
        let gt: Vec<RunLengthMask> = gt.iter().map(|&i| encoded[i].clone()).collect();
        check(compare_floats(
            &format!("mask iou {index}"),
            &iou(&dt, &gt, crowd),
            &reference["mask_ious"][index],
        ));
    }
    for (index, (dt, gt, crowd)) in bbox_ious.iter().enumerate() {
        let dt: Vec<BBoxXywh> = dt.iter().map(|b| BBoxXywh::from_array(*b)).collect();
        let gt: Vec<BBoxXywh> = gt.iter().map(|b| BBoxXywh::from_array(*b)).collect();
        check(compare_floats(
            &format!("bbox iou {index}"),
            &bbox_iou(&dt, &gt, crowd),
            &reference["bbox_ious"][index],
        ));
    }

    let mut annotations_checked = 0usize;
    for (file_index, case) in files.iter().enumerate() {
        let theirs = &reference["files"][file_index];
        let label = case
            .results
            .as_ref()
            .unwrap_or(&case.file)
            .display()
            .to_string();
        let mut ours_masks = std::collections::HashMap::new();
        for (index, annotation) in case.dataset.annotations.iter().enumerate() {
            let reference = &theirs["annotations"][index];
            let Some(segmentation) = &annotation.segmentation else {
                assert!(reference.is_null(), "{label}: annotation {index}");
                continue;
            };
            annotations_checked += 1;
            let size = case.sizes.get(&annotation.image_id).copied();
            let ours = segmentation_to_mask(segmentation, size, annotation.image_id);
            if let Some(error) = reference.get("error") {
                // pycocotools crashed; we must give a defined result (empty parts) instead.
                eprintln!(
                    "{label}: annotation {index}: pycocotools fails ({error}); ours: {:?}",
                    ours.as_ref().map(|m| m.area())
                );
                continue;
            }
            let ours = ours.unwrap();
            check(compare(
                &format!("{label}: annotation {index} (id {:?})", annotation.id),
                &describe(&ours),
                reference,
            ));
            ours_masks.insert(index, ours);
        }
        for (image_id, entry) in theirs["ious"].as_object().unwrap() {
            let indices: Vec<usize> = entry["indices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let group: Vec<RunLengthMask> = indices.iter().map(|i| ours_masks[i].clone()).collect();
            let crowd: Vec<bool> = indices
                .iter()
                .map(|&i| case.dataset.annotations[i].is_crowd())
                .collect();
            check(compare_floats(
                &format!("{label}: iou on image {image_id}"),
                &iou(&group, &group, &crowd),
                &entry["iou"],
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} of {checked} comparisons differ from pycocotools; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "mask parity: {checked} comparisons identical ({} generated polygon objects, {} boxes, {} masks, {} merges, {} annotations from {} shared files)",
        polygons.len(),
        boxes.len(),
        masks.len(),
        merges.len(),
        annotations_checked,
        files.len()
    );
    if files.is_empty() {
        eprintln!("(shared data absent: real annotations not checked)");
    } else {
        assert!(
            annotations_checked > 1000,
            "too few real annotations: {annotations_checked}"
        );
    }
}
