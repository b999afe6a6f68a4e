//! `validate --images DIR`: the image files behind `file_name`.

use std::path::Path;

use rayon::prelude::*;

use super::issue::{Issue, IssueCode, Severity};
use super::record::ImageFacts;
use crate::image_file::{ImageFileError, check_image_file, read_image_header};
use crate::validate::cross::CollectedFacts;
use cocoprep_base::progress::{ProgressUnit, Reporter};

/// Checks every image file; returns the findings and how many files were looked at.
pub(crate) fn check_image_files(
    facts: &CollectedFacts,
    images_dir: &Path,
    skip_decode: bool,
    reporter: &dyn Reporter,
) -> (Vec<Issue>, usize) {
    let task = reporter.on_task_start(
        &format!("checking images in {}", images_dir.display()),
        Some(facts.images.len() as u64),
        ProgressUnit::Items,
    );
    // Runs on the ambient rayon pool: the binary sizes the global pool once, and a library
    // user who wants fewer threads calls us inside their own `ThreadPool::install`.
    let issues = facts
        .images
        .par_iter()
        .enumerate()
        .filter_map(|(index, image)| {
            let issue = check_one(index, image, images_dir, skip_decode);
            reporter.on_task_progress(task, 1);
            issue
        })
        .collect::<Vec<Issue>>();
    reporter.on_task_complete(task);
    (issues, facts.images.len())
}

fn check_one(
    index: usize,
    image: &ImageFacts,
    images_dir: &Path,
    skip_decode: bool,
) -> Option<Issue> {
    let file_name = image.file_name.as_deref()?;
    let path = images_dir.join(file_name);
    let issue = |code, message: String| {
        Some(
            Issue::new(Severity::Error, code, format!("images[{index}]"), message)
                .member("file_name")
                .id(image.id.map(|id| id.to_string())),
        )
    };
    if !path.is_file() {
        return issue(
            IssueCode::ImageMissing,
            format!("`{}` does not exist", path.display()),
        );
    }
    let checked = if skip_decode {
        read_image_header(&path)
    } else {
        check_image_file(&path)
    };
    match checked {
        Ok(info) => {
            let declared = (image.width, image.height);
            if declared != (Some(info.width as u64), Some(info.height as u64)) {
                let (width, height) = (image.width.unwrap_or(0), image.height.unwrap_or(0));
                return issue(
                    IssueCode::ImageSizeMismatch,
                    format!(
                        "`{}` is {}x{} but the annotation says {width}x{height}",
                        path.display(),
                        info.width,
                        info.height
                    ),
                );
            }
            None
        }
        Err(ImageFileError::Decode { message, .. }) => issue(
            IssueCode::ImageDecode,
            format!("`{}` does not decode: {message}", path.display()),
        ),
        Err(error) => issue(IssueCode::ImageUnreadable, error.to_string()),
    }
}
