//! Flickr30k: the ViLBERT jsonlines the loader reads, placed in `flickr30k/`, the
//! `captions_{train,val,test}.json` the caption evaluator reads, and the images in the
//! triple-nested folder the configs name.
//!
//! Logic of `data/preprocess/process_flickr_caption_json.py`: for each split's jsonlines
//! (`{"sentences": [...], "id": <int>, "img_path": "<id>.jpg"}` per line), images
//! `{"filename": img_path, "id": id}` (`filename`, as the script writes it) and one
//! annotation `{"image_id": id, "id": n, "caption": sentence}` per sentence, `n` counting
//! from 0 in each split; `json.dump`-formatted. cocoprep appends `"info"`, `"licenses": []`
//! and `"type": "captions"` after the script's two members, as `captions splits` does, so
//! that pycocotools' `loadRes` (2.0.9+) and coco-caption accept the files (spec §0.9).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_convert::layout::{LinkMode, is_contained};
use cocoprep_formats::python_json::PythonJsonWriter;
use rayon::prelude::*;
use serde::Deserialize;

use crate::error::{Error, MISSING_SHOWN};
use crate::placement::{Placement, same_file};

/// The annotation folder under `open_source_dataset/`.
pub const DIR: &str = "flickr30k";
/// The image folder under `open_source_dataset/` (`FEATS_FOLDER`: the Kaggle archive's
/// folder nesting, kept by the configs).
pub const IMAGE_DIR: &str = "flickr30k_images/flickr30k_images/flickr30k_images";
/// The splits: jsonlines file (read by the loader, kept under this name), caption file.
pub const SPLITS: [(&str, &str); 3] = [
    ("all_data_final_train_2014.jsonline", "captions_train.json"),
    ("all_data_final_val_set0_2014.jsonline", "captions_val.json"),
    (
        "all_data_final_test_set0_2014.jsonline",
        "captions_test.json",
    ),
];

/// One split written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FlickrSplitSummary {
    /// The caption file written.
    pub output: PathBuf,
    /// Images in it.
    pub images: u64,
    /// Captions in it.
    pub captions: u64,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FlickrSummary {
    /// The three splits.
    pub splits: Vec<FlickrSplitSummary>,
    /// The folder the images were found in (after descending the archive's nesting).
    pub image_source: Option<PathBuf>,
    /// Images newly linked or copied into the tree.
    pub placed: u64,
}

#[derive(Deserialize)]
struct Record {
    sentences: Vec<String>,
    id: i64,
    img_path: String,
}

/// Writes the Flickr30k files under `<root>/open_source_dataset/` from the folder holding
/// the three jsonlines and (optionally) the image folder, which may be the archive's
/// `flickr30k_images/` at any depth of its nesting. Every image the jsonlines name must be
/// there; missing ones are named in the error.
pub fn prepare_flickr30k(
    root: &Path,
    jsonlines: &Path,
    images: Option<&Path>,
    link: LinkMode,
) -> Result<FlickrSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let mut splits = Vec::new();
    for (jsonline, _) in SPLITS {
        let path = jsonlines.join(jsonline);
        if !path.is_file() {
            return Err(Error::MissingInput {
                what: "Flickr30k jsonlines (ViLBERT's flickr_jsons)",
                path,
            });
        }
        splits.push((path.clone(), read_jsonlines(&path)?));
    }

    let tree_images = crate::DataRoot::resolve(root).path(IMAGE_DIR);
    let mut summary = FlickrSummary {
        splits: Vec::new(),
        image_source: None,
        placed: 0,
    };
    if let Some(images) = images {
        let source = find_image_folder(images, &splits)?;
        let names: Vec<&str> = splits
            .iter()
            .flat_map(|(_, records)| records.iter().map(|record| record.img_path.as_str()))
            .collect();
        if let Some(name) = names.iter().find(|name| !is_contained(Path::new(name))) {
            return Err(Error::Invalid {
                path: jsonlines.to_owned(),
                message: format!("image path `{name}` leaves the image folder"),
            });
        }
        let missing: Vec<&str> = names
            .par_iter()
            .filter(|name| !source.join(name).is_file())
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingImages {
                folder: source,
                count: missing.len(),
                first: missing
                    .iter()
                    .take(MISSING_SHOWN)
                    .map(|name| name.to_string())
                    .collect(),
            });
        }
        if let Some(placement) = Placement::new(&source, &tree_images, link) {
            let placed: Result<Vec<bool>, Error> =
                names.par_iter().map(|name| placement.place(name)).collect();
            summary.placed = placed?.into_iter().filter(|&placed| placed).count() as u64;
        }
        summary.image_source = Some(source);
    }

    let mut outputs = Vec::new();
    for ((source, records), (jsonline, captions)) in splits.iter().zip(SPLITS) {
        let copy = folder.join(jsonline);
        if !same_file(source, &copy) {
            let bytes = fs_err::read(source).map_err(Error::io("read", source))?;
            let mut file = AtomicFile::create(&copy).map_err(Error::io("create", &copy))?;
            std::io::Write::write_all(&mut file, &bytes).map_err(Error::io("write", &copy))?;
            outputs.push(file);
        }
        let output = folder.join(captions);
        let (file, split) = write_captions(&output, records, jsonline)?;
        outputs.push(file);
        summary.splits.push(split);
    }
    for file in outputs {
        let path = file.final_path().to_owned();
        file.commit().map_err(Error::io("write", &path))?;
    }
    Ok(summary)
}

fn read_jsonlines(path: &Path) -> Result<Vec<Record>, Error> {
    let file = fs_err::File::open(path).map_err(Error::io("open", path))?;
    let mut records = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(Error::io("read", path))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|error| Error::MalformedLine {
            path: path.to_owned(),
            line: index as u64 + 1,
            message: format!(
                "expected {{\"sentences\": [str, ...], \"id\": int, \"img_path\": str}}: {error}"
            ),
        })?;
        records.push(record);
    }
    Ok(records)
}

/// The folder that holds the images: `images` itself, or the deepest of its
/// `flickr30k_images/` nesting that holds the first image named by the jsonlines.
fn find_image_folder(images: &Path, splits: &[(PathBuf, Vec<Record>)]) -> Result<PathBuf, Error> {
    let probe = splits
        .iter()
        .find_map(|(_, records)| records.first())
        .map(|record| record.img_path.as_str());
    let mut candidate = images.to_owned();
    for _ in 0..4 {
        match probe {
            Some(name) if candidate.join(name).is_file() => return Ok(candidate),
            None => return Ok(candidate),
            _ => {}
        }
        candidate = candidate.join("flickr30k_images");
    }
    Err(Error::Invalid {
        path: images.to_owned(),
        message: format!(
            "holds no `{}` (also looked in its flickr30k_images/ subfolders, up to three deep)",
            probe.unwrap_or_default()
        ),
    })
}

fn write_captions(
    output: &Path,
    records: &[Record],
    jsonline: &str,
) -> Result<(AtomicFile, FlickrSplitSummary), Error> {
    let mut file = AtomicFile::create(output).map_err(Error::io("create", output))?;
    let mut summary = FlickrSplitSummary {
        output: output.to_owned(),
        images: records.len() as u64,
        captions: 0,
    };
    let mut json = PythonJsonWriter::new(&mut file);
    (|| -> std::io::Result<()> {
        json.begin_object()?;
        json.key("images")?;
        json.begin_array()?;
        for record in records {
            json.begin_object()?;
            json.key("filename")?;
            json.string(&record.img_path)?;
            json.key("id")?;
            json.integer(record.id)?;
            json.end_object()?;
        }
        json.end_array()?;
        json.key("annotations")?;
        json.begin_array()?;
        let mut sentence_id = 0;
        for record in records {
            for sentence in &record.sentences {
                json.begin_object()?;
                json.key("image_id")?;
                json.integer(record.id)?;
                json.key("id")?;
                json.integer(sentence_id)?;
                json.key("caption")?;
                json.string(sentence)?;
                json.end_object()?;
                sentence_id += 1;
            }
        }
        summary.captions = sentence_id as u64;
        json.end_array()?;
        json.key("info")?;
        json.begin_object()?;
        json.key("description")?;
        json.string(&format!("Flickr30k captions from {jsonline}"))?;
        json.end_object()?;
        json.key("licenses")?;
        json.begin_array()?;
        json.end_array()?;
        json.key("type")?;
        json.string("captions")?;
        json.end_object()?;
        json.into_inner()?;
        Ok(())
    })()
    .map_err(Error::io("write", output))?;
    Ok((file, summary))
}
