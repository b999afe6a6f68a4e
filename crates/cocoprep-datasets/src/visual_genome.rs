//! Visual Genome: `visual_genome/annotations/vg_captions_128filter.json` from
//! `region_descriptions.json` and the image folders `VG_100K/` and `VG_100K_2/`.
//!
//! Logic of `data/preprocess/region_descriptions.ipynb`: an image's captions are the
//! distinct `phrase`s of its regions with `int(height) * int(width) >= 128 * 128`; its
//! path is `<VG_100K or VG_100K_2>/<id>.jpg`, whichever folder holds it. Output
//! `{"phrase": {"<id>": [...], ...}, "subset": {"<id>": "VG_100K/<id>.jpg", ...}}`,
//! `json.dump`-formatted.
//!
//! **Order.** The notebook collects phrases in a Python `set`, so the caption order
//! changes from run to run (string hashing is randomised), and fills `subset` from a
//! shuffled file list. cocoprep writes a deterministic order instead: images in the order
//! of their first qualifying region in `region_descriptions.json` (the notebook's `phrase`
//! key order), each image's phrases in the order of first occurrence in the file, and
//! `subset` in the same image order. An image in both folders is taken from `VG_100K`.
//!
//! **Images without a file** are left out of both maps (and counted): the loader looks up
//! `subset[id]` for every `phrase` key and would stop with a `KeyError` on the first one.
//!
//! `region_descriptions.json` (~700 MB) is streamed: only the kept phrases stay in memory.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_base::progress::Reporter;
use cocoprep_convert::layout::LinkMode;
use cocoprep_formats::python_json::PythonJsonWriter;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::error::Error;
use crate::placement::Placement;

/// The dataset's folder under `open_source_dataset/`.
pub const DIR: &str = "visual_genome";
/// The annotation file, relative to [`DIR`].
pub const ANNOTATION_FILE: &str = "annotations/vg_captions_128filter.json";
/// The image folder, relative to [`DIR`] (`FEATS_FOLDER`).
pub const IMAGE_DIR: &str = "images";
/// The two image folders inside [`IMAGE_DIR`], in the order they are searched.
pub const IMAGE_FOLDERS: [&str; 2] = ["VG_100K", "VG_100K_2"];
/// Smallest region area (`height * width`, pixels) whose phrase is kept.
pub const MIN_REGION_AREA: i64 = 128 * 128;

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VisualGenomeSummary {
    /// The file written.
    pub output: PathBuf,
    /// Entries of `region_descriptions.json`.
    pub entries: u64,
    /// Regions read.
    pub regions: u64,
    /// Images with at least one qualifying phrase.
    pub images_with_phrases: u64,
    /// Image files found in the two folders.
    pub image_files: u64,
    /// Images written (a phrase and a file).
    pub images_written: u64,
    /// Phrases written.
    pub phrases_written: u64,
    /// Images with phrases but no file, left out.
    pub images_without_file: u64,
    /// Images newly linked or copied into the tree.
    pub placed: u64,
}

#[derive(Deserialize)]
struct Entry {
    regions: Vec<Region>,
}

#[derive(Deserialize)]
struct Region {
    image_id: i64,
    width: serde_json::Number,
    height: serde_json::Number,
    phrase: String,
}

/// The images' phrases in first-occurrence order.
#[derive(Default)]
struct Phrases {
    order: Vec<(i64, Vec<String>)>,
    index: FxHashMap<i64, usize>,
    entries: u64,
    regions: u64,
}

impl Phrases {
    fn add(&mut self, entry: Entry) {
        self.entries += 1;
        for region in entry.regions {
            self.regions += 1;
            if python_int(&region.height) * python_int(&region.width) < MIN_REGION_AREA {
                continue;
            }
            let at = *self.index.entry(region.image_id).or_insert_with(|| {
                self.order.push((region.image_id, Vec::new()));
                self.order.len() - 1
            });
            let phrases = &mut self.order[at].1;
            if !phrases.contains(&region.phrase) {
                phrases.push(region.phrase);
            }
        }
    }
}

/// `int(x)` of a JSON number: integers as they are, floats truncated toward zero.
fn python_int(number: &serde_json::Number) -> i64 {
    number
        .as_i64()
        .or_else(|| number.as_f64().map(|value| value.trunc() as i64))
        .unwrap_or(i64::MAX)
}

struct EntriesSeed<'a>(&'a mut Phrases);

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();
    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a list of {\"regions\": [...], \"id\": ...} entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Entry>()? {
            self.0.add(entry);
        }
        Ok(())
    }
}

/// Writes `<root>/open_source_dataset/visual_genome/annotations/vg_captions_128filter.json`
/// from `regions` (`region_descriptions.json`) and the folder holding `VG_100K/` and
/// `VG_100K_2/` (default: the tree's `visual_genome/images/`), linking the kept images into
/// the tree when they are elsewhere.
pub fn prepare_visual_genome(
    root: &Path,
    regions: &Path,
    images: Option<&Path>,
    link: LinkMode,
    reporter: &dyn Reporter,
) -> Result<VisualGenomeSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let tree_images = folder.join(IMAGE_DIR);
    let images = images.unwrap_or(&tree_images);
    if !IMAGE_FOLDERS.iter().any(|name| images.join(name).is_dir()) {
        return Err(Error::MissingInput {
            what: "Visual Genome image folders VG_100K/ and VG_100K_2/ in",
            path: images.to_owned(),
        });
    }
    let file = fs_err::File::open(regions).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::MissingInput {
                what: "Visual Genome region_descriptions.json",
                path: regions.to_owned(),
            }
        } else {
            Error::io("open", regions)(source)
        }
    })?;
    let total = file.metadata().map(|metadata| metadata.len()).ok();
    let task = reporter.on_task_start(
        "region_descriptions.json",
        total,
        cocoprep_base::progress::ProgressUnit::Bytes,
    );
    let mut phrases = Phrases::default();
    let json_error = |source| Error::Json {
        path: regions.to_owned(),
        what: "Visual Genome region_descriptions.json",
        source,
    };
    let mut deserializer =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
    EntriesSeed(&mut phrases)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end())
        .map_err(json_error)?;
    reporter.on_task_complete(task);

    let files = image_files(images)?;
    let output = folder.join(ANNOTATION_FILE);
    let mut summary = VisualGenomeSummary {
        output: output.clone(),
        entries: phrases.entries,
        regions: phrases.regions,
        images_with_phrases: phrases.order.len() as u64,
        image_files: files.len() as u64,
        images_written: 0,
        phrases_written: 0,
        images_without_file: 0,
        placed: 0,
    };
    let kept: Vec<(i64, &Vec<String>, String)> = phrases
        .order
        .iter()
        .filter_map(|(id, list)| {
            files
                .get(id)
                .map(|folder| (*id, list, format!("{folder}/{id}.jpg")))
        })
        .collect();
    summary.images_written = kept.len() as u64;
    summary.images_without_file = summary.images_with_phrases - summary.images_written;
    summary.phrases_written = kept.iter().map(|(_, list, _)| list.len() as u64).sum();

    if let Some(placement) = Placement::new(images, &tree_images, link) {
        let placed: Result<Vec<bool>, Error> = kept
            .par_iter()
            .map(|(_, _, relative)| placement.place(relative))
            .collect();
        summary.placed = placed?.into_iter().filter(|&placed| placed).count() as u64;
    }

    let mut file = AtomicFile::create(&output).map_err(Error::io("create", &output))?;
    let mut json = PythonJsonWriter::new(&mut file);
    (|| -> std::io::Result<()> {
        json.begin_object()?;
        json.key("phrase")?;
        json.begin_object()?;
        for (id, list, _) in &kept {
            json.key(&id.to_string())?;
            json.begin_array()?;
            for phrase in *list {
                json.string(phrase)?;
            }
            json.end_array()?;
        }
        json.end_object()?;
        json.key("subset")?;
        json.begin_object()?;
        for (id, _, relative) in &kept {
            json.key(&id.to_string())?;
            json.string(relative)?;
        }
        json.end_object()?;
        json.end_object()?;
        json.into_inner()?;
        Ok(())
    })()
    .map_err(Error::io("write", &output))?;
    file.commit().map_err(Error::io("write", &output))?;
    Ok(summary)
}

/// `<id>.jpg` files of the two folders: id → folder name (the first folder wins).
fn image_files(images: &Path) -> Result<FxHashMap<i64, &'static str>, Error> {
    let mut files = FxHashMap::default();
    for folder in IMAGE_FOLDERS {
        let path = images.join(folder);
        if !path.is_dir() {
            continue;
        }
        for entry in fs_err::read_dir(&path).map_err(Error::io("list", &path))? {
            let entry = entry.map_err(Error::io("list", &path))?;
            let name = entry.file_name();
            let Some(id) = name
                .to_str()
                .and_then(|name| name.strip_suffix(".jpg"))
                .and_then(|stem| stem.parse::<i64>().ok())
            else {
                continue;
            };
            files.entry(id).or_insert(folder);
        }
    }
    Ok(files)
}
