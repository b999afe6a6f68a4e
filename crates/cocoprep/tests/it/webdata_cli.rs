//! `cocoprep webdata` against a loopback test world: real COCO JPEGs behind 20,040 URLs on
//! three hosts (127.0.0.2-4, reached by name through `--resolve`), with the faults real
//! URL lists have. Every row must end `success` or failed with its reason, none lost or
//! duplicated, and a run killed with SIGKILL and resumed must write the same shards.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cocoprep_test::cli::{assert_exit, stderr, stdout};
use cocoprep_test::http_server::{Body, Faults, TestServer};
use cocoprep_webdata::image::{EncodeFormat, ImageOptions, ResizeMode, process};
use cocoprep_webdata::output::read_index;
use cocoprep_webdata::sample::{Sample, Status};

use crate::{cocoprep, cocoprep_command};

/// What a row must end as.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expected {
    status: Status,
    message: Option<&'static str>,
}

const SUCCESS: Expected = Expected {
    status: Status::Success,
    message: None,
};

fn failed(status: Status, message: &'static str) -> Expected {
    Expected {
        status,
        message: Some(message),
    }
}

struct World {
    _servers: Vec<TestServer>,
    _silent: TcpListener,
    _folder: Box<dyn std::any::Any>,
    root: PathBuf,
    list: PathBuf,
    resolve: Vec<String>,
    expected: Vec<Expected>,
}

/// The real JPEGs of coco-mini, or `None` (the test skips) without the shared data.
fn coco_jpegs(limit: usize) -> Option<Vec<Vec<u8>>> {
    let folder = cocoprep_test::shared_data()?.join("coco-mini/train2017");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .ok()?
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    paths.truncate(limit);
    Some(paths.iter().map(|p| std::fs::read(p).unwrap()).collect())
}

/// Small versions of the real images (shorter side 24): where size does not matter they
/// keep 20,000 fetches quick on a loaded CI machine.
fn small_versions(images: &[Vec<u8>]) -> Vec<Arc<Vec<u8>>> {
    let options = ImageOptions {
        image_size: 24,
        resize_mode: ResizeMode::KeepRatio,
        encode_format: EncodeFormat::Jpeg,
        encode_quality: 90,
        ..ImageOptions::default()
    };
    let mut resizer = cocoprep_webdata::image::Resizer::new();
    images
        .iter()
        .map(|bytes| Arc::new(process(bytes, &options, &mut resizer).unwrap().bytes))
        .collect()
}

fn world(rows_ok: usize) -> Option<World> {
    let full = coco_jpegs(40)?;
    let small = small_versions(&full);
    let full: Vec<Arc<Vec<u8>>> = full.into_iter().map(Arc::new).collect();
    let good = TestServer::start_on("127.0.0.2:0").ok()?;
    let slow = TestServer::start_on("127.0.0.3:0").ok()?;
    let silent = TcpListener::bind("127.0.0.4:0").ok()?;
    let resolve = vec![
        format!("images.test:{}:127.0.0.2", good.address().port()),
        format!("slow.test:{}:127.0.0.3", slow.address().port()),
        format!(
            "silent.test:{}:127.0.0.4",
            silent.local_addr().unwrap().port()
        ),
    ];
    let good_url = |path: &str| format!("http://images.test:{}{path}", good.address().port());
    let slow_url = |path: &str| format!("http://slow.test:{}{path}", slow.address().port());
    let memory = |bytes: &Arc<Vec<u8>>| Body::Memory(Arc::clone(bytes));
    let mut rows: Vec<(String, Expected)> = Vec::new();
    for i in 0..rows_ok {
        let path = format!("/s/{i}.jpg");
        good.add(&path, memory(&small[i % small.len()]), Faults::default());
        rows.push((good_url(&path), SUCCESS));
    }
    for i in 0..150 {
        let path = format!("/full/{i}.jpg");
        good.add(&path, memory(&full[i % full.len()]), Faults::default());
        rows.push((good_url(&path), SUCCESS));
    }
    for i in 0..100 {
        let path = format!("/moved/{i}");
        let faults = Faults {
            redirect_to: Some(format!("/s/{i}.jpg")),
            ..Faults::default()
        };
        good.add(&path, memory(&small[0]), faults);
        rows.push((good_url(&path), SUCCESS));
    }
    for i in 0..200 {
        let expected = failed(Status::FailedToDownload, "http status 404");
        rows.push((good_url(&format!("/gone/{i}.jpg")), expected));
    }
    for i in 0..100 {
        let path = format!("/optout/{i}.jpg");
        let faults = Faults {
            headers: vec![("X-Robots-Tag".to_owned(), "noai".to_owned())],
            ..Faults::default()
        };
        good.add(&path, memory(&small[i % small.len()]), faults);
        let expected = failed(
            Status::FailedToDownload,
            "use of image disallowed by X-Robots-Tag directive",
        );
        rows.push((good_url(&path), expected));
    }
    let page = Arc::new(b"<html><body>this photo is no longer available</body></html>".to_vec());
    for i in 0..100 {
        let path = format!("/page/{i}");
        let faults = Faults {
            content_type: Some("text/html".to_owned()),
            ..Faults::default()
        };
        good.add(&path, memory(&page), faults);
        let expected = failed(Status::FailedToResize, "not an image (text or html body)");
        rows.push((good_url(&path), expected));
    }
    for i in 0..100 {
        let path = format!("/cut/{i}.jpg");
        let whole = &full[i % full.len()];
        good.add(
            &path,
            Body::Memory(Arc::new(whole[..whole.len() / 2].to_vec())),
            Faults::default(),
        );
        let expected = failed(
            Status::FailedToResize,
            "truncated image (no jpeg end marker)",
        );
        rows.push((good_url(&path), expected));
    }
    for i in 0..100 {
        let path = format!("/reset/{i}.jpg");
        let faults = Faults {
            drop_after_bytes: Some(2000),
            drop_times: usize::MAX,
            ..Faults::default()
        };
        good.add(&path, memory(&full[i % full.len()]), faults);
        let expected = failed(Status::FailedToDownload, "connection closed early");
        rows.push((good_url(&path), expected));
    }
    for i in 0..50 {
        let path = format!("/busy/{i}.jpg");
        let faults = Faults {
            fail_times: usize::MAX,
            fail_status: 503,
            ..Faults::default()
        };
        good.add(&path, memory(&small[0]), faults);
        rows.push((
            good_url(&path),
            failed(Status::FailedToDownload, "http status 503"),
        ));
    }
    for i in 0..100 {
        let path = format!("/s/{i}.jpg");
        let faults = Faults {
            rate_bytes_per_second: Some(50_000),
            ..Faults::default()
        };
        slow.add(&path, memory(&small[i % small.len()]), faults);
        rows.push((slow_url(&path), SUCCESS));
    }
    for i in 0..10 {
        let path = format!("/crawl/{i}.jpg");
        let faults = Faults {
            rate_bytes_per_second: Some(1000),
            ..Faults::default()
        };
        slow.add(&path, memory(&full[i % full.len()]), faults);
        rows.push((slow_url(&path), failed(Status::FailedToDownload, "timeout")));
    }
    let silent_port = silent.local_addr().unwrap().port();
    for i in 0..20 {
        let url = format!("http://silent.test:{silent_port}/{i}.jpg");
        rows.push((url, failed(Status::FailedToDownload, "timeout")));
    }
    for i in 0..10 {
        let url = format!("http://nowhere-{i}.invalid/{i}.jpg");
        rows.push((url, failed(Status::FailedToDownload, "host not found")));
    }
    // A fixed shuffle, so faults are spread over the shards.
    let mut state: u64 = 0x5eed;
    for index in (1..rows.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        rows.swap(index, (state >> 33) as usize % (index + 1));
    }
    let folder = cocoprep_test::temp_dir();
    let root = folder.path().to_owned();
    let list = root.join("urls.tsv");
    let mut text = String::from("url\tcaption\n");
    for (index, (url, _)) in rows.iter().enumerate() {
        text.push_str(&format!("{url}\tcaption of row {index}\n"));
    }
    std::fs::write(&list, text).unwrap();
    Some(World {
        _servers: vec![good, slow],
        _silent: silent,
        _folder: Box::new(folder),
        root,
        list,
        resolve,
        expected: rows.into_iter().map(|(_, expected)| expected).collect(),
    })
}

impl World {
    fn arguments(&self, output: &Path) -> Vec<String> {
        let mut arguments = vec![
            "webdata".to_owned(),
            self.list.to_string_lossy().into_owned(),
            "-o".to_owned(),
            output.to_string_lossy().into_owned(),
            "--caption-col".to_owned(),
            "caption".to_owned(),
            "--output-format".to_owned(),
            "webdataset".to_owned(),
            "--image-size".to_owned(),
            "64".to_owned(),
            "--number-sample-per-shard".to_owned(),
            "1000".to_owned(),
            "--timeout".to_owned(),
            "5".to_owned(),
            "--retries".to_owned(),
            "1".to_owned(),
            "--thread-count".to_owned(),
            "64".to_owned(),
        ];
        for resolve in &self.resolve {
            arguments.push("--resolve".to_owned());
            arguments.push(resolve.clone());
        }
        arguments
    }
}

/// Every row of every shard index in `output`, by row.
fn all_rows(output: &Path) -> BTreeMap<u64, Sample> {
    let mut rows = BTreeMap::new();
    for entry in std::fs::read_dir(output).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "parquet") {
            for sample in read_index(&path).unwrap() {
                let row = sample.row;
                assert!(
                    rows.insert(row, sample).is_none(),
                    "row {row} is in two indexes"
                );
            }
        }
    }
    rows
}

fn shard_files(output: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(output)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tar") || name.ends_with(".parquet"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_row_of_a_faulty_world_ends_with_its_reason_and_a_killed_run_resumes_to_the_same_shards() {
    let Some(world) = world(19_000) else {
        eprintln!("skipped: ../shared/data/coco-mini or 127.0.0.2-4 not available");
        return;
    };
    let rows = world.expected.len() as u64;
    assert!(rows >= 20_000);

    // An uninterrupted run.
    let whole = world.root.join("whole");
    let started = Instant::now();
    let output = cocoprep(world.arguments(&whole));
    assert_exit(&output, 0);
    eprintln!("20,040 rows in {:.1} s", started.elapsed().as_secs_f64());

    let found = all_rows(&whole);
    assert_eq!(
        found.len() as u64,
        rows,
        "every row is in exactly one index"
    );
    let mut mismatches = Vec::new();
    for (row, sample) in &found {
        let expected = &world.expected[*row as usize];
        let got = Expected {
            status: sample.status,
            message: None,
        };
        let message_matches = expected.message == sample.error_message.as_deref();
        if got.status != expected.status || !message_matches {
            mismatches.push(format!(
                "row {row} {}: expected {expected:?}, got {:?} {:?}",
                sample.url, sample.status, sample.error_message
            ));
        }
        assert_eq!(
            sample.caption.as_deref(),
            Some(format!("caption of row {row}").as_str())
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} rows differ:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );

    // The tars hold exactly the successes, as key.jpg/key.txt/key.json.
    let status_of_key: std::collections::HashMap<&str, Status> = found
        .values()
        .map(|sample| (sample.key.as_str(), sample.status))
        .collect();
    let mut members = 0;
    for name in shard_files(&whole)
        .iter()
        .filter(|name| name.ends_with(".tar"))
    {
        let file = std::fs::File::open(whole.join(name)).unwrap();
        for entry in tar::Archive::new(file).entries().unwrap() {
            let entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let key = path.split('.').next().unwrap().to_owned();
            let status = status_of_key
                .get(key.as_str())
                .expect("every member belongs to a row");
            assert_eq!(*status, Status::Success, "{path}");
            members += 1;
        }
    }
    let successes = found
        .values()
        .filter(|s| s.status == Status::Success)
        .count();
    assert_eq!(members, successes * 3);

    // `status` agrees and says the folder is complete.
    let output = cocoprep(["webdata", "status", whole.to_str().unwrap(), "--json"]);
    assert_exit(&output, 0);
    let status: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(status["complete"], true);
    assert_eq!(status["totals"]["count"], rows);
    assert_eq!(status["totals"]["successes"], successes as u64);
    assert_eq!(status["errors"]["http status 404"], 200);

    // A run killed with SIGKILL once some shards are done, then resumed.
    let resumed = world.root.join("resumed");
    let mut child = cocoprep_command()
        .args(world.arguments(&resumed))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = std::fs::read_dir(&resumed)
            .map(|entries| {
                entries
                    .filter(|e| {
                        e.as_ref()
                            .is_ok_and(|e| e.file_name().to_string_lossy().ends_with("_stats.json"))
                    })
                    .count()
            })
            .unwrap_or(0);
        if done >= 3 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let killed = child.wait().unwrap();
    assert!(!killed.success(), "the run was killed before it finished");
    let started = Instant::now();
    let output = cocoprep(world.arguments(&resumed));
    assert_exit(&output, 0);
    eprintln!("resumed in {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        stderr(&output).contains("already complete"),
        "{}",
        stderr(&output)
    );
    let leftovers: Vec<String> = std::fs::read_dir(&resumed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-") || name.contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
    assert_eq!(shard_files(&resumed), shard_files(&whole));
    for name in shard_files(&whole) {
        if name.ends_with(".tar") {
            assert!(
                std::fs::read(whole.join(&name)).unwrap()
                    == std::fs::read(resumed.join(&name)).unwrap(),
                "{name} differs after kill -9 and resume"
            );
        } else {
            assert_eq!(
                read_index(&whole.join(&name)).unwrap(),
                read_index(&resumed.join(&name)).unwrap(),
                "{name} differs after kill -9 and resume"
            );
        }
    }
}

#[test]
fn array_tasks_split_the_shards_status_names_the_missing_ones_and_retry_failed_rewrites_only_changed_shards()
 {
    let Some(full) = coco_jpegs(5) else {
        eprintln!("skipped: ../shared/data/coco-mini not available");
        return;
    };
    let small = small_versions(&full);
    let server = TestServer::start();
    let folder = cocoprep_test::temp_dir();
    let list = folder.path().join("urls.txt");
    let mut text = String::new();
    for i in 0..30 {
        // Rows 0-4 answer 503 once: a transient failure that a later retry fixes.
        let path = if i < 5 {
            format!("/flaky/{i}.jpg")
        } else {
            format!("/ok/{i}.jpg")
        };
        let faults = Faults {
            fail_times: usize::from(i < 5),
            fail_status: 503,
            ..Faults::default()
        };
        server.add(
            &path,
            Body::Memory(Arc::clone(&small[i % small.len()])),
            faults,
        );
        text.push_str(&server.url(&path));
        text.push('\n');
    }
    std::fs::write(&list, text).unwrap();
    let output_folder = folder.path().join("out");
    let arguments = |extra: &[&str]| {
        let mut arguments = vec![
            "webdata".to_owned(),
            list.to_string_lossy().into_owned(),
            "-o".to_owned(),
            output_folder.to_string_lossy().into_owned(),
            "--output-format".to_owned(),
            "webdataset".to_owned(),
            "--number-sample-per-shard".to_owned(),
            "10".to_owned(),
        ];
        arguments.extend(extra.iter().map(|s| (*s).to_owned()));
        arguments
    };
    let out = output_folder.to_str().unwrap();

    assert_exit(&cocoprep(arguments(&["--shard", "0/2"])), 0);
    let output = cocoprep(["webdata", "status", out, "--json"]);
    assert_exit(&output, 1);
    let status: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(status["complete_shards"], serde_json::json!([0, 2]));
    assert_eq!(status["missing_shards"], serde_json::json!([1]));
    assert_eq!(status["array"], "1");

    let output = cocoprep(arguments(&["--shard", "1/2"]));
    assert_exit(&output, 0);
    let rows = all_rows(&output_folder);
    assert_eq!(
        rows.len(),
        30,
        "the two tasks together wrote every row once"
    );
    let failed: Vec<u64> = rows
        .values()
        .filter(|s| s.status != Status::Success)
        .map(|s| s.row)
        .collect();
    assert_eq!(failed, [0, 1, 2, 3, 4]);
    assert!(rows[&0].transient);
    let output = cocoprep(["webdata", "status", out]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("http status 503"),
        "{}",
        stdout(&output)
    );

    let untouched = std::fs::metadata(output_folder.join("00001.tar"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let output = cocoprep(arguments(&["--retry-failed", "--json"]));
    assert_exit(&output, 0);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(summary["shards_retried"], 1);
    assert_eq!(summary["rows_retried"], 5);
    let rows = all_rows(&output_folder);
    assert!(rows.values().all(|s| s.status == Status::Success));
    let modified = std::fs::metadata(output_folder.join("00001.tar"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        modified, untouched,
        "a shard without failures is not rewritten"
    );
    let file = std::fs::File::open(output_folder.join("00000.tar")).unwrap();
    let members = tar::Archive::new(file).entries().unwrap().count();
    assert_eq!(
        members, 20,
        "shard 0 now holds its 10 images and their metadata"
    );
}
