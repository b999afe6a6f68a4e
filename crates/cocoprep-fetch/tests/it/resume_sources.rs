//! Which partial downloads are resumed and which start over (issue 16): the journal
//! belongs to the output file and its expected content, so another mirror of the same
//! file continues it, while a file that changed behind its URL is fetched again, with a
//! warning that names the file and the reason.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cocoprep_base::progress::{ProgressUnit, Reporter, TaskId};
use cocoprep_fetch::download::{
    DownloadOptions, DownloadRequest, Downloaded, Downloader, ProgressSink,
};
use cocoprep_fetch::{Checksum, FetchError, HttpOptions};
use cocoprep_test::http_server::{Body, Faults, TestServer, pseudo_random_bytes};
use cocoprep_test::temp_dir;

const SIZE: usize = 4 << 20;

/// Keeps the warnings, to assert what the user is told.
#[derive(Default)]
struct Warnings(Mutex<Vec<String>>);

impl Reporter for Warnings {
    fn on_task_start(&self, _label: &str, _total: Option<u64>, _unit: ProgressUnit) -> TaskId {
        TaskId(0)
    }
    fn on_task_progress(&self, _task: TaskId, _advanced: u64) {}
    fn on_task_complete(&self, _task: TaskId) {}
    fn on_warning(&self, message: &str) {
        self.0.lock().unwrap().push(message.to_owned());
    }
}

impl Warnings {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

fn options() -> DownloadOptions {
    DownloadOptions {
        connections: 4,
        min_segment_bytes: 64 << 10,
        max_attempts: 2,
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        http: HttpOptions {
            read_timeout: Duration::from_secs(2),
            ..HttpOptions::default()
        },
        ..DownloadOptions::default()
    }
}

fn sha256_of(bytes: &[u8]) -> Checksum {
    Checksum::Sha256(cocoprep_fetch::hash_file_bytes(bytes))
}

fn throttled() -> Faults {
    Faults {
        rate_bytes_per_second: Some(1 << 20),
        ..Faults::default()
    }
}

/// A route that refuses every request, so that a download running against it gives up
/// and keeps its journal.
fn broken() -> Faults {
    Faults {
        fail_times: usize::MAX,
        drop_after_bytes: Some(0),
        drop_times: usize::MAX,
        ..Faults::default()
    }
}

/// Runs `request` while `server` serves `path` throttled; once a third of the file was
/// sent, `path` starts failing every request. Returns what the download returned.
fn download_broken_midway(
    request: &DownloadRequest,
    server: &TestServer,
    path: &str,
    bytes: &[u8],
    reporter: &dyn Reporter,
) -> Result<Downloaded, FetchError> {
    let sent_before = server.body_bytes_sent();
    std::thread::scope(|scope| {
        let download = scope.spawn(|| {
            Downloader::new(options()).download(
                request,
                ProgressSink {
                    reporter,
                    total: None,
                },
            )
        });
        while server.body_bytes_sent() - sent_before < (SIZE / 3) as u64 {
            std::thread::sleep(Duration::from_millis(10));
        }
        server.add(path, Body::Memory(Arc::new(bytes.to_vec())), broken());
        download.join().unwrap()
    })
}

fn fetch(request: &DownloadRequest, reporter: &dyn Reporter) -> Downloaded {
    Downloader::new(options())
        .download(
            request,
            ProgressSink {
                reporter,
                total: None,
            },
        )
        .unwrap()
}

#[test]
fn the_next_mirror_resumes_the_partial_file_of_the_one_that_failed() {
    let bytes = pseudo_random_bytes(SIZE, 21);
    let first = TestServer::start();
    let second = TestServer::start();
    first.add(
        "/a/file.bin",
        Body::Memory(Arc::new(bytes.clone())),
        throttled(),
    );
    // Another host, with ETags of its own: they must not be compared with the first's.
    second.add(
        "/mirror/file.bin",
        Body::Memory(Arc::new(bytes.clone())),
        Faults {
            etag: Some("\"mirror-etag\"".into()),
            ..Faults::default()
        },
    );
    let folder = temp_dir();
    let request = DownloadRequest {
        label: "file.bin".into(),
        urls: vec![first.url("/a/file.bin"), second.url("/mirror/file.bin")],
        destination: folder.path().join("file.bin"),
        expected_bytes: Some(SIZE as u64),
        checksum: Some(sha256_of(&bytes)),
    };
    let warnings = Warnings::default();
    let done = download_broken_midway(&request, &first, "/a/file.bin", &bytes, &warnings)
        .expect("the mirror finishes the file");
    assert_eq!(
        std::fs::read(folder.path().join("file.bin")).unwrap(),
        bytes
    );
    assert_eq!(done.url, second.url("/mirror/file.bin"));
    let missing = SIZE as u64 - done.resumed_bytes;
    let sent = second.body_bytes_sent();
    eprintln!(
        "mirror resume: {} of {SIZE} bytes kept from the first mirror, {missing} missing, \
         the second mirror sent {sent}",
        done.resumed_bytes
    );
    assert!(done.resumed_bytes >= (SIZE / 4) as u64, "{done:?}");
    assert!(
        (sent as f64) < 1.1 * missing as f64,
        "the mirror sent {sent} bytes for {missing} missing ones"
    );
    assert!(
        !warnings.all().iter().any(|w| w.contains("starting over")),
        "{:?}",
        warnings.all()
    );
}

#[test]
fn without_a_checksum_another_source_starts_over_with_a_warning() {
    let bytes = pseudo_random_bytes(SIZE, 22);
    let first = TestServer::start();
    let second = TestServer::start();
    first.add(
        "/file.bin",
        Body::Memory(Arc::new(bytes.clone())),
        throttled(),
    );
    second.add_bytes("/file.bin", bytes.clone());
    let folder = temp_dir();
    let mut request = DownloadRequest {
        label: "file.bin".into(),
        urls: vec![first.url("/file.bin")],
        destination: folder.path().join("file.bin"),
        expected_bytes: None,
        checksum: None,
    };
    download_broken_midway(&request, &first, "/file.bin", &bytes, &Warnings::default())
        .unwrap_err();
    request.urls = vec![second.url("/file.bin")];
    let warnings = Warnings::default();
    let done = fetch(&request, &warnings);
    assert_eq!(done.resumed_bytes, 0);
    assert_eq!(
        std::fs::read(folder.path().join("file.bin")).unwrap(),
        bytes
    );
    let warnings = warnings.all();
    assert!(
        warnings.iter().any(|w| w.contains("file.bin")
            && w.contains("cannot be resumed")
            && w.contains("checksum")),
        "{warnings:?}"
    );
}

/// Interrupts a download of `before` at `/file.bin`, then serves `after` there with
/// `faults` and downloads again; returns the warnings of the second run.
fn content_changes_behind_the_url(before: &[u8], after: &[u8], faults: Faults) -> Vec<String> {
    let server = TestServer::start();
    server.add(
        "/file.bin",
        Body::Memory(Arc::new(before.to_vec())),
        throttled(),
    );
    let folder = temp_dir();
    let request = DownloadRequest {
        label: "file.bin".into(),
        urls: vec![server.url("/file.bin")],
        destination: folder.path().join("file.bin"),
        expected_bytes: None,
        checksum: None,
    };
    download_broken_midway(&request, &server, "/file.bin", before, &Warnings::default())
        .unwrap_err();
    assert!(folder.path().join("file.bin.part.journal").exists());
    server.add("/file.bin", Body::Memory(Arc::new(after.to_vec())), faults);
    let warnings = Warnings::default();
    let done = fetch(&request, &warnings);
    assert_eq!(done.resumed_bytes, 0, "nothing of the old file is kept");
    assert_eq!(
        std::fs::read(folder.path().join("file.bin")).unwrap(),
        after
    );
    assert!(!folder.path().join("file.bin.part.journal").exists());
    warnings.all()
}

#[test]
fn a_file_whose_size_changed_behind_its_url_starts_over_with_a_warning() {
    let before = pseudo_random_bytes(SIZE, 23);
    let after = pseudo_random_bytes(SIZE + 1000, 24);
    let warnings = content_changes_behind_the_url(&before, &after, Faults::default());
    assert!(
        warnings.iter().any(|w| w.contains("file.bin")
            && w.contains("cannot be resumed")
            && w.contains(&format!("{} bytes", SIZE + 1000))),
        "{warnings:?}"
    );
}

#[test]
fn a_file_whose_etag_changed_behind_its_url_starts_over_with_a_warning() {
    let before = pseudo_random_bytes(SIZE, 25);
    let after = pseudo_random_bytes(SIZE, 26);
    let warnings = content_changes_behind_the_url(
        &before,
        &after,
        Faults {
            etag: Some("\"second-version\"".into()),
            ..Faults::default()
        },
    );
    assert!(
        warnings.iter().any(|w| w.contains("file.bin")
            && w.contains("cannot be resumed")
            && w.contains("ETag")),
        "{warnings:?}"
    );
}

#[test]
fn a_file_whose_last_modified_changed_behind_its_url_starts_over_with_a_warning() {
    // No ETags at all: `Last-Modified` is the validator.
    let before = pseudo_random_bytes(SIZE, 27);
    let after = pseudo_random_bytes(SIZE, 28);
    let server = TestServer::start();
    let dated = |date: &str, rate: Option<u64>| Faults {
        no_etag: true,
        last_modified: Some(date.to_owned()),
        rate_bytes_per_second: rate,
        ..Faults::default()
    };
    server.add(
        "/file.bin",
        Body::Memory(Arc::new(before.clone())),
        dated("Mon, 01 Jan 2024 00:00:00 GMT", Some(1 << 20)),
    );
    let folder = temp_dir();
    let request = DownloadRequest {
        label: "file.bin".into(),
        urls: vec![server.url("/file.bin")],
        destination: folder.path().join("file.bin"),
        expected_bytes: None,
        checksum: None,
    };
    download_broken_midway(
        &request,
        &server,
        "/file.bin",
        &before,
        &Warnings::default(),
    )
    .unwrap_err();
    server.add(
        "/file.bin",
        Body::Memory(Arc::new(after.clone())),
        dated("Tue, 02 Jan 2024 00:00:00 GMT", None),
    );
    let warnings = Warnings::default();
    let done = fetch(&request, &warnings);
    assert_eq!(done.resumed_bytes, 0);
    assert_eq!(
        std::fs::read(folder.path().join("file.bin")).unwrap(),
        after
    );
    assert!(
        warnings
            .all()
            .iter()
            .any(|w| w.contains("file.bin") && w.contains("Last-Modified")),
        "{:?}",
        warnings.all()
    );
}

#[test]
fn an_unchanged_file_behind_the_same_url_is_resumed() {
    let bytes = pseudo_random_bytes(SIZE, 29);
    let server = TestServer::start();
    server.add(
        "/file.bin",
        Body::Memory(Arc::new(bytes.clone())),
        throttled(),
    );
    let folder = temp_dir();
    let request = DownloadRequest {
        label: "file.bin".into(),
        urls: vec![server.url("/file.bin")],
        destination: folder.path().join("file.bin"),
        expected_bytes: None,
        checksum: None,
    };
    download_broken_midway(&request, &server, "/file.bin", &bytes, &Warnings::default())
        .unwrap_err();
    server.add_bytes("/file.bin", bytes.clone());
    let warnings = Warnings::default();
    let done = fetch(&request, &warnings);
    assert!(done.resumed_bytes > 0);
    assert_eq!(
        std::fs::read(folder.path().join("file.bin")).unwrap(),
        bytes
    );
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}
