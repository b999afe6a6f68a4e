//! Reading a coco-caption reference file and a results file.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::Error;

/// Reference captions, per image, in the reference file's image order.
#[derive(Clone, Debug, Default)]
pub struct References {
    /// `(image id, captions)` in the order of the file's `images` (or of first appearance in
    /// `annotations` when it has no `images`), captions in annotation order.
    pub images: Vec<(ImageId, Vec<String>)>,
}

/// One caption per image, as a results file gives them.
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// `(image id, caption)` in file order.
    pub captions: Vec<(ImageId, String)>,
}

/// An image id as the JSON spells it (a number, or a string in some datasets), compared by
/// its JSON text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(untagged)]
pub enum ImageId {
    /// A numeric id (COCO).
    Number(serde_json::Number),
    /// A string id.
    Text(String),
}

impl std::fmt::Display for ImageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageId::Number(number) => write!(f, "{number}"),
            ImageId::Text(text) => write!(f, "{text:?}"),
        }
    }
}

#[derive(Deserialize)]
struct ReferenceFile {
    #[serde(default)]
    images: Option<Vec<ImageEntry>>,
    annotations: Vec<CaptionEntry>,
}

#[derive(Deserialize)]
struct ImageEntry {
    id: ImageId,
}

#[derive(Deserialize)]
struct CaptionEntry {
    image_id: ImageId,
    caption: String,
}

fn read_json<T: for<'de> Deserialize<'de>>(
    path: &Path,
    expected: &'static str,
) -> Result<T, Error> {
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Json {
        path: path.to_owned(),
        expected,
        source,
    })
}

impl References {
    /// Reads a COCO captions file (`captions_val2017.json`, coco-caption's
    /// `captions_val2014.json`, `captions reference` output).
    pub fn read(path: &Path) -> Result<Self, Error> {
        let file: ReferenceFile = read_json(
            path,
            "COCO captions file (`annotations` with `image_id` and `caption`)",
        )?;
        Ok(Self::from_parts(
            file.images
                .map(|images| images.into_iter().map(|image| image.id).collect()),
            file.annotations
                .into_iter()
                .map(|annotation| (annotation.image_id, annotation.caption)),
        ))
    }

    /// Groups captions by image: in `image_order` when given, else in order of first
    /// appearance.
    pub fn from_parts(
        image_order: Option<Vec<ImageId>>,
        captions: impl IntoIterator<Item = (ImageId, String)>,
    ) -> Self {
        let mut images: Vec<(ImageId, Vec<String>)> = Vec::new();
        let mut index: FxHashMap<ImageId, usize> = FxHashMap::default();
        for id in image_order.into_iter().flatten() {
            if !index.contains_key(&id) {
                index.insert(id.clone(), images.len());
                images.push((id, Vec::new()));
            }
        }
        for (id, caption) in captions {
            let at = *index.entry(id.clone()).or_insert_with(|| {
                images.push((id, Vec::new()));
                images.len() - 1
            });
            images[at].1.push(caption);
        }
        Self { images }
    }
}

impl Results {
    /// Reads a results file: a JSON list of `{"image_id": ..., "caption": ...}`.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let entries: Vec<CaptionEntry> = read_json(
            path,
            "caption results file (a list of `{\"image_id\": ..., \"caption\": ...}`)",
        )?;
        Ok(Self {
            captions: entries
                .into_iter()
                .map(|entry| (entry.image_id, entry.caption))
                .collect(),
        })
    }
}
