//! `features resnet` against the reference on real COCO images: our re-implementation of
//! `prepro_feats.py` (bench/reference/prepro_feats.py, plain torch.nn, skimage.io.imread)
//! with seeded random weights saved by torch, both network variants, both `.pth` formats,
//! grey and CMYK JPEGs and 8-bit, grey and 16-bit PNGs included (RGBA PNGs fail in both). The network is a ResNet with one bottleneck block per
//! layer and a quarter of the widths (16 stem channels, 512 output channels): the same code
//! as ResNet-101's 3-4-23-3 at full width, at a small fraction of the CI time
//! (bench/resnet.py runs the real ResNet-101 on all 159 images).

use std::path::{Path, PathBuf};
use std::process::Command;

use cocoprep_base::progress::NoReporter;
use cocoprep_features::resnet::{self, Arch, ExtractOptions, ImageEntry};

/// `bench/reference/prepro_feats.py`.
fn reference_script() -> PathBuf {
    cocoprep_test::repo_root().join("bench/reference/prepro_feats.py")
}

/// The test Python (numpy, scikit-image, Pillow) with torch importable: torch comes from
/// `$COCOPREP_TORCH_PYTHON`'s site-packages (the shared torch venv, which has no numpy),
/// added through `PYTHONPATH`. `None` when either is missing (the test says it skips).
fn python_with_torch() -> Option<(PathBuf, String)> {
    let torch_python = std::env::var_os("COCOPREP_TORCH_PYTHON")?;
    let output = Command::new(torch_python)
        .args([
            "-c",
            "import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))",
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let site = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    let python = cocoprep_test::python();
    let ready = Command::new(&python)
        .env("PYTHONPATH", &site)
        .args(["-c", "import torch, numpy, skimage, PIL"])
        .output()
        .is_ok_and(|output| output.status.success());
    ready.then_some((python, site))
}

fn run(python: &(PathBuf, String), args: &[&str]) -> String {
    let output = Command::new(&python.0)
        .env("PYTHONPATH", &python.1)
        .env("OMP_NUM_THREADS", "2")
        .args(args)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "python {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Writes the Karpathy dataset JSON of `images` (`filepath` / `filename` under `root`).
fn write_dataset(path: &Path, images: &[(u64, &str, &str)]) {
    let images: Vec<String> = images
        .iter()
        .map(|(id, folder, name)| {
            format!(r#"{{"filepath": "{folder}", "filename": "{name}", "cocoid": {id}, "split": "test"}}"#)
        })
        .collect();
    std::fs::write(path, format!(r#"{{"images": [{}]}}"#, images.join(", ")))
        .expect("write dataset");
}

const COMPARE: &str = r#"
import glob, json, os, sys
import numpy as np
ref, ours = sys.argv[1], sys.argv[2]
report = {"images": 0, "outside": [], "worst": 0.0}
for path in sorted(glob.glob(ref + "_fc/*.npy")):
    name = os.path.basename(path)[:-4]
    fc_ref, fc = np.load(path), np.load(ours + "_fc/" + name + ".npy")
    att_ref, att = np.load(ref + "_att/" + name + ".npz"), np.load(ours + "_att/" + name + ".npz")
    assert list(att.keys()) == list(att_ref.keys()) == ["feat"], (list(att.keys()), list(att_ref.keys()))
    for kind, expected, actual in (("fc", fc_ref, fc), ("att", att_ref["feat"], att["feat"])):
        assert actual.shape == expected.shape and actual.dtype == expected.dtype, (kind, actual.shape, expected.shape, actual.dtype)
        ratio = float((np.abs(actual - expected) / (1e-5 + 1e-4 * np.abs(expected))).max())
        report["worst"] = max(report["worst"], ratio)
        if not np.allclose(actual, expected, rtol=1e-4, atol=1e-5):
            report["outside"].append(name + " " + kind)
    report["images"] += 1
print(json.dumps(report))
"#;

#[test]
fn resnet_features_equal_prepro_feats_on_coco_images_both_arches_grey_cmyk_and_png() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is not present");
        return;
    };
    let Some(python) = python_with_torch() else {
        eprintln!(
            "skipped: needs $COCOPREP_TORCH_PYTHON (torch) and the test venv with numpy, \
             scikit-image and Pillow (scripts/setup-python.sh)"
        );
        return;
    };
    let folder = cocoprep_test::temp_dir();
    let root = folder.path().join("images");
    let val = data.join("coco-mini/val2017");
    std::fs::create_dir_all(root.join("val2017")).expect("mkdir");
    // Two colour images, the grey one of coco-mini, and a CMYK JPEG made from a colour one
    // with PIL (Adobe-inverted, as PIL and Photoshop write them).
    for name in ["000000000139.jpg", "000000000802.jpg", "000000431848.jpg"] {
        std::fs::copy(val.join(name), root.join("val2017").join(name)).expect("copy image");
    }
    let cmyk = root.join("val2017/cmyk.jpg");
    run(
        &python,
        &[
            "-c",
            "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('CMYK').save(sys.argv[2], quality=90)",
            val.join("000000011813.jpg").to_str().expect("UTF-8"),
            cmyk.to_str().expect("UTF-8"),
        ],
    );
    // PNGs (cut small, to keep the test quick): 8-bit RGB, grey, 16-bit grey (read as its
    // high bytes, a documented difference), and an RGBA one, on which the script fails.
    run(
        &python,
        &[
            "-c",
            "import sys, numpy as np; from PIL import Image; \
             rgb = Image.open(sys.argv[1]).convert('RGB').crop((100, 80, 260, 200)); \
             rgb.save(sys.argv[2] + '/rgb.png'); rgb.convert('L').save(sys.argv[2] + '/grey.png'); \
             g = np.asarray(rgb.convert('L')).astype(np.uint16) * 256 + 255; \
             Image.fromarray(g).save(sys.argv[2] + '/grey16.png'); \
             rgb.convert('RGBA').save(sys.argv[2] + '/rgba.png')",
            val.join("000000000802.jpg").to_str().expect("UTF-8"),
            root.join("val2017").to_str().expect("UTF-8"),
        ],
    );
    let dataset = folder.path().join("dataset.json");
    write_dataset(
        &dataset,
        &[
            (139, "val2017", "000000000139.jpg"),
            (431848, "val2017", "000000431848.jpg"),
            (900_000_001, "val2017", "cmyk.jpg"),
            (802, "val2017", "000000000802.jpg"),
            (900_000_002, "val2017", "rgb.png"),
            (900_000_003, "val2017", "grey.png"),
            (900_000_004, "val2017", "grey16.png"),
        ],
    );
    let rgba_dataset = folder.path().join("rgba.json");
    write_dataset(&rgba_dataset, &[(900_000_005, "val2017", "rgba.png")]);
    let script = reference_script();
    let script = script.to_str().expect("UTF-8");
    let zip_weights = folder.path().join("resnet.pth");
    let legacy_weights = folder.path().join("resnet-legacy.pth");
    for (path, legacy) in [(&zip_weights, false), (&legacy_weights, true)] {
        let mut args = vec![
            script,
            "weights",
            path.to_str().expect("UTF-8"),
            "--layers",
            "1,1,1,1",
            "--seed",
            "7",
            "--width",
            "16",
        ];
        if legacy {
            args.push("--legacy");
        }
        run(&python, &args);
    }
    // The legacy .pth that cocoprep itself writes (the demo's) loads in torch, unchanged.
    let ours_pth = folder.path().join("written-by-cocoprep.pth");
    let tensors = resnet::random_state_dict([1, 1, 1, 1], 4, 11);
    let mut bytes = Vec::new();
    resnet::weights::write_state_dict(&mut bytes, &tensors).expect("write .pth");
    std::fs::write(&ours_pth, bytes).expect("write .pth");
    let sums = run(
        &python,
        &[
            "-c",
            "import json, sys, torch; d = torch.load(sys.argv[1]); \
             print(json.dumps({k: [list(v.shape), float(v.double().sum())] for k, v in d.items()}))",
            ours_pth.to_str().expect("UTF-8"),
        ],
    );
    let sums: std::collections::HashMap<String, (Vec<usize>, f64)> =
        serde_json::from_str(sums.trim()).expect("JSON");
    assert_eq!(sums.len(), tensors.len());
    for (name, tensor) in &tensors {
        let expected: f64 = tensor.values.iter().map(|&v| f64::from(v)).sum();
        let (shape, sum) = &sums[name];
        assert_eq!(shape, &tensor.shape, "{name}");
        assert!(
            (sum - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{name}: {sum} vs {expected}"
        );
    }
    // An RGBA PNG: the script fails (Normalize of 4 channels); cocoprep lists the image
    // with a message saying why, and goes on. (The reference runs alongside the
    // comparisons below: a torch start-up takes seconds.)
    let rgba_reference = Command::new(&python.0)
        .env("PYTHONPATH", &python.1)
        .args([
            script,
            "extract",
            "--input_json",
            rgba_dataset.to_str().expect("UTF-8"),
            "--images_root",
            root.to_str().expect("UTF-8"),
            "--output_dir",
            folder
                .path()
                .join("reference-rgba")
                .to_str()
                .expect("UTF-8"),
            "--weights",
            zip_weights.to_str().expect("UTF-8"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    // self-critical (prepro_feats.py's network) on every image from the zip file,
    // torchvision on the first two (colour, grey) from the legacy file (same weights: the
    // same seed).
    for (arch, weights, images) in [
        (Arch::SelfCritical, &zip_weights, 7),
        (Arch::Torchvision, &legacy_weights, 2),
    ] {
        let reference = folder.path().join(format!("reference-{}", arch.name()));
        let ours = folder.path().join(format!("ours-{}", arch.name()));
        run(
            &python,
            &[
                script,
                "extract",
                "--input_json",
                dataset.to_str().expect("UTF-8"),
                "--images_root",
                root.to_str().expect("UTF-8"),
                "--output_dir",
                reference.to_str().expect("UTF-8"),
                "--weights",
                zip_weights.to_str().expect("UTF-8"),
                "--arch",
                arch.name(),
                "--images",
                &images.to_string(),
            ],
        );
        let network = resnet::load_network(weights, arch).expect("weights load");
        assert_eq!(network.block_counts(), [1, 1, 1, 1]);
        let entries: Vec<ImageEntry> = resnet::read_dataset(&dataset, &root)
            .expect("dataset")
            .into_iter()
            .take(images)
            .collect();
        let summary = resnet::extract(
            &network,
            &entries,
            &ours,
            &ExtractOptions::default(),
            &NoReporter,
        )
        .expect("extract");
        assert_eq!(
            (summary.written, summary.skipped),
            (images, 0),
            "{summary:?}"
        );
        assert!(summary.failures.is_empty(), "{:?}", summary.failures);
        let report = run(
            &python,
            &[
                "-c",
                COMPARE,
                reference.to_str().expect("UTF-8"),
                ours.to_str().expect("UTF-8"),
            ],
        );
        eprintln!("{}: {report}", arch.name());
        assert!(
            report.contains(&format!(r#""images": {images}, "outside": []"#)),
            "{}: features differ from the reference beyond rtol 1e-4 / atol 1e-5: {report}",
            arch.name()
        );
        // A second run finds everything done.
        let again = resnet::extract(
            &network,
            &entries,
            &ours,
            &ExtractOptions::default(),
            &NoReporter,
        )
        .expect("extract again");
        assert_eq!((again.written, again.skipped), (0, images));
    }
    let failed = rgba_reference.wait_with_output().expect("python runs");
    let stderr = String::from_utf8_lossy(&failed.stderr);
    // torch: "The size of tensor a (4) must match the size of tensor b (3) ..."
    assert!(
        !failed.status.success() && stderr.contains("(4)"),
        "the reference read an RGBA PNG: {stderr}"
    );
    let network = resnet::load_network(&zip_weights, Arch::SelfCritical).expect("weights load");
    let entries = resnet::read_dataset(&rgba_dataset, &root).expect("dataset");
    let summary = resnet::extract(
        &network,
        &entries,
        &folder.path().join("ours-rgba"),
        &ExtractOptions::default(),
        &NoReporter,
    )
    .expect("extract");
    assert_eq!(summary.written, 0);
    assert_eq!(summary.failures.len(), 1);
    assert!(
        summary.failures[0].message.contains("RGBA PNG"),
        "{:?}",
        summary.failures
    );
}

const PIXELS: &str = r#"
import json, sys, zlib
import numpy as np, skimage.io
from PIL import Image
out = {}
for path in sys.argv[1:]:
    image = skimage.io.imread(path)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=2)
    if image.shape[2] != 3:
        image = np.asarray(Image.open(path).convert("RGB"))
    out[path] = [image.shape[1], image.shape[0], zlib.crc32(np.ascontiguousarray(image).tobytes())]
print(json.dumps(out))
"#;

#[test]
fn decoded_pixels_equal_skimage_imread_on_every_coco_mini_image_and_cmyk() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is not present");
        return;
    };
    let python = cocoprep_test::python();
    let has_skimage = Command::new(&python)
        .args(["-c", "import skimage"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_skimage {
        eprintln!("skipped: scikit-image is not installed (scripts/setup-python.sh)");
        return;
    }
    let folder = cocoprep_test::temp_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data.join("coco-mini/val2017"))
        .expect("list images")
        .map(|entry| entry.expect("entry").path())
        .collect();
    paths.sort();
    let cmyk = folder.path().join("cmyk.jpg");
    cocoprep_test::run_python(
        "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('CMYK').save(sys.argv[2], quality=85)",
        &[&paths[0], &cmyk],
    );
    paths.push(cmyk);
    let arguments: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let expected: std::collections::HashMap<String, (usize, usize, u32)> =
        serde_json_lite(&cocoprep_test::run_python(PIXELS, &arguments));
    let mut identical = 0;
    for path in &paths {
        let image = resnet::decode_jpeg(&std::fs::read(path).expect("read")).expect("decode");
        let crc = crc32fast::hash(&image.pixels);
        let key = path.to_str().expect("UTF-8");
        assert_eq!(
            (image.width, image.height, crc),
            expected[key],
            "{key}: pixels differ from skimage.io.imread's"
        );
        identical += 1;
    }
    eprintln!(
        "{identical} images decoded pixel-identical to skimage.io.imread (incl. 1 grey, 1 CMYK)"
    );
}

/// Parses `{"path": [w, h, crc], ...}` (what `PIXELS` prints).
fn serde_json_lite(text: &str) -> std::collections::HashMap<String, (usize, usize, u32)> {
    let value: std::collections::HashMap<String, (usize, usize, u32)> =
        serde_json::from_str(text.trim()).expect("JSON");
    value
}

/// Writes PNGs of every kind `skimage.io.imread` reads, cut from a real COCO image, into
/// `argv[2]`: 8-bit RGB, grey, palette, with `tRNS` transparency, 16-bit RGB and grey,
/// black-and-white, RGBA and grey + alpha. Prints, for each, what `prepro_feats.py` gets
/// (`[w, h, crc32 of the HxWx3 uint8 pixels]`, with cocoprep's documented differences: 16-bit
/// grey reduced to its high bytes, 1-bit read as 0/255) or `"fails"` where the script fails.
const PNGS: &str = r#"
import json, os, sys, zlib
import cv2, numpy as np, skimage.io
from PIL import Image
source, folder = sys.argv[1], sys.argv[2]
rgb = Image.open(source).convert("RGB").crop((40, 30, 40 + 97, 30 + 65))
a = np.asarray(rgb)
grey = rgb.convert("L")
noise = np.random.default_rng(3).integers(0, 256, a.shape, dtype=np.uint16)
made = {
    "rgb": lambda p: rgb.save(p),
    "grey": lambda p: grey.save(p),
    "palette": lambda p: rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=50).save(p),
    "palette-trns": lambda p: rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=50).save(p, transparency=0),
    "rgb-trns": lambda p: rgb.save(p, transparency=tuple(int(v) for v in a[0, 0])),
    "grey-trns": lambda p: grey.save(p, transparency=int(np.asarray(grey)[0, 0])),
    "bw": lambda p: grey.convert("1").save(p),
    "rgb16": lambda p: cv2.imwrite(p, (a.astype(np.uint16) * 256 + noise)[:, :, ::-1]),
    "grey16": lambda p: Image.fromarray(np.asarray(grey).astype(np.uint16) * 256 + noise[:, :, 0]).save(p),
    "rgba": lambda p: Image.fromarray(np.dstack([a, a[:, :, :1]])).save(p),
    "grey-alpha": lambda p: grey.convert("LA").save(p),
}
out = {}
for name, make in made.items():
    path = os.path.join(folder, name + ".png")
    make(path)
    image = skimage.io.imread(path)
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=2)
    if image.shape[2] != 3:
        out[path] = "fails"
        continue
    out[path] = [image.shape[1], image.shape[0], zlib.crc32(np.ascontiguousarray(image).tobytes())]
print(json.dumps(out))
"#;

#[test]
fn decoded_png_pixels_equal_skimage_imread_and_alpha_pngs_are_refused() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is not present");
        return;
    };
    let python = cocoprep_test::python();
    let ready = Command::new(&python)
        .args(["-c", "import skimage, cv2"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !ready {
        eprintln!("skipped: scikit-image or OpenCV is not installed (scripts/setup-python.sh)");
        return;
    }
    let folder = cocoprep_test::temp_dir();
    let source = data.join("coco-mini/val2017/000000000139.jpg");
    let expected: std::collections::HashMap<String, serde_json::Value> =
        serde_json::from_str(cocoprep_test::run_python(PNGS, &[&source, folder.path()]).trim())
            .expect("JSON");
    assert_eq!(expected.len(), 11);
    for (path, expected) in &expected {
        let decoded = resnet::decode_image(&std::fs::read(path).expect("read"));
        if expected == "fails" {
            let message = decoded.expect_err(path);
            assert!(
                message.contains("alpha") && message.contains("prepro_feats.py fails"),
                "{path}: {message}"
            );
            continue;
        }
        let image = decoded.unwrap_or_else(|error| panic!("{path}: {error}"));
        let actual = serde_json::json!([image.width, image.height, crc32fast::hash(&image.pixels)]);
        assert_eq!(
            &actual, expected,
            "{path}: pixels differ from skimage.io.imread's"
        );
    }
}
