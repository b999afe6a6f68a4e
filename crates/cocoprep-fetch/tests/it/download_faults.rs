//! The download engine against a real HTTP server on loopback, one fault at a time. Each
//! fault must end in a verified file or a clear error, never a wrong file under the
//! final name.

use std::sync::Arc;
use std::time::Duration;

use cocoprep_base::progress::NoReporter;
use cocoprep_fetch::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};
use cocoprep_fetch::{Checksum, FetchError, HttpOptions, TransferError, error_chain, hash_file};
use cocoprep_test::http_server::{Body, Faults, TestServer, pseudo_random_bytes};
use cocoprep_test::temp_dir;

const SIZE: usize = 3 << 20;

fn options(connections: usize) -> DownloadOptions {
    DownloadOptions {
        connections,
        min_segment_bytes: 64 << 10,
        max_attempts: 5,
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        http: HttpOptions {
            read_timeout: Duration::from_secs(2),
            ..HttpOptions::default()
        },
        ..DownloadOptions::default()
    }
}

fn sha256_of(bytes: &[u8]) -> Checksum {
    let mut hasher = cocoprep_fetch::StreamingHasher::new(false);
    hasher.update(bytes);
    Checksum::Sha256(hasher.finish().sha256)
}

struct Case {
    server: TestServer,
    bytes: Vec<u8>,
    folder: tempfile::TempDir,
}

fn serve(faults: Faults) -> Case {
    let server = TestServer::start();
    let bytes = pseudo_random_bytes(SIZE, 7);
    server.add("/file.bin", Body::Memory(Arc::new(bytes.clone())), faults);
    Case {
        server,
        bytes,
        folder: temp_dir(),
    }
}

impl Case {
    fn request(&self, checksum: bool) -> DownloadRequest {
        DownloadRequest {
            label: "file.bin".into(),
            urls: vec![self.server.url("/file.bin")],
            destination: self.folder.path().join("file.bin"),
            expected_bytes: Some(self.bytes.len() as u64),
            checksum: checksum.then(|| sha256_of(&self.bytes)),
        }
    }

    fn fetch(
        &self,
        connections: usize,
    ) -> Result<cocoprep_fetch::download::Downloaded, FetchError> {
        Downloader::new(options(connections)).download(
            &self.request(true),
            ProgressSink {
                reporter: &NoReporter,
                total: None,
            },
        )
    }

    fn assert_verified(&self) {
        let path = self.folder.path().join("file.bin");
        assert_eq!(std::fs::read(&path).unwrap(), self.bytes);
        assert!(!self.folder.path().join("file.bin.part").exists());
        assert!(!self.folder.path().join("file.bin.part.journal").exists());
    }
}

#[test]
fn plain_download_over_four_ranges_is_verified() {
    let case = serve(Faults::default());
    let done = case.fetch(4).unwrap();
    case.assert_verified();
    assert_eq!(done.bytes, SIZE as u64);
    let ranges = case.server.log().iter().filter(|r| r.status == 206).count();
    assert_eq!(ranges, 4, "{:?}", case.server.log());
    let digests = hash_file(&case.folder.path().join("file.bin"), false).unwrap();
    assert_eq!(done.digests.unwrap().sha256, digests.sha256);
}

#[test]
fn connections_dropped_mid_body_are_resumed_from_where_they_stopped() {
    let case = serve(Faults {
        drop_after_bytes: Some(100_000),
        drop_times: 6,
        ..Faults::default()
    });
    case.fetch(4).unwrap();
    case.assert_verified();
    // Nothing was fetched twice: the bytes sent add up to the file (plus nothing).
    assert_eq!(case.server.body_bytes_sent(), SIZE as u64);
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let case = serve(Faults {
        fail_times: 3,
        fail_status: 503,
        ..Faults::default()
    });
    case.fetch(2).unwrap();
    case.assert_verified();
    assert_eq!(
        case.server.log().iter().filter(|r| r.status == 503).count(),
        3
    );
}

#[test]
fn persistent_server_errors_end_in_a_clear_error_and_no_file() {
    let case = serve(Faults {
        fail_times: 1000,
        ..Faults::default()
    });
    let error = case.fetch(2).unwrap_err();
    // The last HTTP failure is kept as the error's source, not flattened into its text.
    assert!(
        matches!(
            &error,
            FetchError::RetriesExhausted {
                last_error: TransferError::Status { status: 500 },
                ..
            }
        ),
        "{error:?}"
    );
    let error = error_chain(&error);
    assert!(
        error.contains("HTTP 500") && error.contains("attempts"),
        "{error}"
    );
    assert!(!case.folder.path().join("file.bin").exists());
}

#[test]
fn a_server_that_ignores_range_is_downloaded_in_one_stream() {
    let case = serve(Faults {
        ignore_range: true,
        drop_after_bytes: Some(1_000_000),
        drop_times: 2,
        ..Faults::default()
    });
    case.fetch(4).unwrap();
    case.assert_verified();
    assert!(case.server.log().iter().all(|r| r.status == 200));
}

#[test]
fn wrong_bytes_are_quarantined_and_fetched_again() {
    let case = serve(Faults {
        corrupt_times: 1,
        ..Faults::default()
    });
    case.fetch(4).unwrap();
    case.assert_verified();
    let quarantined = case.folder.path().join("file.bin.corrupt");
    assert!(quarantined.exists(), "the bad copy is kept for inspection");
    assert_ne!(std::fs::read(&quarantined).unwrap(), case.bytes);
}

#[test]
fn bytes_that_stay_wrong_end_in_a_checksum_error_and_no_file() {
    let case = serve(Faults {
        corrupt_times: 1000,
        ..Faults::default()
    });
    let error = case.fetch(4).unwrap_err();
    assert!(
        matches!(error, FetchError::ChecksumMismatch { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("expected") && message.contains("file.bin.corrupt"),
        "{message}"
    );
    assert!(!case.folder.path().join("file.bin").exists());
}

#[test]
fn redirects_are_followed_for_every_range() {
    let case = serve(Faults::default());
    case.server.add(
        "/moved.bin",
        Body::Memory(Arc::new(Vec::new())),
        Faults {
            redirect_to: Some("/file.bin".into()),
            ..Faults::default()
        },
    );
    let mut request = case.request(true);
    request.urls = vec![case.server.url("/moved.bin")];
    Downloader::new(options(4))
        .download(
            &request,
            ProgressSink {
                reporter: &NoReporter,
                total: None,
            },
        )
        .unwrap();
    case.assert_verified();
}

#[test]
fn stalled_connections_time_out_and_resume() {
    let case = serve(Faults {
        stall_after_bytes: Some(50_000),
        stall_times: 1,
        ..Faults::default()
    });
    case.fetch(2).unwrap();
    case.assert_verified();
}

#[test]
fn google_drive_confirmation_page_is_followed() {
    let case = serve(Faults {
        google_drive_confirm: true,
        ..Faults::default()
    });
    let mut request = case.request(true);
    request.urls = vec![case.server.url("/file.bin?export=download&id=1AbCdEf")];
    Downloader::new(options(4))
        .download(
            &request,
            ProgressSink {
                reporter: &NoReporter,
                total: None,
            },
        )
        .unwrap();
    case.assert_verified();
    assert!(
        case.server
            .log()
            .iter()
            .any(|r| r.target.contains("confirm=t"))
    );
}

#[test]
fn an_html_page_instead_of_the_file_is_an_error() {
    let case = serve(Faults {
        content_type: Some("text/html".into()),
        ..Faults::default()
    });
    let error = case.fetch(1).unwrap_err().to_string();
    assert!(error.contains("HTML page"), "{error}");
    assert!(!case.folder.path().join("file.bin").exists());
}

#[test]
fn the_next_mirror_is_used_when_the_first_fails() {
    let case = serve(Faults::default());
    let mut request = case.request(true);
    request.urls = vec![
        case.server.url("/missing.bin"),
        case.server.url("/file.bin"),
    ];
    Downloader::new(options(4))
        .download(
            &request,
            ProgressSink {
                reporter: &NoReporter,
                total: None,
            },
        )
        .unwrap();
    case.assert_verified();
}

#[test]
fn a_size_different_from_the_published_one_is_refused() {
    let case = serve(Faults::default());
    let mut request = case.request(false);
    request.expected_bytes = Some(SIZE as u64 + 1);
    let error = Downloader::new(options(4))
        .download(
            &request,
            ProgressSink {
                reporter: &NoReporter,
                total: None,
            },
        )
        .unwrap_err()
        .to_string();
    assert!(error.contains("catalog says"), "{error}");
    assert!(!case.folder.path().join("file.bin").exists());
}

#[test]
fn a_complete_file_is_not_downloaded_again() {
    let case = serve(Faults::default());
    case.fetch(4).unwrap();
    case.server.clear_log();
    let again = case.fetch(4).unwrap();
    assert!(again.already_complete);
    assert!(case.server.log().is_empty());
}

#[test]
fn an_interrupted_download_resumes_from_its_journal() {
    // The server is throttled; halfway it starts failing every request, so the download
    // gives up and leaves its journal. Then it serves normally and the download resumes.
    let case = serve(Faults {
        rate_bytes_per_second: Some(1 << 20),
        ..Faults::default()
    });
    let mut few_attempts = options(4);
    few_attempts.max_attempts = 2;
    let request = case.request(true);
    let error = std::thread::scope(|scope| {
        let download = scope.spawn(|| {
            Downloader::new(few_attempts).download(
                &request,
                ProgressSink {
                    reporter: &NoReporter,
                    total: None,
                },
            )
        });
        while case.server.body_bytes_sent() < (SIZE / 3) as u64 {
            std::thread::sleep(Duration::from_millis(20));
        }
        case.server.add(
            "/file.bin",
            Body::Memory(Arc::new(case.bytes.clone())),
            Faults {
                fail_times: usize::MAX,
                drop_after_bytes: Some(0),
                drop_times: usize::MAX,
                ..Faults::default()
            },
        );
        download.join().unwrap().unwrap_err()
    });
    assert!(
        matches!(error, FetchError::RetriesExhausted { .. }),
        "{error}"
    );
    assert!(case.folder.path().join("file.bin.part.journal").exists());
    assert!(!case.folder.path().join("file.bin").exists());
    let first_run = case.server.body_bytes_sent();
    case.server.add(
        "/file.bin",
        Body::Memory(Arc::new(case.bytes.clone())),
        Faults::default(),
    );
    case.fetch(4).unwrap();
    case.assert_verified();
    // The throttled connections were closed mid-body, so a few bytes in flight may have
    // been sent but not received; everything that reached the disk was not asked again.
    let second_run = case.server.body_bytes_sent() - first_run;
    assert!(
        second_run < SIZE as u64 - SIZE as u64 / 4,
        "resumed run fetched {second_run} bytes"
    );
}

#[test]
fn a_published_sha256_prefix_is_checked() {
    // torchvision publishes only the first 8 hex digits (`resnet101-63fe2227.pth`).
    let case = serve(Faults::default());
    let full = cocoprep_fetch::hash_file_bytes(&case.bytes);
    let mut request = case.request(false);
    request.checksum = Some(Checksum::Sha256Prefix("0".repeat(8)));
    let sink = ProgressSink {
        reporter: &NoReporter,
        total: None,
    };
    let error = Downloader::new(options(4))
        .download(&request, sink)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            FetchError::ChecksumMismatch {
                algorithm: "sha256 prefix",
                ..
            }
        ),
        "{error}"
    );
    assert!(!case.folder.path().join("file.bin").exists());
    request.checksum = Some(Checksum::Sha256Prefix(full[..8].to_owned()));
    Downloader::new(options(4))
        .download(&request, sink)
        .unwrap();
    case.assert_verified();
}
