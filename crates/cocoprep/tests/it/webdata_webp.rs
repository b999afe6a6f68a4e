//! `cocoprep webdata --encode-format webp` over a loopback server with real COCO JPEGs: the
//! WebP files (image folders, WebDataset members, Parquet column) decode in Python (Pillow
//! and OpenCV, img2dataset's codec), at the sizes a jpg run gives, within a stated PSNR of
//! the resized pixels at quality 95, and exactly equal to them above quality 100
//! (lossless, as OpenCV's `IMWRITE_WEBP_QUALITY` maps it); at q95 the bytes equal what
//! img2dataset's `cv2.imencode(".webp", [IMWRITE_WEBP_QUALITY, 95])` makes of the same pixels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cocoprep_test::cli::assert_exit;
use cocoprep_test::http_server::TestServer;
use cocoprep_webdata::image::decode::decode;
use cocoprep_webdata::image::resize::{apply, plan};
use cocoprep_webdata::image::{ResizeMode, Resizer};
use cocoprep_webdata::output::read_index;
use cocoprep_webdata::sample::{Sample, Status};

use crate::cocoprep;

/// The lowest PSNR (dB) accepted between a decoded q95 WebP and the resized pixels it
/// encodes. Measured on these 8 coco-mini val2017 images at 256 px: 35.7-42.8 dB (JPEG q95
/// of the same pixels: 35.4-41.9 dB); most of the loss is WebP's 4:2:0 chroma.
const MIN_PSNR_DB: f64 = 34.0;

const IMAGE_SIZE: u32 = 256;

const SCRIPT: &str = r#"
import sys, json, math, io
import numpy as np, cv2
from PIL import Image
cases = json.load(open(sys.argv[1]))
out = []
for case in cases:
    data = open(case["file"], "rb").read()
    pil = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    ocv = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    w, h = case["width"], case["height"]
    ref = np.fromfile(case["rgb"], np.uint8).reshape(h, w, 3).astype(np.float64)
    result = {"file": case["file"], "pil": [pil.shape[1], pil.shape[0]], "cv2": [ocv.shape[1], ocv.shape[0]],
              "format": Image.open(io.BytesIO(data)).format}
    for name, img in (("pil", pil), ("cv2", ocv)):
        if img.shape[:2] == (h, w):
            diff = img.astype(np.float64) - ref
            mse = float(np.mean(diff * diff))
            result[name + "_psnr"] = 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)
            result[name + "_max_diff"] = float(np.max(np.abs(diff)))
    if case["quality"] <= 100:
        bgr = np.ascontiguousarray(ref.astype(np.uint8)[:, :, ::-1])
        theirs = cv2.imencode(".webp", bgr, [int(cv2.IMWRITE_WEBP_QUALITY), case["quality"]])[1].tobytes()
        result["same_bytes_as_cv2"] = theirs == data
    out.append(result)
print(json.dumps(out))
"#;

/// The first 8 coco-mini val2017 JPEGs, or `None` without the shared data.
fn sources() -> Option<Vec<PathBuf>> {
    let folder = cocoprep_test::shared_data()?.join("coco-mini/val2017");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .ok()?
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    paths.truncate(8);
    Some(paths)
}

/// The rows of the single shard index in `output`, by key.
fn rows(output: &Path) -> BTreeMap<String, Sample> {
    let samples = read_index(&output.join("00000.parquet")).unwrap();
    samples
        .into_iter()
        .map(|sample| (sample.key.clone(), sample))
        .collect()
}

#[test]
fn webp_output_decodes_in_python_at_jpg_sizes_within_psnr_and_is_lossless_above_quality_100() {
    let Some(sources) = sources() else {
        eprintln!("skipped: ../shared/data/coco-mini not available");
        return;
    };
    let python = cocoprep_test::python();
    let probe = std::process::Command::new(&python)
        .args([
            "-c",
            "import cv2, numpy; from PIL import features; assert features.check('webp')",
        ])
        .output();
    if !probe.is_ok_and(|output| output.status.success()) {
        eprintln!(
            "skipped: {} lacks cv2, numpy or Pillow with WebP",
            python.display()
        );
        return;
    }
    let server = TestServer::start();
    let work = cocoprep_test::temp_dir();
    let list = work.path().join("urls.txt");
    let mut text = String::new();
    // The resized pixels each URL's image must encode (the same library path as the run).
    let mut resized_by_url = BTreeMap::new();
    let mut resizer = Resizer::new();
    for (index, source) in sources.iter().enumerate() {
        let bytes = std::fs::read(source).unwrap();
        let path = format!("/coco/{index}.jpg");
        server.add_bytes(&path, bytes.clone());
        let url = server.url(&path);
        text.push_str(&format!("{url}\n"));
        let (image, _, _) = decode(&bytes).unwrap();
        let planned = plan(
            ResizeMode::KeepRatio,
            IMAGE_SIZE,
            image.width,
            image.height,
            false,
        );
        resized_by_url.insert(url, apply(image, planned, &mut resizer).unwrap());
    }
    std::fs::write(&list, text).unwrap();

    let run = |name: &str, format: &str, quality: &str, output_format: &str| -> PathBuf {
        let output = work.path().join(name);
        let size = IMAGE_SIZE.to_string();
        let output_text = output.to_string_lossy().into_owned();
        let list_text = list.to_string_lossy().into_owned();
        let result = cocoprep([
            "webdata",
            &list_text,
            "-o",
            &output_text,
            "--output-format",
            output_format,
            "--image-size",
            &size,
            "--encode-format",
            format,
            "--encode-quality",
            quality,
            "--thread-count",
            "4",
        ]);
        assert_exit(&result, 0);
        output
    };
    let webp_files = run("webp-files", "webp", "95", "files");
    let jpg_files = run("jpg-files", "jpg", "95", "files");
    let lossless_tar = run("webp-lossless-tar", "webp", "101", "webdataset");
    let webp_parquet = run("webp-parquet", "webp", "95", "parquet");

    // Sizes as for jpg, every row a success.
    let webp_rows = rows(&webp_files);
    let jpg_rows = rows(&jpg_files);
    assert_eq!(webp_rows.len(), sources.len());
    for (key, sample) in &webp_rows {
        assert_eq!(sample.status, Status::Success, "{key}: {sample:?}");
        let jpg = &jpg_rows[key];
        assert_eq!(
            (sample.width, sample.height),
            (jpg.width, jpg.height),
            "{key}"
        );
        let resized = &resized_by_url[&sample.url];
        assert_eq!(
            (sample.width, sample.height),
            (Some(resized.width), Some(resized.height))
        );
    }

    // The cases Python decodes: the files, the tar members and the Parquet images.
    let mut cases = Vec::new();
    let mut lossless_files = Vec::new();
    let mut add_case = |file: PathBuf, sample: &Sample, lossless: bool| {
        let resized = &resized_by_url[&sample.url];
        let rgb = file.with_extension("rgb");
        std::fs::write(&rgb, &resized.pixels).unwrap();
        if lossless {
            lossless_files.push(file.to_string_lossy().into_owned());
        }
        cases.push(serde_json::json!({
            "file": file, "rgb": rgb, "width": resized.width, "height": resized.height,
            "quality": if lossless { 101 } else { 95 },
        }));
    };
    for (key, sample) in &webp_rows {
        let file = webp_files.join("00000").join(format!("{key}.webp"));
        assert!(file.is_file(), "{} missing", file.display());
        assert!(
            !webp_files.join("00000").join(format!("{key}.jpg")).exists(),
            "{key}: a .jpg beside the .webp"
        );
        add_case(file, sample, false);
    }
    let tar_rows = rows(&lossless_tar);
    let tar_path = lossless_tar.join("00000.tar");
    let mut archive = tar::Archive::new(std::fs::File::open(&tar_path).unwrap());
    let extracted = work.path().join("tar-members");
    std::fs::create_dir_all(&extracted).unwrap();
    let mut webp_members = 0;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        assert!(
            [".webp", ".txt", ".json"]
                .iter()
                .any(|suffix| name.ends_with(suffix)),
            "tar member {name}"
        );
        if let Some(key) = name.strip_suffix(".webp") {
            let file = extracted.join(&name);
            entry.unpack(&file).unwrap();
            add_case(file, &tar_rows[key], true);
            webp_members += 1;
        }
    }
    assert_eq!(webp_members, sources.len());
    let parquet_rows = rows(&webp_parquet);
    let parquet_images = work.path().join("parquet-images");
    std::fs::create_dir_all(&parquet_images).unwrap();
    for (key, sample) in &parquet_rows {
        let image = sample
            .image
            .as_ref()
            .expect("the parquet row holds the image");
        // The same pixels and quality as the files run: the same bytes.
        let file_bytes = std::fs::read(webp_files.join("00000").join(format!("{key}.webp")));
        assert_eq!(Some(image), file_bytes.ok().as_ref(), "{key}");
        let file = parquet_images.join(format!("{key}.webp"));
        std::fs::write(&file, image).unwrap();
        add_case(file, sample, false);
    }

    let cases_path = work.path().join("cases.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let printed = cocoprep_test::run_python(SCRIPT, &[&cases_path]);
    let results: Vec<serde_json::Value> = serde_json::from_str(&printed).unwrap();
    assert_eq!(results.len(), cases.len());
    let mut lowest = f64::INFINITY;
    for (result, case) in results.iter().zip(&cases) {
        let file = result["file"].as_str().unwrap();
        assert_eq!(result["format"], "WEBP", "{file}");
        let size = serde_json::json!([case["width"], case["height"]]);
        assert_eq!(result["pil"], size, "{file}: Pillow's size");
        assert_eq!(result["cv2"], size, "{file}: OpenCV's size");
        for decoder in ["pil", "cv2"] {
            let psnr = result[format!("{decoder}_psnr")].as_f64().unwrap();
            if lossless_files.iter().any(|name| name == file) {
                let max_diff = result[format!("{decoder}_max_diff")].as_f64().unwrap();
                assert_eq!(max_diff, 0.0, "{file}: lossless webp decoded by {decoder}");
            } else {
                lowest = lowest.min(psnr);
                assert_eq!(
                    result["same_bytes_as_cv2"], true,
                    "{file}: differs from cv2.imencode of the same pixels"
                );
                assert!(
                    psnr >= MIN_PSNR_DB,
                    "{file}: {psnr:.1} dB decoded by {decoder} (bound {MIN_PSNR_DB})"
                );
            }
        }
    }
    eprintln!("webp q95: lowest PSNR {lowest:.1} dB");
}

const MAKE_WEBP_INPUTS: &str = r#"
import sys
import numpy as np
from PIL import Image
source, opaque, transparent = sys.argv[1:4]
image = Image.open(source).convert("RGB")
image.save(opaque, "WEBP", quality=80)
rgba = np.dstack([np.asarray(image), np.tile(np.linspace(0, 255, image.width).astype(np.uint8), (image.height, 1))])
Image.fromarray(rgba, "RGBA").save(transparent, "WEBP", quality=80)
"#;

/// Pillow's decode of each input (RGBA composited on white as img2dataset does) against
/// the decoded lossless output: the largest difference per case.
const COMPARE_DECODES: &str = r#"
import sys, json
import numpy as np
from PIL import Image
out = []
for case in json.load(open(sys.argv[1])):
    source = Image.open(case["input"])
    if source.mode == "RGBA":
        rgba = np.asarray(source).astype(np.float64)
        alpha = rgba[:, :, 3:4]
        expected = np.rint((alpha / 255 * rgba[:, :, :3] + 255 - alpha).clip(0, 255))
    else:
        expected = np.asarray(source.convert("RGB")).astype(np.float64)
    ours = np.asarray(Image.open(case["output"]).convert("RGB")).astype(np.float64)
    same = ours.shape == expected.shape
    out.append({"shape": same, "max_diff": float(np.max(np.abs(ours - expected))) if same else None})
print(json.dumps(out))
"#;

#[test]
fn webp_inputs_decode_as_pillow_decodes_them_and_skip_reencode_keeps_opaque_ones() {
    let Some(sources) = sources() else {
        eprintln!("skipped: ../shared/data/coco-mini not available");
        return;
    };
    let python = cocoprep_test::python();
    let probe = std::process::Command::new(&python)
        .args([
            "-c",
            "import numpy; from PIL import features; assert features.check('webp')",
        ])
        .output();
    if !probe.is_ok_and(|output| output.status.success()) {
        eprintln!(
            "skipped: {} lacks numpy or Pillow with WebP",
            python.display()
        );
        return;
    }
    let work = cocoprep_test::temp_dir();
    let opaque = work.path().join("opaque.webp");
    let transparent = work.path().join("transparent.webp");
    cocoprep_test::run_python(MAKE_WEBP_INPUTS, &[&sources[0], &opaque, &transparent]);
    let server = TestServer::start();
    let list = work.path().join("urls.txt");
    let mut text = String::new();
    for (index, input) in [&opaque, &transparent].into_iter().enumerate() {
        let path = format!("/in/{index}.webp");
        server.add_bytes(&path, std::fs::read(input).unwrap());
        text.push_str(&format!("{}\n", server.url(&path)));
    }
    std::fs::write(&list, text).unwrap();
    let run = |name: &str, extra: &[&str]| -> PathBuf {
        let output = work.path().join(name);
        let output_text = output.to_string_lossy().into_owned();
        let list_text = list.to_string_lossy().into_owned();
        let mut arguments = vec![
            "webdata",
            &list_text,
            "-o",
            &output_text,
            "--output-format",
            "files",
            "--resize-mode",
            "no",
            "--encode-format",
            "webp",
        ];
        arguments.extend_from_slice(extra);
        assert_exit(&cocoprep(arguments), 0);
        output
    };
    let lossless = run("lossless", &["--encode-quality", "101"]);
    let kept = run("kept", &["--skip-reencode"]);
    let output = |folder: &Path, key: &str| folder.join("00000").join(format!("{key}.webp"));
    let cases = serde_json::json!([
        {"input": opaque, "output": output(&lossless, "000000000")},
        {"input": transparent, "output": output(&lossless, "000000001")},
    ]);
    let cases_path = work.path().join("cases.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let printed = cocoprep_test::run_python(COMPARE_DECODES, &[&cases_path]);
    let results: Vec<serde_json::Value> = serde_json::from_str(&printed).unwrap();
    for (result, name) in results.iter().zip(["opaque", "transparent"]) {
        assert_eq!(result["shape"], true, "{name}: {result}");
        assert_eq!(result["max_diff"], 0.0, "{name}: {result}");
    }
    // skip_reencode: the opaque WebP needs no resize and is WebP already, so its bytes are
    // kept; the transparent one was composited on white, so it is encoded again.
    let kept_opaque = std::fs::read(output(&kept, "000000000")).unwrap();
    assert_eq!(kept_opaque, std::fs::read(&opaque).unwrap());
    let kept_transparent = std::fs::read(output(&kept, "000000001")).unwrap();
    assert_ne!(kept_transparent, std::fs::read(&transparent).unwrap());
}
