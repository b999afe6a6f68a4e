//! Google Drive's large-file flow against two loopback servers standing for its two hosts:
//! `drive.google.com/uc?export=download&id=ID` answers with the "can't scan this file for
//! viruses" page, whose form sends the browser to `drive.usercontent.google.com/download`
//! with `id`, `export`, `confirm` and `uuid`; that host serves the file (with ranges).

use std::sync::Arc;
use std::time::Duration;

use cocoprep_base::progress::NoReporter;
use cocoprep_fetch::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};
use cocoprep_fetch::{Checksum, HttpOptions};
use cocoprep_test::http_server::{Body, Faults, TestServer, pseudo_random_bytes};
use cocoprep_test::temp_dir;

const SIZE: usize = 3 << 20;
/// VSUA's `vsua_box_info.pkl` (captioning spec §17).
const ID: &str = "1G9_ZdjyIprl2wyWCExslWTWOimJf3x8G";

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

struct Drive {
    page_host: TestServer,
    file_host: TestServer,
    bytes: Vec<u8>,
}

impl Drive {
    fn start(rate_bytes_per_second: Option<u64>) -> Self {
        let drive = Self {
            page_host: TestServer::start(),
            file_host: TestServer::start(),
            bytes: pseudo_random_bytes(SIZE, 31),
        };
        drive.serve(rate_bytes_per_second);
        drive
    }

    fn serve(&self, rate_bytes_per_second: Option<u64>) {
        let body = Body::Memory(Arc::new(self.bytes.clone()));
        self.page_host.add(
            "/uc",
            body.clone(),
            Faults {
                google_drive_confirm: true,
                google_drive_form_action: Some(self.file_host.url("/download")),
                google_drive_file_name: Some("vsua_box_info.pkl".into()),
                ..Faults::default()
            },
        );
        self.file_host.add(
            "/download",
            body,
            Faults {
                google_drive_confirm: true,
                rate_bytes_per_second,
                ..Faults::default()
            },
        );
    }

    fn request(&self, folder: &std::path::Path) -> DownloadRequest {
        DownloadRequest {
            label: "vsua_box_info.pkl".into(),
            urls: vec![self.page_host.url(&format!("/uc?export=download&id={ID}"))],
            destination: folder.join("vsua_box_info.pkl"),
            expected_bytes: None,
            checksum: Some(Checksum::Sha256(cocoprep_fetch::hash_file_bytes(
                &self.bytes,
            ))),
        }
    }
}

fn sink() -> ProgressSink<'static> {
    ProgressSink {
        reporter: &NoReporter,
        total: None,
    }
}

#[test]
fn the_virus_scan_warning_page_is_confirmed_on_the_usercontent_host() {
    let drive = Drive::start(None);
    let folder = temp_dir();
    let done = Downloader::new(options())
        .download(&drive.request(folder.path()), sink())
        .unwrap();
    assert_eq!(
        std::fs::read(folder.path().join("vsua_box_info.pkl")).unwrap(),
        drive.bytes
    );
    assert!(
        done.url.starts_with(&drive.file_host.url("/download?")),
        "{}",
        done.url
    );
    // One HTML page from the Drive host, then only the file host, always confirmed.
    let pages = drive.page_host.log();
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert!(pages[0].target.contains(ID));
    let files = drive.file_host.log();
    assert!(files.iter().all(|r| {
        r.target.contains(&format!("id={ID}"))
            && r.target.contains("confirm=t")
            && r.target.contains("uuid=")
            && r.status == 206
    }));
    assert_eq!(files.len(), 4, "four ranges: {files:?}");
}

#[test]
fn an_interrupted_drive_download_resumes_through_a_new_confirmation() {
    let drive = Drive::start(Some(1 << 20));
    let folder = temp_dir();
    let request = drive.request(folder.path());
    let error = std::thread::scope(|scope| {
        let download = scope.spawn(|| Downloader::new(options()).download(&request, sink()));
        while drive.file_host.body_bytes_sent() < (SIZE / 3) as u64 {
            std::thread::sleep(Duration::from_millis(10));
        }
        drive.file_host.add(
            "/download",
            Body::Memory(Arc::new(drive.bytes.clone())),
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
        folder
            .path()
            .join("vsua_box_info.pkl.part.journal")
            .exists(),
        "{error}"
    );
    drive.serve(None);
    drive.page_host.clear_log();
    let sent_before = drive.file_host.body_bytes_sent();
    let done = Downloader::new(options())
        .download(&request, sink())
        .unwrap();
    assert_eq!(
        std::fs::read(folder.path().join("vsua_box_info.pkl")).unwrap(),
        drive.bytes
    );
    assert!(done.resumed_bytes >= (SIZE / 4) as u64, "{done:?}");
    // The confirmation (its uuid may have expired) was asked for again...
    assert_eq!(drive.page_host.log().len(), 1);
    // ...and only the missing bytes came from the file host.
    let missing = SIZE as u64 - done.resumed_bytes;
    let sent = drive.file_host.body_bytes_sent() - sent_before;
    assert!(
        (sent as f64) < 1.1 * missing as f64,
        "sent {sent} for {missing} missing bytes"
    );
}
