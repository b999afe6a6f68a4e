//! `show`, `inspect --html` and `view` on the real COCO sample: pictures written, the
//! report self-contained, the viewer bound to 127.0.0.1 and refusing paths outside the
//! dataset, and both pages checked in a real headless Chromium (scripts/browser_check.py,
//! screenshots in target/test-artifacts/look/).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use cocoprep_test::cli::{assert_exit, stderr, stdout};
use cocoprep_test::{fixtures, repo_root, temp_dir};

use crate::{cocoprep, cocoprep_command};

fn sample() -> PathBuf {
    fixtures().join("coco-sample")
}

fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(BufReader::new(std::fs::File::open(path).unwrap()));
    let info = decoder.read_info().unwrap();
    (info.info().width, info.info().height)
}

#[test]
fn show_draws_one_image_by_id_and_several_into_a_folder() {
    let out = temp_dir();
    let annotations = sample().join("annotations/instances_val2017.json");
    let one = out.path().join("139.png");
    let output = cocoprep([
        "show".as_ref(),
        annotations.as_os_str(),
        "--image".as_ref(),
        "139".as_ref(),
        "-o".as_ref(),
        one.as_os_str(),
    ]);
    assert_exit(&output, 0);
    assert_eq!(png_size(&one), (640, 426));
    let folder = out.path().join("pictures");
    let output = cocoprep([
        "show".as_ref(),
        annotations.as_os_str(),
        "--image".as_ref(),
        "000000255165.jpg".as_ref(),
        "397133".as_ref(),
        "--hide".as_ref(),
        "labels".as_ref(),
        "-o".as_ref(),
        folder.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    let written: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(written.as_array().unwrap().len(), 2);
    assert_eq!(png_size(&folder.join("000000255165.png")), (640, 480));
    assert_eq!(png_size(&folder.join("000000397133.png")), (640, 427));
}

#[test]
fn show_writes_captions_under_the_picture_and_names_a_missing_image() {
    let out = temp_dir();
    let captions = sample().join("annotations/captions_val2017.json");
    let picture = out.path().join("139.png");
    let output = cocoprep([
        "show".as_ref(),
        captions.as_os_str(),
        "--image".as_ref(),
        "139".as_ref(),
        "-o".as_ref(),
        picture.as_os_str(),
    ]);
    assert_exit(&output, 0);
    let (width, height) = png_size(&picture);
    assert_eq!(width, 640);
    assert!(
        height > 426,
        "captions panel under the 426-pixel image: {height}"
    );
    let output = cocoprep([
        "show".as_ref(),
        captions.as_os_str(),
        "--image".as_ref(),
        "4242".as_ref(),
        "-o".as_ref(),
        picture.as_os_str(),
    ]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no image `4242`"),
        "{}",
        stderr(&output)
    );
}

fn write_report(out: &Path) -> PathBuf {
    let report = out.join("report.html");
    let annotations = sample().join("annotations/instances_val2017.json");
    let output = cocoprep([
        "inspect".as_ref(),
        annotations.as_os_str(),
        "--html".as_ref(),
        report.as_os_str(),
    ]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("thumbnails)"),
        "{}",
        stderr(&output)
    );
    report
}

#[test]
fn the_html_report_is_one_self_contained_file() {
    let out = temp_dir();
    let report = std::fs::read_to_string(write_report(out.path())).unwrap();
    for id in [
        "chart-categories",
        "chart-area",
        "chart-aspect",
        "chart-boxes-per-image",
    ] {
        assert!(report.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert!(report.matches("src=\"data:image/jpeg;base64,").count() >= 30);
    for external in [
        "src=\"http",
        "href=\"http",
        "<script src",
        "<link rel=\"stylesheet\"",
    ] {
        assert!(!report.contains(external), "external resource: {external}");
    }
}

/// A `cocoprep view` process, stopped when dropped.
struct RunningViewer {
    child: Child,
    url: String,
}

impl Drop for RunningViewer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_viewer(dataset: &Path, extra: &[&str]) -> RunningViewer {
    let mut command: Command = cocoprep_command();
    command
        .arg("view")
        .arg(dataset)
        .args(["--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("cocoprep view starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    RunningViewer {
        child,
        url: url.trim().to_owned(),
    }
}

/// Sends a raw request line (no client-side path normalisation) and returns the status.
fn raw_status(url: &str, target: &str) -> u16 {
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response)
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_viewer_listens_on_loopback_only_and_refuses_paths_outside_the_dataset() {
    let viewer = start_viewer(&sample().join("annotations/instances_val2017.json"), &[]);
    assert!(
        viewer.url.starts_with("http://127.0.0.1:"),
        "{}",
        viewer.url
    );
    assert_eq!(raw_status(&viewer.url, "/api/info"), 200);
    assert_eq!(raw_status(&viewer.url, "/image/139"), 200);
    for target in [
        "/../annotations/instances_val2017.json",
        "/image/..%2F..%2Fannotations%2Finstances_val2017.json",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/thumb/..\\..\\x.jpg",
    ] {
        assert_eq!(raw_status(&viewer.url, target), 403, "{target}");
    }
    assert_eq!(raw_status(&viewer.url, "/etc/passwd"), 404);
    // Not reachable through this machine's other addresses.
    let port: u16 = viewer
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let outward = UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| socket.connect("192.0.2.1:9").map(|()| socket))
        .and_then(|socket| socket.local_addr())
        .map(|address| address.ip());
    match outward {
        Ok(ip @ IpAddr::V4(v4)) if !v4.is_loopback() && !v4.is_unspecified() => {
            assert!(
                TcpStream::connect((ip, port)).is_err(),
                "the viewer answered on {ip}"
            );
        }
        other => {
            eprintln!("skipped the outside-address check: no non-loopback address ({other:?})")
        }
    }
}

#[test]
fn the_viewer_serves_a_file_name_that_climbs_out_of_the_folder_as_forbidden() {
    let folder = temp_dir();
    let annotations = folder.path().join("hostile.json");
    std::fs::write(
        &annotations,
        r#"{"images": [{"id": 1, "width": 4, "height": 3, "file_name": "../secret.jpg"}],
            "annotations": [], "categories": []}"#,
    )
    .unwrap();
    std::fs::write(folder.path().join("secret.jpg"), b"not for you").unwrap();
    let images = folder.path().join("images");
    std::fs::create_dir(&images).unwrap();
    let viewer = start_viewer(&annotations, &["--images", images.to_str().unwrap()]);
    assert_eq!(raw_status(&viewer.url, "/image/1"), 403);
}

/// Why the browser check cannot run here, if it cannot.
fn browser_missing(python: &Path) -> Option<String> {
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(tool).exists() {
            return Some(format!(
                "{tool} is missing (Debian chromium, chromium-driver)"
            ));
        }
    }
    let selenium = Command::new(python)
        .args(["-c", "import selenium"])
        .output();
    match selenium {
        Ok(output) if output.status.success() => None,
        _ => Some(format!(
            "selenium is not importable by {}",
            python.display()
        )),
    }
}

#[test]
fn browser_report_and_viewer_load_without_console_errors_and_filters_change_the_grid() {
    let python = std::env::var_os("COCOPREP_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    if let Some(reason) = browser_missing(&python) {
        eprintln!("skipped the browser check: {reason}");
        return;
    }
    let out = temp_dir();
    let report = write_report(out.path());
    let viewer = start_viewer(&sample().join("annotations/instances_val2017.json"), &[]);
    let artifacts = repo_root().join("target/test-artifacts/look");
    let output = Command::new(&python)
        .arg(repo_root().join("scripts/browser_check.py"))
        .arg(&report)
        .arg(&viewer.url)
        .arg(&artifacts)
        .output()
        .expect("python starts");
    let measured = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser check failed:\n{measured}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "browser check: {measured}screenshots in {}",
        artifacts.display()
    );
    for screenshot in [
        "report.png",
        "viewer-grid.png",
        "viewer-person.png",
        "viewer-full.png",
    ] {
        assert!(artifacts.join(screenshot).is_file(), "no {screenshot}");
    }
}

#[test]
fn show_and_view_read_a_yolo_dataset_through_its_yaml() {
    let out = temp_dir();
    let yolo = out.path().join("yolo");
    let output = cocoprep([
        "convert".as_ref(),
        "yolo".as_ref(),
        sample()
            .join("annotations/instances_val2017.json")
            .as_os_str(),
        "--segments".as_ref(),
        "--images".as_ref(),
        sample().join("val2017").as_os_str(),
        "--link".as_ref(),
        "copy".as_ref(),
        "-q".as_ref(),
        "-o".as_ref(),
        yolo.as_os_str(),
    ]);
    assert_exit(&output, 0);
    let picture = out.path().join("139.png");
    let output = cocoprep([
        "show".as_ref(),
        yolo.join("data.yaml").as_os_str(),
        "--image".as_ref(),
        "000000000139.jpg".as_ref(),
        "-o".as_ref(),
        picture.as_os_str(),
    ]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("20 annotations"),
        "{}",
        stderr(&output)
    );
    assert_eq!(png_size(&picture), (640, 426));
    let viewer = start_viewer(&yolo.join("data.yaml"), &[]);
    assert_eq!(raw_status(&viewer.url, "/image/139"), 200);
    assert_eq!(raw_status(&viewer.url, "/thumb/139.jpg"), 200);
}

#[test]
fn show_and_view_read_a_karpathy_file_as_images_with_captions() {
    let out = temp_dir();
    let karpathy = out.path().join("dataset_coco.json");
    std::fs::write(
        &karpathy,
        r#"{"images": [{"filepath": "val2017", "filename": "000000000139.jpg", "cocoid": 139,
            "imgid": 0, "split": "val", "sentences": [
              {"tokens": ["a", "living", "room"], "raw": "A living room with a television.", "imgid": 0, "sentid": 0},
              {"tokens": ["a", "room"], "raw": "A room with chairs and a table.", "imgid": 0, "sentid": 1}]}],
          "dataset": "coco"}"#,
    )
    .unwrap();
    let picture = out.path().join("139.png");
    let output = cocoprep([
        "show".as_ref(),
        karpathy.as_os_str(),
        "--images".as_ref(),
        sample().as_os_str(),
        "--image".as_ref(),
        "139".as_ref(),
        "-o".as_ref(),
        picture.as_os_str(),
    ]);
    assert_exit(&output, 0);
    let (width, height) = png_size(&picture);
    assert_eq!(width, 640);
    assert!(height > 426, "captions panel under the photo: {height}");
    let viewer = start_viewer(&karpathy, &["--images", sample().to_str().unwrap()]);
    let address = viewer
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /api/images?q=television HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.contains("\"total\":1"), "{response}");
}
