//! RLE masks become the same polygons Ultralytics gets from OpenCV: our decoder and
//! border follower against pycocotools' `decode` and `cv2.findContours(RETR_EXTERNAL,
//! CHAIN_APPROX_SIMPLE)`, on random masks and on the real RLE masks of coco-mini.

use cocoprep_coco::mask::RunLengthMask;
use cocoprep_coco::{Dataset, Segmentation};
use cocoprep_convert::outline::outer_contours;

const RANDOM_MASKS: &str = r#"
import json, sys
import cv2, numpy as np
rng = np.random.default_rng(12345)
cases = []
for index in range(300):
    h, w = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    kind = index % 3
    if kind == 0:
        mask = (rng.random((h, w)) < rng.random()).astype(np.uint8)
    elif kind == 1:
        # blobs: thresholded smooth noise, with holes and pieces inside holes
        small = rng.random((max(h // 4, 1), max(w // 4, 1)))
        mask = (cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR) > 0.5).astype(np.uint8)
    else:
        mask = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(1, 5))):
            y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
            y1, x1 = int(rng.integers(y0, h + 1)), int(rng.integers(x0, w + 1))
            mask[y0:y1, x0:x1] = 1 - mask[y0:y1, x0:x1]
    contours = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    cases.append({"height": h, "width": w, "mask": "".join(map(str, mask.ravel().tolist())),
                  "contours": [c.reshape(-1, 2).tolist() for c in contours]})
json.dump(cases, sys.stdout)
"#;

#[test]
fn outer_contours_equal_opencv_on_random_masks() {
    let output = cocoprep_test::run_python(RANDOM_MASKS, &[]);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&output).unwrap();
    assert_eq!(cases.len(), 300);
    for (index, case) in cases.iter().enumerate() {
        let height = case["height"].as_u64().unwrap() as usize;
        let width = case["width"].as_u64().unwrap() as usize;
        let mask: Vec<u8> = case["mask"]
            .as_str()
            .unwrap()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let expected: Vec<Vec<[i32; 2]>> =
            serde_json::from_value(case["contours"].clone()).unwrap();
        assert_eq!(
            outer_contours(&mask, width, height),
            expected,
            "case {index} ({height}x{width}): {}",
            case["mask"]
        );
    }
}

const REAL_MASKS: &str = r#"
import json, sys
import cv2, numpy as np
from pycocotools import mask as mask_utils
data = json.load(open(sys.argv[1]))
out = []
for annotation in data["annotations"]:
    segmentation = annotation["segmentation"]
    if not isinstance(segmentation, dict):
        continue
    h, w = segmentation["size"]
    rle = mask_utils.frPyObjects(segmentation, h, w) if isinstance(segmentation["counts"], list) else segmentation
    mask = mask_utils.decode(rle)
    contours = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    out.append({"id": annotation["id"], "area": int(mask.sum()),
                "contours": [c.reshape(-1, 2).tolist() for c in contours]})
json.dump(out, sys.stdout)
"#;

#[test]
fn real_rle_masks_trace_like_opencv() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let mut checked = 0;
    for name in ["instances_train2017.json", "instances_val2017.json"] {
        let path = data.join("coco-mini/annotations").join(name);
        let expected: Vec<serde_json::Value> =
            serde_json::from_str(&cocoprep_test::run_python(REAL_MASKS, &[&path])).unwrap();
        let dataset = Dataset::read(&path).unwrap();
        for case in expected {
            let id = case["id"].as_u64().unwrap();
            let annotation = dataset
                .annotations
                .iter()
                .find(|a| a.id.map(|i| i.0) == Some(id))
                .unwrap();
            let Some(Segmentation::Rle(rle)) = &annotation.segmentation else {
                panic!("annotation {id} is not RLE");
            };
            let mask = RunLengthMask::from_rle(rle).unwrap().decode_row_major();
            let area: u64 = mask.iter().map(|&v| u64::from(v)).sum();
            assert_eq!(
                area,
                case["area"].as_u64().unwrap(),
                "annotation {id}: decoded area"
            );
            let contours: Vec<Vec<[i32; 2]>> =
                serde_json::from_value(case["contours"].clone()).unwrap();
            assert_eq!(
                outer_contours(&mask, rle.width as usize, rle.height as usize),
                contours,
                "annotation {id}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 13, "coco-mini has 13 RLE annotations");
}
