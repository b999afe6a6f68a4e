//! A COCO annotation file as a URL list: one row per image (file order) with its
//! `coco_url` (or `flickr_url` when there is no `coco_url`) and, in a captions file, the
//! first caption of the image.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{Row, RowIter};
use crate::Error;

#[derive(Deserialize)]
struct Document {
    images: Vec<Image>,
    #[serde(default)]
    annotations: Vec<Annotation>,
}

#[derive(Deserialize)]
struct Image {
    id: u64,
    #[serde(default)]
    coco_url: Option<String>,
    #[serde(default)]
    flickr_url: Option<String>,
}

#[derive(Deserialize)]
struct Annotation {
    image_id: u64,
    #[serde(default)]
    caption: Option<String>,
}

/// The rows of the annotation file. The file is parsed whole (COCO files are at most a few
/// hundred MB and have no line structure); segmentations are skipped, not kept.
pub(super) fn rows(path: &Path) -> Result<RowIter, Error> {
    let file = fs_err::File::open(path).map_err(Error::read(path))?;
    let document: Document =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|source| Error::Json {
            path: path.to_owned(),
            source,
        })?;
    let mut first_caption: HashMap<u64, String> = HashMap::new();
    for annotation in document.annotations {
        if let Some(caption) = annotation.caption {
            first_caption
                .entry(annotation.image_id)
                .or_insert_with(|| caption.trim().to_owned());
        }
    }
    let rows: Vec<Result<Row, Error>> = document
        .images
        .into_iter()
        .map(|image| {
            Ok(Row {
                url: image.coco_url.or(image.flickr_url).unwrap_or_default(),
                caption: first_caption.remove(&image.id),
            })
        })
        .collect();
    Ok(Box::new(rows.into_iter()))
}
