//! Uni-Perceiver's `data/preprocess/coco_preprocess.py`: Karpathy splits as COCO caption
//! files.
//!
//! For each image: `id` is the number at the end of `filename`
//! (`COCO_val2014_000000391895.jpg` → 391895), `restval` counts as `train`, the image is
//! written as `{"file_name": filename, "file_path": filepath, "id": id}` and each sentence
//! as `{"image_id": id, "id": sentid, "caption": raw}` (raw text, verbatim). The three
//! splits go to `captions_train113k.json`, `captions_val5k.json` and
//! `captions_test5k.json`, in input order, formatted as `json.dump` formats them.
//!
//! The script writes no `info`, which current pycocotools (2.0.9+) needs in `loadRes`, and
//! coco-caption's bundled pycocotools also copies `licenses` and `type`: cocoprep appends
//! `"info"`, `"licenses": []` and `"type": "captions"` after the script's two members.
//! Uni-Perceiver's loaders read only `images` and `annotations`.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::Reporter;
use cocoprep_formats::python_json::PythonJsonWriter;

use crate::error::Error;
use crate::karpathy::{Fields, KarpathyDataset, ReadOptions, Split, read_karpathy};
use crate::output::Outputs;

/// The three outputs: file name, the split it holds and a description for `info`.
const SPLIT_FILES: [(&str, SplitFile, &str); 3] = [
    (
        "captions_train113k.json",
        SplitFile::Train,
        "COCO captions, Karpathy train split (train and restval)",
    ),
    (
        "captions_val5k.json",
        SplitFile::Val,
        "COCO captions, Karpathy val split",
    ),
    (
        "captions_test5k.json",
        SplitFile::Test,
        "COCO captions, Karpathy test split",
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SplitFile {
    Train,
    Val,
    Test,
}

/// One written split file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitFileSummary {
    /// Where it is.
    pub path: PathBuf,
    /// Images in it.
    pub images: usize,
    /// Captions in it.
    pub captions: usize,
}

/// Writes the three split files of `input` into `folder` (created if needed).
pub fn prepare_splits(
    input: &Path,
    folder: &Path,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<Vec<SplitFileSummary>, Error> {
    let options = ReadOptions {
        jobs,
        fields: Fields {
            raw: true,
            sentids: true,
            ..Fields::default()
        },
    };
    let dataset = read_karpathy(input, &options, reporter)?;
    let mut assigned = Vec::with_capacity(dataset.images().len());
    for (index, image) in dataset.images().iter().enumerate() {
        let file = match image.split {
            Split::Train | Split::Restval => SplitFile::Train,
            Split::Val => SplitFile::Val,
            Split::Test => SplitFile::Test,
            Split::Other(ref name) => {
                return Err(dataset.image_error(
                    index,
                    format!("split `{name}` is none of train, restval, val, test"),
                ));
            }
        };
        let (Some(filename), Some(_)) = (&image.filename, &image.filepath) else {
            return Err(dataset.image_error(index, "`filename` and `filepath` are needed"));
        };
        let id = image_id_of(filename).ok_or_else(|| {
            dataset.image_error(
                index,
                format!("cannot read an image id at the end of the file name `{filename}`"),
            )
        })?;
        assigned.push((file, id));
    }

    let mut files = Outputs::default();
    let mut summaries = Vec::new();
    for (name, file, description) in SPLIT_FILES {
        let path = folder.join(name);
        let mut summary = SplitFileSummary {
            path: path.clone(),
            images: 0,
            captions: 0,
        };
        files.write(&path, |out| {
            let mut json = PythonJsonWriter::new(out);
            json.begin_object()?;
            json.key("images")?;
            json.begin_array()?;
            for (image, &(assigned_file, id)) in dataset.images().iter().zip(&assigned) {
                if assigned_file != file {
                    continue;
                }
                json.begin_object()?;
                json.key("file_name")?;
                json.string(image.filename.as_deref().unwrap_or_default())?;
                json.key("file_path")?;
                json.string(image.filepath.as_deref().unwrap_or_default())?;
                json.key("id")?;
                json.integer(id)?;
                json.end_object()?;
                summary.images += 1;
            }
            json.end_array()?;
            json.key("annotations")?;
            json.begin_array()?;
            summary.captions = write_annotations(&mut json, &dataset, &assigned, file)?;
            json.end_array()?;
            json.key("info")?;
            json.begin_object()?;
            json.key("description")?;
            json.string(description)?;
            json.end_object()?;
            json.key("licenses")?;
            json.begin_array()?;
            json.end_array()?;
            json.key("type")?;
            json.string("captions")?;
            json.end_object()?;
            json.into_inner()?;
            Ok(())
        })?;
        summaries.push(summary);
    }
    files.commit()?;
    Ok(summaries)
}

fn write_annotations<W: std::io::Write>(
    json: &mut PythonJsonWriter<W>,
    dataset: &KarpathyDataset,
    assigned: &[(SplitFile, i64)],
    file: SplitFile,
) -> std::io::Result<usize> {
    let mut captions = 0;
    for (image, &(assigned_file, id)) in dataset.images().iter().zip(assigned) {
        if assigned_file != file {
            continue;
        }
        for sentence in dataset.sentences(image) {
            json.begin_object()?;
            json.key("image_id")?;
            json.integer(id)?;
            json.key("id")?;
            json.integer(sentence.sentid().unwrap_or_default())?;
            json.key("caption")?;
            json.string(sentence.raw().unwrap_or_default())?;
            json.end_object()?;
            captions += 1;
        }
    }
    Ok(captions)
}

/// `int(filename.split(".")[0].split("_")[-1])`.
fn image_id_of(filename: &str) -> Option<i64> {
    let stem = filename.split('.').next()?;
    let digits = stem.rsplit('_').next()?;
    // Python's int() accepts surrounding whitespace and a sign.
    let digits = digits.trim_matches(|c: char| c.is_whitespace());
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::image_id_of;

    #[test]
    fn image_ids_come_from_the_end_of_the_file_name() {
        assert_eq!(image_id_of("COCO_val2014_000000391895.jpg"), Some(391895));
        assert_eq!(image_id_of("000000000139.jpg"), Some(139));
        assert_eq!(image_id_of("1000268201_693b08cb0e.jpg"), None);
    }
}
