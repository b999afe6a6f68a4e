//! Resize parity with img2dataset on the real COCO images: for every mode, the output size
//! equals what img2dataset's resizer (albumentations `SmallestMaxSize`/`LongestMaxSize`,
//! `CenterCrop`, `PadIfNeeded`, rounding half to even) gives, and the pixels are within a
//! stated PSNR of OpenCV's `INTER_AREA` downscale (and `INTER_LANCZOS4` upscale) of the same
//! image decoded by OpenCV. Runs OpenCV through the test Python (opencv-python-headless);
//! skips when it or the shared data is missing.

use std::path::PathBuf;

use cocoprep_webdata::image::decode::decode;
use cocoprep_webdata::image::resize::{apply, plan};
use cocoprep_webdata::image::{ResizeMode, Resizer};

/// The lowest PSNR (dB) accepted between our resize and OpenCV's, per image and mode.
/// Measured on 12 coco-mini val2017 images: decode alone (mode `no`) 65.2 dB (zune-jpeg vs
/// libjpeg-turbo), exact-area downscale to 384 at least 48.6 dB, Lanczos-3 upscale to 1000
/// (OpenCV: Lanczos-4) at least 45.9 dB.
const MIN_PSNR_DB: f64 = 40.0;

const SCRIPT: &str = r#"
import sys, json, math
import numpy as np, cv2
cases = json.load(open(sys.argv[1]))
out = []
for case in cases:
    raw = np.fromfile(case["source"], np.uint8)
    img = cv2.imdecode(raw, cv2.IMREAD_COLOR)[:, :, ::-1]
    h, w = img.shape[:2]
    size, mode = case["size"], case["mode"]
    if mode == "no":
        res = img
    else:
        shorter = mode in ("keep_ratio", "center_crop")
        ref = min(w, h) if shorter else max(w, h)
        scale = size / float(ref)
        interp = cv2.INTER_AREA if ref > size else cv2.INTER_LANCZOS4
        if scale != 1.0:
            nh, nw = tuple(round(d * scale) for d in (h, w))
            res = cv2.resize(img, (nw, nh), interpolation=interp)
        else:
            res = img
        rh, rw = res.shape[:2]
        if mode == "center_crop":
            y1 = (rh - size) // 2; x1 = (rw - size) // 2
            res = res[y1:y1 + size, x1:x1 + size]
        if mode == "border":
            top = int((size - rh) / 2.0) if rh < size else 0
            left = int((size - rw) / 2.0) if rw < size else 0
            res = cv2.copyMakeBorder(res, top, max(size - rh, 0) - top, left, max(size - rw, 0) - left,
                                     cv2.BORDER_CONSTANT, value=[255, 255, 255])
    ours = np.fromfile(case["ours"], np.uint8)
    oh, ow = case["height"], case["width"]
    same = (res.shape[0], res.shape[1]) == (oh, ow)
    psnr = None
    if same:
        diff = res.astype(np.float64) - ours.reshape(oh, ow, 3).astype(np.float64)
        mse = float(np.mean(diff * diff))
        psnr = 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)
    out.append({"name": case["name"], "mode": mode, "size": size, "cv2": [res.shape[1], res.shape[0]], "ours": [ow, oh], "psnr": psnr})
print(json.dumps(out))
"#;

#[test]
fn resize_modes_match_img2dataset_sizes_and_opencv_area_pixels() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data not available");
        return;
    };
    let python = cocoprep_test::python();
    let probe = std::process::Command::new(&python)
        .args(["-c", "import cv2, numpy"])
        .output();
    if !probe.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: {} cannot import cv2 and numpy", python.display());
        return;
    }
    let folder = data.join("coco-mini/val2017");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jpg"))
        .collect();
    sources.sort();
    sources.truncate(12);
    let work = cocoprep_test::temp_dir();
    let mut resizer = Resizer::new();
    let mut cases = Vec::new();
    let modes = [
        ResizeMode::No,
        ResizeMode::KeepRatio,
        ResizeMode::CenterCrop,
        ResizeMode::Border,
        ResizeMode::KeepRatioLargest,
    ];
    for (index, source) in sources.iter().enumerate() {
        let bytes = std::fs::read(source).unwrap();
        for mode in modes {
            // 384 downscales every COCO image; 1000 upscales them.
            for size in [384u32, 1000] {
                let (image, _, _) = decode(&bytes).unwrap();
                let planned = plan(mode, size, image.width, image.height, false);
                let resized = apply(image, planned, &mut resizer).unwrap();
                let ours = work
                    .path()
                    .join(format!("{index}-{}-{size}.rgb", mode.name()));
                std::fs::write(&ours, &resized.pixels).unwrap();
                cases.push(serde_json::json!({
                    "name": source.file_name().unwrap().to_string_lossy(),
                    "source": source,
                    "mode": mode.name(),
                    "size": size,
                    "ours": ours,
                    "width": resized.width,
                    "height": resized.height,
                }));
            }
        }
    }
    let cases_path = work.path().join("cases.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let output = cocoprep_test::run_python(SCRIPT, &[&cases_path]);
    let results: Vec<serde_json::Value> = serde_json::from_str(&output).unwrap();
    assert_eq!(results.len(), cases.len());
    let mut worst: std::collections::BTreeMap<String, f64> = Default::default();
    let mut below = Vec::new();
    for result in &results {
        assert_eq!(
            result["cv2"], result["ours"],
            "output size differs: {result}"
        );
        let psnr = result["psnr"].as_f64().unwrap();
        let key = format!("{}@{}", result["mode"].as_str().unwrap(), result["size"]);
        let entry = worst.entry(key).or_insert(f64::INFINITY);
        *entry = entry.min(psnr);
        if psnr < MIN_PSNR_DB {
            below.push(result.to_string());
        }
    }
    eprintln!("lowest PSNR per mode vs OpenCV (dB): {worst:.1?}");
    assert!(
        below.is_empty(),
        "PSNR below {MIN_PSNR_DB} dB:\n{}",
        below.join("\n")
    );
}
