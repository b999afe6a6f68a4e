//! A loopback HTTP server for the download benchmarks (`bench/fetch.py`): serves every
//! file of a folder at `/fast/NAME` (no limit, sendfile) and `/throttled/NAME` (each
//! connection capped at `--rate` bytes per second). Prints its port, then serves until
//! stdin is closed.
//!
//! `cargo run --release -p cocoprep-fetch --example bench_server -- DIR [--rate BYTES_PER_SECOND]`

#![expect(
    clippy::print_stdout,
    reason = "the example prints its port for the benchmark script"
)]

use std::io::Read;
use std::path::PathBuf;

use cocoprep_test::http_server::{Body, Faults, TestServer};

fn main() -> std::io::Result<()> {
    let mut arguments = std::env::args().skip(1);
    let folder = PathBuf::from(
        arguments
            .next()
            .expect("usage: bench_server DIR [--rate N]"),
    );
    let mut rate = 5_000_000u64;
    while let Some(argument) = arguments.next() {
        if argument == "--rate" {
            rate = arguments
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--rate takes bytes per second");
        }
    }
    let server = TestServer::start();
    for entry in std::fs::read_dir(&folder)? {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        server.add(
            &format!("/fast/{name}"),
            Body::File(path.clone()),
            Faults::default(),
        );
        server.add(
            &format!("/throttled/{name}"),
            Body::File(path),
            Faults {
                rate_bytes_per_second: Some(rate),
                ..Faults::default()
            },
        );
    }
    println!("{}", server.address().port());
    // Serve until the parent closes our stdin.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}
