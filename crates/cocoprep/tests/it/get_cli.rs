//! `cocoprep get`, `download` and `verify` end to end against a real HTTP server on
//! loopback (`cocoprep_test::http_server`), with catalogs written the way users write
//! them (`--catalog FILE`).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cocoprep_test::http_server::{Body, Faults, TestServer, pseudo_random_bytes};
use cocoprep_test::{fixtures, temp_dir};

use crate::cocoprep;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sha256(bytes: &[u8]) -> String {
    cocoprep_fetch::hash_file_bytes(bytes)
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("coco-sample").join(path)).unwrap()
}

const VAL_IMAGES: &[&str] = &[
    "000000000139.jpg",
    "000000151938.jpg",
    "000000229358.jpg",
    "000000255165.jpg",
    "000000311002.jpg",
    "000000397133.jpg",
];

/// Serves the sample as a catalog: an image zip and an annotation zip, plus every
/// image at its `coco_url` path.
fn sample_server() -> (TestServer, serde_json::Value) {
    let server = TestServer::start();
    let images: Vec<(String, Vec<u8>)> = VAL_IMAGES
        .iter()
        .map(|name| {
            (
                format!("val2017/{name}"),
                sample(&format!("val2017/{name}")),
            )
        })
        .collect();
    let image_refs: Vec<(&str, &[u8])> = images
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let images_zip = zip_of(&image_refs);
    let instances = sample("annotations/instances_val2017.json");
    let annotations_zip = zip_of(&[("annotations/instances_val2017.json", &instances)]);
    for (name, bytes) in &images {
        server.add_bytes(&format!("/{name}"), bytes.clone());
    }
    let resource = |name: &str, path: &str, bytes: &[u8]| {
        serde_json::json!({
            "name": name, "description": name, "file_name": path.rsplit('/').next().unwrap(),
            "urls": [server.url(path)], "bytes": bytes.len(), "sha256": sha256(bytes), "md5": null,
            "source": "test", "archive": "zip", "destination": {"coco": "", "yolo": "images"},
        })
    };
    let catalog = serde_json::json!({
        "schema": 1,
        "resources": [
            resource("test-val2017", "/zips/val2017.zip", &images_zip),
            resource("test-annotations", "/zips/annotations.zip", &annotations_zip),
        ],
        "bundles": [{
            "name": "test-bundle", "description": "the sample", "layout": "coco",
            "resources": ["test-val2017", "test-annotations"],
            "subsets": {"val": {"annotations": "test-annotations", "file": "annotations/instances_val2017.json", "images": "test-val2017"}},
        }],
    });
    server.add_bytes("/zips/val2017.zip", images_zip);
    server.add_bytes("/zips/annotations.zip", annotations_zip);
    (server, catalog)
}

fn write_catalog(folder: &Path, catalog: &serde_json::Value) -> String {
    let path = folder.join("catalog.json");
    std::fs::write(&path, serde_json::to_vec_pretty(catalog).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn dry_run_prints_the_real_coco2017_plan_offline() {
    let folder = temp_dir();
    let output = crate::cocoprep_command()
        .args(["get", "--dry-run", "coco2017", "--dir"])
        .arg(folder.path().join("coco"))
        // Any network access would go to a closed port and fail.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("http_proxy", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for expected in [
        "19336861798",
        "815585330",
        "6646970404",
        "252907541",
        "1144034",
        "http://images.cocodataset.org/zips/train2017.zip",
        "download: 27.05 GB in 5 files",
        "disk needed",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(!folder.path().join("coco/train2017").exists());
}

#[test]
fn a_bundle_is_fetched_verified_and_a_rerun_does_no_network_work() {
    let (server, catalog) = sample_server();
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let dir = folder.path().join("coco");
    let dir_text = dir.to_string_lossy().into_owned();
    let output = cocoprep([
        "get",
        "test-bundle",
        "--catalog",
        &catalog_path,
        "--dir",
        &dir_text,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for name in VAL_IMAGES {
        assert_eq!(
            std::fs::read(dir.join("val2017").join(name)).unwrap(),
            sample(&format!("val2017/{name}"))
        );
    }
    assert!(dir.join("annotations/instances_val2017.json").is_file());
    assert!(
        !dir.join(".cocoprep/downloads/val2017.zip").exists(),
        "archives are removed by default"
    );

    server.clear_log();
    let again = cocoprep([
        "get",
        "test-bundle",
        "--catalog",
        &catalog_path,
        "--dir",
        &dir_text,
    ]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        server.log().is_empty(),
        "re-run made requests: {:?}",
        server.log()
    );
    assert!(
        text(&again.stderr).contains("already complete"),
        "{}",
        text(&again.stderr)
    );

    let verify = cocoprep(["verify", &dir_text]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    assert!(
        text(&verify.stderr).contains("OK"),
        "{}",
        text(&verify.stderr)
    );
    // Damage one image: verify names it and exits 1.
    let victim = dir.join("val2017/000000139.jpg".replace("000000139", "000000000139"));
    let mut bytes = std::fs::read(&victim).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    let verify = cocoprep(["verify", &dir_text]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        text(&verify.stdout).contains("000000000139.jpg")
            && text(&verify.stdout).contains("CRC-32"),
        "{}",
        text(&verify.stdout)
    );
}

#[test]
fn the_known_corrupt_train2014_image_is_detected_and_replaced() {
    let server = TestServer::start();
    let good = sample("val2017/000000000139.jpg");
    let truncated = good[..good.len() / 2].to_vec();
    let defect = "train2014/COCO_train2014_000000167126.jpg";
    let archive = zip_of(&[
        (defect, &truncated),
        ("train2014/COCO_train2014_000000000009.jpg", &good),
    ]);
    server.add_bytes("/zips/train2014.zip", archive.clone());
    server.add_bytes("/train2014/COCO_train2014_000000167126.jpg", good.clone());
    let catalog = serde_json::json!({
        "schema": 1,
        "resources": [{
            "name": "train2014", "description": "test copy", "file_name": "train2014.zip",
            "urls": [server.url("/zips/train2014.zip")], "bytes": archive.len(), "sha256": sha256(&archive),
            "md5": null, "source": "test", "archive": "zip", "destination": {"coco": ""},
            "known_defects": [{"path": defect, "replacement_urls": [server.url("/train2014/COCO_train2014_000000167126.jpg")], "note": "truncated in some copies"}],
        }],
        "bundles": [],
    });
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let dir = folder.path().join("coco");
    let dir_text = dir.to_string_lossy().into_owned();
    let output = cocoprep([
        "get",
        "train2014",
        "--catalog",
        &catalog_path,
        "--dir",
        &dir_text,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("replaced corrupt"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(std::fs::read(dir.join(defect)).unwrap(), good);
    let verify = cocoprep(["verify", &dir_text]);
    assert!(
        verify.status.success(),
        "{}{}",
        text(&verify.stdout),
        text(&verify.stderr)
    );
}

/// `cocoprep get test-bundle --split val ...` against the sample server's catalog, with
/// images fetched from the server instead of `coco_url`'s host.
fn get_subset(catalog_path: &str, dir: &str, image_base: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "get",
        "test-bundle",
        "--split",
        "val",
        "--catalog",
        catalog_path,
        "--dir",
        dir,
        "--image-url-base",
        image_base,
    ];
    args.extend_from_slice(extra);
    cocoprep(&args)
}

#[test]
fn a_subset_fetches_only_the_selected_images_from_coco_url() {
    let (server, catalog) = sample_server();
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let dir = folder.path().join("subset");
    let dir_text = dir.to_string_lossy().into_owned();
    let base = server.url("");
    let output = get_subset(
        &catalog_path,
        &dir_text,
        &base,
        &["--classes", "person", "--max-images", "2"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let image_requests: Vec<_> = server
        .log()
        .into_iter()
        .filter(|r| r.target.starts_with("/val2017/"))
        .collect();
    assert_eq!(image_requests.len(), 2, "{image_requests:?}");
    assert!(
        !server.log().iter().any(|r| r.target == "/zips/val2017.zip"),
        "the image zip is not fetched"
    );
    let subset: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("annotations/instances_val2017.json")).unwrap(),
    )
    .unwrap();
    let images = subset["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let ids: Vec<u64> = images.iter().map(|i| i["id"].as_u64().unwrap()).collect();
    let annotations = subset["annotations"].as_array().unwrap();
    assert!(!annotations.is_empty());
    assert!(
        annotations
            .iter()
            .all(|a| ids.contains(&a["image_id"].as_u64().unwrap()))
    );
    for image in images {
        let name = image["file_name"].as_str().unwrap();
        assert_eq!(
            std::fs::read(dir.join("val2017").join(name)).unwrap(),
            sample(&format!("val2017/{name}"))
        );
        // Each selected image has a person (category 1).
        let id = image["id"].as_u64().unwrap();
        assert!(
            annotations
                .iter()
                .any(|a| a["image_id"].as_u64() == Some(id) && a["category_id"] == 1)
        );
    }
    let unknown = get_subset(&catalog_path, &dir_text, &base, &["--classes", "tvmonitor"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("`tv`"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn a_subset_in_the_yolo_layout_gets_labels_equal_to_convert_yolo_and_a_yaml() {
    let (server, catalog) = sample_server();
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let dir = folder.path().join("subset-yolo");
    let dir_text = dir.to_string_lossy().into_owned();
    let base = server.url("");
    let output = get_subset(
        &catalog_path,
        &dir_text,
        &base,
        &["--classes", "dog,person", "--layout", "yolo"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let subset_file = dir.join("annotations/instances_val2017.json");
    let subset: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&subset_file).unwrap()).unwrap();
    let names: Vec<&str> = subset["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file_name"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    // The same labels `convert yolo` writes from the subset's annotation file.
    let reference = folder.path().join("reference");
    let converted = cocoprep([
        "convert",
        "yolo",
        &subset_file.to_string_lossy(),
        "-o",
        &reference.to_string_lossy(),
    ]);
    assert!(converted.status.success(), "{}", text(&converted.stderr));
    for name in &names {
        assert_eq!(
            std::fs::read(dir.join("images/val2017").join(name)).unwrap(),
            sample(&format!("val2017/{name}"))
        );
        let label = std::path::Path::new("labels/val2017").join(name.replace(".jpg", ".txt"));
        assert_eq!(
            std::fs::read_to_string(dir.join(&label)).unwrap(),
            std::fs::read_to_string(reference.join(&label)).unwrap(),
            "{}",
            label.display()
        );
    }
    let yaml = cocoprep_formats::dataset_yaml::DatasetYaml::read(&dir.join("data.yaml")).unwrap();
    assert_eq!(yaml.val, vec!["images/val2017".to_owned()]);
    assert_eq!(yaml.names.len(), 80);
    assert_eq!(yaml.names[16], "dog");
}

#[test]
fn sigkill_mid_download_resumes_without_fetching_finished_ranges_again() {
    const SIZE: usize = 24 << 20;
    let server = TestServer::start();
    let bytes = pseudo_random_bytes(SIZE, 11);
    let digest = sha256(&bytes);
    let body = Body::Memory(Arc::new(bytes.clone()));
    server.add(
        "/big.bin",
        body.clone(),
        Faults {
            rate_bytes_per_second: Some(1 << 20),
            ..Faults::default()
        },
    );
    let folder = temp_dir();
    let out = folder.path().to_string_lossy().into_owned();
    let url = server.url("/big.bin");
    let mut child = crate::cocoprep_command()
        .args([
            "download",
            &url,
            "-o",
            &out,
            "--sha256",
            &digest,
            "--connections",
            "4",
            "-q",
        ])
        .spawn()
        .unwrap();
    let journal_path = folder.path().join("big.bin.part.journal");
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        if let Ok(text) = std::fs::read(&journal_path)
            && let Ok(journal) = serde_json::from_slice::<serde_json::Value>(&text)
        {
            let done: u64 = journal["segments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["done"].as_u64().unwrap())
                .sum();
            if done >= (SIZE / 4) as u64 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(!folder.path().join("big.bin").exists());
    // The journal on disk after the kill is what the next run resumes from.
    let journal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&journal_path).unwrap()).unwrap();
    let finished: Vec<(u64, u64)> = journal["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let start = s["start"].as_u64().unwrap();
            (start, start + s["done"].as_u64().unwrap())
        })
        .collect();
    let already: u64 = finished.iter().map(|(a, b)| b - a).sum();
    assert_eq!(finished.len(), 4);
    assert!(already >= (SIZE / 4) as u64);

    server.add("/big.bin", body, Faults::default());
    server.clear_log();
    let resumed = cocoprep([
        "download",
        &url,
        "-o",
        &out,
        "--sha256",
        &digest,
        "--connections",
        "4",
        "--json",
    ]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert_eq!(std::fs::read(folder.path().join("big.bin")).unwrap(), bytes);
    let report: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
    assert_eq!(report[0]["resumed_bytes"].as_u64(), Some(already));
    // No request of the resumed run touches a byte that was already on disk.
    let log = server.log();
    assert!(!log.is_empty());
    for request in &log {
        let (start, end) = request.range.expect("the resumed run asks for ranges");
        let end = end.map_or(SIZE as u64, |e| e + 1);
        for (done_start, done_end) in &finished {
            assert!(
                end <= *done_start || start >= *done_end,
                "request {start}..{end} re-fetches {done_start}..{done_end}"
            );
        }
    }
    let sent: u64 = log.iter().map(|r| r.body_bytes).sum();
    assert_eq!(
        sent,
        SIZE as u64 - already,
        "exactly the missing bytes were fetched"
    );
}

#[test]
fn download_with_a_wrong_checksum_fails_clearly_and_leaves_no_file() {
    let server = TestServer::start();
    server.add_bytes("/x.bin", pseudo_random_bytes(100_000, 3));
    let folder = temp_dir();
    let out = folder.path().to_string_lossy().into_owned();
    let wrong = "0".repeat(64);
    let output = cocoprep([
        "download",
        &server.url("/x.bin"),
        "-o",
        &out,
        "--sha256",
        &wrong,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("checksum mismatch") && stderr.contains(&wrong),
        "{stderr}"
    );
    assert!(!folder.path().join("x.bin").exists());
    assert!(folder.path().join("x.bin.corrupt").exists());
}

#[test]
fn emit_prints_array_job_scripts() {
    let slurm = cocoprep([
        "get",
        "coco2017",
        "--dir",
        "/data/coco",
        "--emit",
        "slurm",
        "--shards",
        "4",
    ]);
    assert!(slurm.status.success(), "{}", text(&slurm.stderr));
    let script = text(&slurm.stdout);
    assert!(script.starts_with("#!/bin/bash"), "{script}");
    assert!(script.contains("#SBATCH --array=0-3"), "{script}");
    assert!(
        script.contains("cocoprep get coco2017 --dir /data/coco"),
        "{script}"
    );
    assert!(
        script.trim_end().ends_with("--shard-from-env --shards 4"),
        "{script}"
    );
    let sge = cocoprep([
        "get",
        "coco2017",
        "--dir",
        "/data/coco",
        "--emit",
        "sge",
        "--shards",
        "3",
    ]);
    let script = text(&sge.stdout);
    assert!(
        script.contains("#$ -t 1-3") && script.contains("--shard-from-env --shards 3"),
        "{script}"
    );
}

#[test]
fn shards_split_a_bundle_without_overlap() {
    let mut owners: HashMap<String, usize> = HashMap::new();
    for index in 0..3 {
        let shard = format!("{index}/3");
        let output = cocoprep(["get", "--dry-run", "coco2017", "--shard", &shard, "--json"]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        for step in plan["steps"].as_array().unwrap() {
            if step["in_shard"] == true {
                *owners
                    .entry(step["resource"]["name"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
    }
    assert_eq!(owners.len(), 5);
    assert!(owners.values().all(|&count| count == 1), "{owners:?}");
}

#[test]
fn an_unknown_name_gets_a_suggestion() {
    let output = cocoprep(["get", "--dry-run", "coco-2017"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("did you mean `coco2017`"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn the_yolo_layout_puts_images_and_labels_where_ultralytics_looks_and_writes_the_yaml() {
    let server = TestServer::start();
    let image = sample("val2017/000000000139.jpg");
    let images_zip = zip_of(&[("val2017/000000000139.jpg", &image)]);
    let labels_zip = zip_of(&[
        (
            "coco/labels/val2017/000000000139.txt",
            b"0 0.5 0.5 0.2 0.2\n",
        ),
        ("coco/val2017.txt", b"./images/val2017/000000000139.jpg\n"),
    ]);
    server.add_bytes("/zips/val2017.zip", images_zip.clone());
    server.add_bytes("/labels.zip", labels_zip.clone());
    let resource = |name: &str,
                    url: &str,
                    bytes: &[u8],
                    destination: serde_json::Value,
                    strip: Option<&str>| {
        let mut value = serde_json::json!({
            "name": name, "description": name, "file_name": url.rsplit('/').next().unwrap(),
            "urls": [server.url(url)], "bytes": bytes.len(), "sha256": null, "md5": null,
            "source": "test", "archive": "zip", "destination": destination,
        });
        if let Some(strip) = strip {
            value["strip_prefix"] = serde_json::json!(strip);
        }
        value
    };
    let catalog = serde_json::json!({
        "schema": 1,
        "resources": [
            resource("val-images", "/zips/val2017.zip", &images_zip, serde_json::json!({"coco": "", "yolo": "images"}), None),
            resource("labels", "/labels.zip", &labels_zip, serde_json::json!({"coco": "yolo", "yolo": ""}), Some("coco/")),
        ],
        "bundles": [{
            "name": "tiny-yolo", "description": "", "layout": "yolo", "resources": ["val-images", "labels"],
            "dataset_yaml": {"file": "coco.yaml", "train": "val2017.txt", "val": "val2017.txt", "names": ["person", "no"]},
        }],
    });
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let dir = folder.path().join("datasets/coco");
    let output = cocoprep([
        "get",
        "tiny-yolo",
        "--catalog",
        &catalog_path,
        "--dir",
        &dir.to_string_lossy(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read(dir.join("images/val2017/000000000139.jpg")).unwrap(),
        image
    );
    assert!(dir.join("labels/val2017/000000000139.txt").is_file());
    assert!(dir.join("val2017.txt").is_file());
    let yaml = std::fs::read_to_string(dir.join("coco.yaml")).unwrap();
    assert!(
        yaml.contains(&format!(
            "path: {}",
            std::path::absolute(&dir).unwrap().display()
        )),
        "{yaml}"
    );
    assert!(
        yaml.contains("val: val2017.txt")
            && yaml.contains("  0: person")
            && yaml.contains("  1: \"no\""),
        "{yaml}"
    );
}

#[test]
fn get_shards_download_exactly_what_one_run_does() {
    let (_server, catalog) = sample_server();
    let folder = temp_dir();
    let catalog_path = write_catalog(folder.path(), &catalog);
    let make = |out: &Path| -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = ["get", "test-bundle", "--catalog", &catalog_path]
            .iter()
            .map(Into::into)
            .collect();
        args.push("--dir".into());
        args.push(out.into());
        args
    };
    // Manifests record when each resource was completed (seconds): everything else must be
    // byte-identical.
    crate::cluster::shards_equal_single_run(&make, &|out| out.to_owned(), &|name| {
        name.starts_with(".cocoprep/manifests/")
    });
}
