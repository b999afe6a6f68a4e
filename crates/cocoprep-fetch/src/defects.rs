//! Known-defect repair: after extraction, files listed in a resource's `known_defects`
//! are decoded; one that does not decode is replaced from its replacement URLs (the new
//! copy must decode too), and the manifest entry is updated. The case this exists for:
//! `train2014/COCO_train2014_000000167126.jpg`, truncated in some copies of train2014.zip.

use std::path::Path;

use cocoprep_base::output::write_atomic;

use crate::catalog::Resource;
use crate::download::{DownloadRequest, Downloader, ProgressSink};
use crate::error::FetchError;
use crate::extract::ExtractedFile;

/// Checks and repairs the known defects of a resource extracted at `destination`. Returns
/// the paths that were replaced.
pub fn repair(
    resource: &Resource,
    destination: &Path,
    files: &mut [ExtractedFile],
    downloader: &Downloader,
    sink: ProgressSink,
) -> Result<Vec<String>, FetchError> {
    let mut repaired = Vec::new();
    for defect in &resource.known_defects {
        let path = destination.join(&defect.path);
        if !path.exists() {
            continue; // not extracted (`--only`)
        }
        let Err(problem) = cocoprep_coco::image_file::check_image_file(&path) else {
            continue;
        };
        sink.reporter
            .on_warning(&format!("{problem}; replacing it ({})", defect.note));
        let mut replacement = path.as_os_str().to_owned();
        replacement.push(".replacement");
        let replacement = std::path::PathBuf::from(replacement);
        let _ = fs_err::remove_file(&replacement);
        let request = DownloadRequest {
            label: defect.path.clone(),
            urls: defect.replacement_urls.clone(),
            destination: replacement.clone(),
            expected_bytes: None,
            checksum: None,
        };
        downloader
            .download(&request, sink)
            .map_err(|error| FetchError::RepairFailed {
                path: path.clone(),
                message: "the replacement could not be downloaded".to_owned(),
                source: Some(Box::new(error)),
            })?;
        if let Err(error) = cocoprep_coco::image_file::check_image_file(&replacement) {
            let _ = fs_err::remove_file(&replacement);
            return Err(FetchError::RepairFailed {
                path: path.clone(),
                message: "the replacement does not decode either".to_owned(),
                source: Some(Box::new(error)),
            });
        }
        // Copied into place rather than renamed, so that the one atomic-write implementation
        // (with its fsync) is used; a replaced image is small.
        let bytes = fs_err::read(&replacement)?;
        write_atomic(&path, &bytes)?;
        let _ = fs_err::remove_file(&replacement);
        if let Some(entry) = files.iter_mut().find(|f| f.path == defect.path) {
            entry.bytes = bytes.len() as u64;
            entry.crc32 = crc32fast::hash(&bytes);
        }
        repaired.push(defect.path.clone());
    }
    Ok(repaired)
}
