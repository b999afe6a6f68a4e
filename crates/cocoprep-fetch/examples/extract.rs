//! Extracts an archive with the same code `cocoprep get` uses (for `bench/fetch.py`).
//!
//! `cargo run --release -p cocoprep-fetch --example extract -- ARCHIVE.zip DEST [JOBS]`

#![expect(
    clippy::print_stderr,
    reason = "the example reports its timings on stderr"
)]

use cocoprep_base::progress::NoReporter;
use cocoprep_fetch::catalog::ArchiveKind;
use cocoprep_fetch::extract::{ExtractOptions, extract};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let archive = std::path::PathBuf::from(
        arguments
            .next()
            .ok_or("usage: extract ARCHIVE DEST [JOBS]")?,
    );
    let destination = std::path::PathBuf::from(
        arguments
            .next()
            .ok_or("usage: extract ARCHIVE DEST [JOBS]")?,
    );
    let jobs = arguments
        .next()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(0);
    let kind = if archive.to_string_lossy().ends_with(".zip") {
        ArchiveKind::Zip
    } else if archive.to_string_lossy().ends_with(".tar.gz") {
        ArchiveKind::TarGz
    } else {
        ArchiveKind::Tar
    };
    let options = ExtractOptions {
        jobs,
        ..ExtractOptions::default()
    };
    let extracted = extract(&archive, kind, &destination, &options, &NoReporter)?;
    eprintln!(
        "{} files, {} bytes",
        extracted.files.len(),
        extracted.bytes()
    );
    Ok(())
}
