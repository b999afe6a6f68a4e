//! SBU Captions (old release): two aligned line files, one URL and one caption per line.

use std::path::{Path, PathBuf};

use super::{Lines, Row, RowIter, open_text};
use crate::Error;

const URLS: &str = "SBU_captioned_photo_dataset_urls.txt";
const CAPTIONS: &str = "SBU_captioned_photo_dataset_captions.txt";

/// The rows of the pair; `path` is the URL file (its captions file is the sibling whose
/// name has `captions` for `urls`) or a folder holding both (or their `dataset/` folder).
pub(super) fn rows(path: &Path) -> Result<RowIter, Error> {
    let (urls_path, captions_path) = pair(path)?;
    let mut urls = Lines::new(&urls_path, open_text(&urls_path)?);
    let mut captions = Lines::new(&captions_path, open_text(&captions_path)?);
    Ok(Box::new(std::iter::from_fn(move || {
        let url = urls.next_line();
        let caption = captions.next_line();
        match (url, caption) {
            (None, None) => None,
            (Some(Err(error)), _) | (_, Some(Err(error))) => Some(Err(error)),
            (Some(Ok(url)), Some(Ok(caption))) => Some(Ok(Row {
                url: url.trim().to_owned(),
                caption: Some(caption.trim().to_owned()),
            })),
            (Some(Ok(_)), None) => Some(Err(
                captions.error("the captions file has fewer lines than the URL file".to_owned())
            )),
            (None, Some(Ok(_))) => Some(Err(
                urls.error("the URL file has fewer lines than the captions file".to_owned())
            )),
        }
    })))
}

fn pair(path: &Path) -> Result<(PathBuf, PathBuf), Error> {
    if path.is_dir() {
        for folder in [path.to_owned(), path.join("dataset")] {
            if folder.join(URLS).is_file() {
                return Ok((folder.join(URLS), folder.join(CAPTIONS)));
            }
        }
        return Err(Error::Options(format!(
            "`{}` holds no `{URLS}` (nor does its `dataset/` folder)",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains("urls") {
        return Err(Error::Options(format!(
            "--preset sbu: `{}` is not the URL file (`{URLS}`) or its folder",
            path.display()
        )));
    }
    Ok((
        path.to_owned(),
        path.with_file_name(name.replacen("urls", "captions", 1)),
    ))
}
