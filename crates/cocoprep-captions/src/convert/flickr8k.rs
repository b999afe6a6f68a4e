//! A Karpathy dataset from the Flickr8k text release.
//!
//! `Flickr8k.token.txt` holds one caption per line, `<image>#<n>\t<caption>`; the images
//! of `Flickr_8k.trainImages.txt`, `Flickr_8k.devImages.txt` and
//! `Flickr_8k.testImages.txt` become the `train`, `val` and `test` images, in that order
//! and in list order, as in Karpathy's `dataset_flickr8k.json`. Sentences keep the file's
//! caption order, `sentid` counts from 0 over the whole file, and images outside the lists
//! (the release has a few) are left out.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::{BuiltDataset, ImageOrder, NewImage, sentences_from};
use crate::error::Error;
use crate::karpathy::Split;

/// The caption file of the release.
pub const TOKEN_FILE: &str = "Flickr8k.token.txt";
/// The split lists of the release and the split each gives.
pub const SPLIT_LISTS: [(&str, Split); 3] = [
    ("Flickr_8k.trainImages.txt", Split::Train),
    ("Flickr_8k.devImages.txt", Split::Val),
    ("Flickr_8k.testImages.txt", Split::Test),
];

fn read_lines(path: &Path) -> Result<String, Error> {
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        Error::Line {
            path: path.to_owned(),
            line: memchr::memchr_iter(b'\n', valid).count() as u64 + 1,
            message: "text is not valid UTF-8".to_owned(),
        }
    })
}

/// Builds a Karpathy dataset from the Flickr8k text release in `folder`; with
/// [`ImageOrder::Id`] the images are sorted by file name (Flickr images have no COCO id).
pub fn from_flickr8k(folder: &Path, order: ImageOrder) -> Result<BuiltDataset, Error> {
    let token_path = folder.join(TOKEN_FILE);
    let text = read_lines(&token_path)?;
    let mut captions: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line
            .split_once('\t')
            .and_then(|(id, caption)| Some((id.rsplit_once('#')?.0, caption)));
        let Some((image, caption)) = parsed else {
            return Err(Error::Line {
                path: token_path.clone(),
                line: number as u64 + 1,
                message: format!("expected `<image>#<n><TAB><caption>`, found `{line}`"),
            });
        };
        captions.entry(image).or_default().push(caption);
    }

    let mut built = BuiltDataset {
        name: "flickr8k".to_owned(),
        ..BuiltDataset::default()
    };
    let mut next_sentid = 0i64;
    for (list, split) in SPLIT_LISTS {
        let list_path = folder.join(list);
        for name in read_lines(&list_path)?.lines().map(str::trim) {
            if name.is_empty() {
                continue;
            }
            let Some(image_captions) = captions.remove(name) else {
                built.listed_but_missing += 1;
                continue;
            };
            let numbered = image_captions
                .into_iter()
                .map(|caption| {
                    next_sentid += 1;
                    (next_sentid - 1, caption.to_owned())
                })
                .collect();
            let sentences = sentences_from(numbered, &mut built.empty_captions);
            if sentences.is_empty() {
                built.images_without_captions += 1;
                continue;
            }
            built.images.push(NewImage {
                filepath: None,
                filename: name.to_owned(),
                cocoid: None,
                split: split.clone(),
                sentences,
            });
        }
    }
    if order == ImageOrder::Id {
        built
            .images
            .sort_by(|left, right| left.filename.cmp(&right.filename));
    }
    Ok(built)
}
