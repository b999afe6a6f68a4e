//! Demo step for `cocoprep get`: the sample is served from a web server on loopback
//! (started here, so the demo works offline) and fetched the way COCO is fetched: a
//! catalog with published sizes and SHA-256s, multi-connection downloads, extraction with
//! CRC checks, manifests (a second run does no network work), a subset download from
//! each image's `coco_url`, and `verify`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context;
use cocoprep_fetch::catalog::Catalog;
use cocoprep_fetch::get::GetOptions;
use cocoprep_fetch::subset::{SubsetRequest, run_subset};
use cocoprep_fetch::verify::{VerifyOptions, verify_tree};

use super::{DemoContext, DemoReport};
use crate::sample;

/// A minimal static server: GET with an optional single `Range`, one request per
/// connection.
pub(super) struct LoopbackServer {
    address: std::net::SocketAddr,
    stopping: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LoopbackServer {
    pub(super) fn start(files: HashMap<String, Vec<u8>>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot open a loopback port")?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let files = Arc::new(files);
        let (stop, count) = (Arc::clone(&stopping), Arc::clone(&requests));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let (Ok(stream), files, count) = (stream, Arc::clone(&files), Arc::clone(&count))
                else {
                    continue;
                };
                std::thread::spawn(move || {
                    let _ = answer(stream, &files, &count);
                });
            }
        });
        Ok(Self {
            address,
            stopping,
            requests,
            thread: Some(thread),
        })
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(
    stream: TcpStream,
    files: &HashMap<String, Vec<u8>>,
    count: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_owned();
    let mut range = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
            && let Some((start, end)) = value
                .trim()
                .strip_prefix("bytes=")
                .and_then(|v| v.split_once('-'))
        {
            range = Some((
                start.parse::<usize>().unwrap_or(0),
                end.parse::<usize>().ok(),
            ));
        }
    }
    count.fetch_add(1, Ordering::Relaxed);
    let mut writer = stream;
    let Some(body) = files.get(&path) else {
        return writer.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    match range {
        Some((start, end)) if start < body.len() => {
            let end = end.map_or(body.len() - 1, |e| e.min(body.len() - 1));
            write!(
                writer,
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{end}/{}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                end + 1 - start,
                body.len()
            )?;
            writer.write_all(&body[start..=end])
        }
        _ => {
            write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            writer.write_all(body)
        }
    }
}

fn zip_of(prefix: &str) -> anyhow::Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in sample::FILES
        .iter()
        .filter(|(path, _)| path.starts_with(prefix))
    {
        writer.start_file(*path, options)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

pub fn get(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("get")?;
    let images = zip_of("val2017/")?;
    let annotations = zip_of("annotations/")?;
    let mut files = HashMap::new();
    for (path, bytes) in sample::FILES
        .iter()
        .filter(|(path, _)| path.starts_with("val2017/"))
    {
        files.insert(format!("/{path}"), bytes.to_vec());
    }
    let resource = |name: &str, file: &str, bytes: &[u8], description: &str| {
        serde_json::json!({
            "name": name, "description": description, "file_name": file,
            "urls": [format!("/zips/{file}")], "bytes": bytes.len(),
            "sha256": cocoprep_fetch::hash_file_bytes(bytes), "md5": null,
            "source": "computed by the demo", "archive": "zip",
            "destination": {"coco": ""},
        })
    };
    let mut catalog_json = serde_json::json!({
        "schema": 1,
        "resources": [
            resource("sample-val2017", "sample-val2017.zip", &images, "the sample's 6 val2017 images"),
            resource("sample-annotations", "sample-annotations.zip", &annotations, "the sample's annotations"),
        ],
        "bundles": [{
            "name": "sample", "description": "the built-in sample", "layout": "coco",
            "resources": ["sample-val2017", "sample-annotations"],
            "subsets": {"val": {"annotations": "sample-annotations", "file": "annotations/instances_val2017.json", "images": "sample-val2017"}},
        }],
    });
    files.insert("/zips/sample-val2017.zip".to_owned(), images);
    files.insert("/zips/sample-annotations.zip".to_owned(), annotations);
    let server = LoopbackServer::start(files)?;
    for resource in catalog_json["resources"]
        .as_array_mut()
        .context("resources")?
    {
        let path = resource["urls"][0].as_str().unwrap_or_default().to_owned();
        resource["urls"] = serde_json::json!([server.url(&path)]);
    }
    let catalog = Catalog::parse(&catalog_json.to_string(), "demo")?;

    // The whole bundle, then again: the second run finds the manifests and asks nothing.
    let full = folder.join("coco");
    let options = GetOptions {
        dataset_dir: full.clone(),
        jobs: context.global.jobs,
        ..GetOptions::default()
    };
    let plan = cocoprep_fetch::get::plan(&catalog, &["sample".to_owned()], &options)?;
    let first = cocoprep_fetch::get::run(&plan, &options, context.progress)?;
    if let Some(failure) = first.failures().next() {
        anyhow::bail!(
            "{}: {}",
            failure.resource,
            failure.error.clone().unwrap_or_default()
        );
    }
    let files_extracted: usize = first.steps.iter().map(|s| s.files).sum();
    let before = server.requests.load(Ordering::Relaxed);
    let plan = cocoprep_fetch::get::plan(&catalog, &["sample".to_owned()], &options)?;
    cocoprep_fetch::get::run(&plan, &options, context.progress)?;
    let rerun_requests = server.requests.load(Ordering::Relaxed) - before;
    anyhow::ensure!(rerun_requests == 0, "a finished bundle was fetched again");

    // A subset: images with a person, one request per image from its coco_url.
    let subset_dir = folder.join("subset");
    let subset = run_subset(
        &catalog,
        &SubsetRequest {
            bundle: "sample".to_owned(),
            split: "val".to_owned(),
            classes: vec!["person".to_owned()],
            max_images: Some(3),
            image_url_base: Some(server.url("")),
            parallel_images: 4,
        },
        &GetOptions {
            dataset_dir: subset_dir.clone(),
            jobs: context.global.jobs,
            ..GetOptions::default()
        },
        context.progress,
    )?;
    anyhow::ensure!(
        subset.failed.is_empty(),
        "subset images failed: {:?}",
        subset.failed
    );

    let verified = verify_tree(
        &full,
        &VerifyOptions {
            jobs: context.global.jobs,
            skip_decode: false,
        },
        context.progress,
    )?;
    anyhow::ensure!(
        verified.problems.is_empty(),
        "verify found problems: {:?}",
        verified.problems
    );
    report.add("bundle fetched from a local server", &full);
    report.add(
        "subset (person, 3 images) with its annotations",
        &subset.annotation_file,
    );
    Ok(format!(
        "{} archives verified (sha256), {files_extracted} files extracted, re-run made {rerun_requests} requests; \
         subset: {} images from coco_url, {} annotations; verify: {} files OK",
        first.steps.len(),
        subset.downloaded + subset.already_present,
        subset.annotations,
        verified.files_checked
    ))
}
