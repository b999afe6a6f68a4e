//! `cocoprep verify DIR`: re-check a downloaded tree at any time. Every file recorded in
//! the manifests is read back and its size and CRC-32 compared; kept archives are hashed
//! against their recorded SHA-256; JPEG and PNG files are decoded (the known-corrupt
//! COCO train2014 image is truncated and fails here). A tree without manifests still
//! gets every image decoded.

use std::io::Read;
use std::path::{Path, PathBuf};

use cocoprep_base::progress::{ProgressUnit, Reporter};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::FetchError;
use crate::manifest;

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Worker threads, as `-j` gave them (0 = the rayon pool's size). Informational: the
    /// work runs on the rayon pool the call is made in (see [`cocoprep_base::threads`]);
    /// to use fewer threads, call from inside your own `rayon::ThreadPool::install`.
    pub jobs: usize,
    /// Skip decoding images (sizes and CRCs only).
    pub skip_decode: bool,
}

/// One problem found.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// The result of a verification.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifyReport {
    /// Manifests read.
    pub manifests: usize,
    /// Files whose size and CRC were checked.
    pub files_checked: usize,
    /// Images decoded.
    pub images_decoded: usize,
    /// Archives whose SHA-256 was checked.
    pub archives_checked: usize,
    /// Everything wrong.
    pub problems: Vec<Problem>,
}

struct Check {
    path: PathBuf,
    expected: Option<(u64, u32)>,
}

/// Verifies a dataset folder.
pub fn verify_tree(
    dataset: &Path,
    options: &VerifyOptions,
    reporter: &dyn Reporter,
) -> Result<VerifyReport, FetchError> {
    let manifests = manifest::load_all(dataset)?;
    let mut report = VerifyReport {
        manifests: manifests.len(),
        ..VerifyReport::default()
    };
    let mut checks = Vec::new();
    for (_, manifest) in &manifests {
        let root = dataset.join(&manifest.destination);
        for file in &manifest.files {
            checks.push(Check {
                path: root.join(&file.path),
                expected: Some((file.bytes, file.crc32)),
            });
        }
        if let Some(archive) = &manifest.archive
            && let (Some(kept), Some(sha256)) = (&archive.kept_at, &archive.sha256)
        {
            let path = dataset.join(kept);
            report.archives_checked += 1;
            match crate::checksum::hash_file(&path, false) {
                Ok(digests) if &digests.sha256 == sha256 => {}
                Ok(digests) => report.problems.push(Problem {
                    path,
                    message: format!(
                        "sha256 is {}, the manifest recorded {sha256}",
                        digests.sha256
                    ),
                }),
                Err(error) => report.problems.push(Problem {
                    path,
                    message: error.to_string(),
                }),
            }
        }
    }
    if manifests.is_empty() {
        collect_images(dataset, &mut checks);
    }
    let total_bytes: u64 = checks.iter().filter_map(|c| c.expected.map(|e| e.0)).sum();
    let task = reporter.on_task_start(
        "verify",
        Some(if total_bytes > 0 {
            total_bytes
        } else {
            checks.len() as u64
        }),
        if total_bytes > 0 {
            ProgressUnit::Bytes
        } else {
            ProgressUnit::Items
        },
    );
    let results: Vec<(bool, Option<Problem>)> = checks
        .par_iter()
        .map(|check| {
            let outcome = check_file(check, options);
            reporter.on_task_progress(task, check.expected.map_or(1, |e| e.0));
            outcome
        })
        .collect();
    reporter.on_task_complete(task);
    report.files_checked = checks.iter().filter(|c| c.expected.is_some()).count();
    for (decoded, problem) in results {
        report.images_decoded += usize::from(decoded);
        report.problems.extend(problem);
    }
    report.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

/// Returns whether an image was decoded, and the problem if any.
fn check_file(check: &Check, options: &VerifyOptions) -> (bool, Option<Problem>) {
    let problem = |message: String| Problem {
        path: check.path.clone(),
        message,
    };
    let bytes = match std::fs::File::open(&check.path).and_then(|mut file| {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map(|_| bytes)
    }) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return (false, Some(problem("missing".to_owned())));
        }
        Err(error) => return (false, Some(problem(error.to_string()))),
    };
    if let Some((size, crc)) = check.expected {
        if bytes.len() as u64 != size {
            return (
                false,
                Some(problem(format!(
                    "{} bytes, the manifest recorded {size}",
                    bytes.len()
                ))),
            );
        }
        let actual = crc32fast::hash(&bytes);
        if actual != crc {
            return (
                false,
                Some(problem(format!(
                    "CRC-32 {actual:08x}, the manifest recorded {crc:08x}"
                ))),
            );
        }
    }
    if options.skip_decode || !is_image(&check.path) {
        return (false, None);
    }
    match cocoprep_coco::image_file::check_image_bytes(&check.path, &bytes) {
        Ok(_) => (true, None),
        Err(error) => (true, Some(problem(error.to_string()))),
    }
}

fn collect_images(folder: &Path, checks: &mut Vec<Check>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !entry.file_name().to_string_lossy().starts_with('.') {
            collect_images(&path, checks);
        } else if kind.is_file() && is_image(&path) {
            checks.push(Check {
                path,
                expected: None,
            });
        }
    }
}
