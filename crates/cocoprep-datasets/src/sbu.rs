//! SBU Captions: `sbucaption/annotations/subcaption.json` from the two line files of the
//! official release and the images the downloader saved under the URL's base name.
//!
//! Logic of `data/preprocess/sbu/make_sbu_json.py`: caption of image `<name>` =
//! `caption.strip()` of the line whose `url.strip().split('/')[-1]` is `<name>` (the last
//! such line when a name repeats); output = one JSON object `{"<key>": "<caption>", ...}`
//! over the usable images (see [`crate::image_check`]), `json.dump`-formatted.
//!
//! Deliberate differences:
//! * keys are `images/<name>` and the images sit in `sbucaption/images/`: the shipped
//!   configs join `FEATS_FOLDER: open_source_dataset/sbucaption/` with the key, so the
//!   script's bare `<name>` keys only work with the images directly in `sbucaption/`,
//!   while `data/prepare_data.md` shows them in `sbucaption/images/`;
//! * keys are in URL-list order (first occurrence of each name), not in the directory
//!   order `glob` happens to return, so the file is the same on every machine;
//! * the two line files must have the same number of lines (`zip` would silently drop the
//!   tail of the longer one).

use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_convert::layout::LinkMode;
use cocoprep_formats::python_json::PythonJsonWriter;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::Error;
use crate::image_check::{ImageCheck, ImageCheckLevel, ImageCounts, check_image_at};
use crate::placement::Placement;
use crate::python_text::python_strip;

/// The dataset's folder under `open_source_dataset/`.
pub const DIR: &str = "sbucaption";
/// The annotation file, relative to [`DIR`] (`ANNO_FOLDER` + `subcaption.json`).
pub const ANNOTATION_FILE: &str = "annotations/subcaption.json";
/// Where the images go, relative to [`DIR`]; also the prefix of every key.
pub const IMAGE_FOLDER: &str = "images";
/// The official URL list (in the release's `dataset/` folder).
pub const URLS_FILE: &str = "SBU_captioned_photo_dataset_urls.txt";
/// The official caption list, line by line with [`URLS_FILE`].
pub const CAPTIONS_FILE: &str = "SBU_captioned_photo_dataset_captions.txt";

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SbuSummary {
    /// The file written.
    pub output: PathBuf,
    /// Lines in each list.
    pub rows: u64,
    /// Distinct image names (a repeated name keeps its last caption).
    pub names: u64,
    /// Records written.
    pub written: u64,
    /// Image check results over the distinct names.
    pub images: ImageCounts,
    /// Images newly linked or copied into the tree.
    pub placed: u64,
}

/// Writes `<root>/open_source_dataset/sbucaption/annotations/subcaption.json` from the
/// URL and caption lists and the images in `images` (default: the tree's
/// `sbucaption/images/`), linking usable images into the tree when they are elsewhere.
pub fn prepare_sbu(
    root: &Path,
    urls: &Path,
    captions: &Path,
    images: Option<&Path>,
    link: LinkMode,
    check: ImageCheckLevel,
    reporter: &dyn Reporter,
) -> Result<SbuSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let tree_images = folder.join(IMAGE_FOLDER);
    let images = crate::placement::image_folder(images, &tree_images)?;
    let url_text = read_text(urls, "SBU URL list")?;
    let caption_text = read_text(captions, "SBU caption list")?;
    let url_lines: Vec<&str> = url_text.lines().collect();
    let caption_lines: Vec<&str> = caption_text.lines().collect();
    if url_lines.len() != caption_lines.len() {
        return Err(Error::Invalid {
            path: captions.to_owned(),
            message: format!(
                "has {} lines but the URL list `{}` has {}; the two files go line by line",
                caption_lines.len(),
                urls.display(),
                url_lines.len()
            ),
        });
    }
    // name → index into `names`, in first-occurrence order; a repeated name keeps the
    // last caption, as the script's dict assignment does.
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut names: Vec<(&str, &str)> = Vec::new();
    for (url, caption) in url_lines.iter().zip(&caption_lines) {
        let name = python_strip(url).rsplit('/').next().unwrap_or_default();
        let caption = python_strip(caption);
        match index.get(name) {
            Some(&at) => names[at].1 = caption,
            None => {
                index.insert(name, names.len());
                names.push((name, caption));
            }
        }
    }

    let placement = Placement::new(images, &tree_images, link);
    let task = reporter.on_task_start("SBU images", Some(names.len() as u64), ProgressUnit::Items);
    let checks: Vec<Result<(ImageCheck, bool), Error>> = names
        .par_iter()
        .map(|&(name, _)| {
            let check = if name.is_empty() || name == "." || name == ".." {
                ImageCheck::Missing
            } else {
                check_image_at(&images.join(name), check)
            };
            let placed = match (&placement, check) {
                (Some(placement), ImageCheck::Usable) => placement.place(name)?,
                _ => false,
            };
            reporter.on_task_progress(task, 1);
            Ok((check, placed))
        })
        .collect();
    reporter.on_task_complete(task);

    let output = folder.join(ANNOTATION_FILE);
    let mut summary = SbuSummary {
        output: output.clone(),
        rows: url_lines.len() as u64,
        names: names.len() as u64,
        written: 0,
        images: ImageCounts::default(),
        placed: 0,
    };
    let mut file = AtomicFile::create(&output).map_err(Error::io("create", &output))?;
    let mut json = PythonJsonWriter::new(&mut file);
    json.begin_object().map_err(Error::io("write", &output))?;
    for (&(name, caption), check) in names.iter().zip(checks) {
        let (check, placed) = check?;
        summary.images.add(check);
        summary.placed += u64::from(placed);
        if check == ImageCheck::Usable {
            json.key(&format!("{IMAGE_FOLDER}/{name}"))
                .and_then(|()| json.string(caption))
                .map_err(Error::io("write", &output))?;
            summary.written += 1;
        }
    }
    json.end_object()
        .and_then(|()| json.into_inner().map(drop))
        .map_err(Error::io("write", &output))?;
    file.commit().map_err(Error::io("write", &output))?;
    Ok(summary)
}

fn read_text(path: &Path, what: &'static str) -> Result<String, Error> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => Err(Error::MissingInput {
            what,
            path: path.to_owned(),
        }),
        Err(source) => Err(Error::io("read", path)(source)),
    }
}
