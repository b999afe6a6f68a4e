//! coco-scripts' `coco_splits.py`: a seeded fraction of the training images, with every
//! val and test image kept.
//!
//! The script seeds Python's generator (`random.seed(42)`), pools `train` and `restval`
//! images in file order, draws `random.sample(train, int(len(train) * fraction))` and
//! writes `{"images": sample + val + test, "dataset": ...}` with `json.dump`. cocoprep uses
//! the same generator ([`PythonRandom`]), so the same seed selects the same images in the
//! same order, and copies each record through in Python's formatting: the output is
//! byte-identical to the script's. Records are located in a first pass and read back one at
//! a time, so memory stays small whatever the file size.

use std::path::Path;

use cocoprep_base::position::{Locator, SourcePosition};
use cocoprep_base::progress::Reporter;
use cocoprep_formats::python_json::PythonJsonWriter;

use crate::error::{Error, ImageRef};
use crate::karpathy::Split;
use crate::karpathy::split_records::{RecordLocation, read_record_locations};
use crate::output::Outputs;
use crate::python_random::PythonRandom;

/// The seed `coco_splits.py` uses.
pub const DEFAULT_SEED: u64 = 42;

/// What `subsample` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubsampleSummary {
    /// Training images (`train` + `restval`) in the input.
    pub training_images: usize,
    /// Training images kept.
    pub sampled: usize,
    /// `val` images (all kept).
    pub val: usize,
    /// `test` images (all kept).
    pub test: usize,
}

/// Writes to `output` the images of `input` that `coco_splits.py --percentage fraction`
/// keeps with `random.seed(seed)`.
pub fn subsample(
    input: &Path,
    output: &Path,
    fraction: f64,
    seed: u64,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<SubsampleSummary, Error> {
    if !(0.0..=1.0).contains(&fraction) {
        return Err(Error::InvalidOption {
            message: format!("the fraction must be between 0 and 1, not {fraction}"),
        });
    }
    let (records, members) = read_record_locations(input, jobs, reporter)?;
    let dataset_member = members
        .iter()
        .find(|(key, _)| key == "dataset")
        .map(|(_, json)| json.as_str())
        .ok_or_else(|| Error::Invalid {
            path: input.to_owned(),
            message: "no top-level `dataset` member (coco_splits.py copies it)".to_owned(),
        })?;
    let (mut train, mut val, mut test) = (Vec::new(), Vec::new(), Vec::new());
    for (index, record) in records.iter().enumerate() {
        match &record.split {
            Split::Train | Split::Restval => train.push(record),
            Split::Val => val.push(record),
            Split::Test => test.push(record),
            Split::Other(name) => {
                let SourcePosition { line, column } = Locator::File(input).position(record.offset);
                return Err(Error::Image {
                    path: input.to_owned(),
                    line,
                    column,
                    image: ImageRef {
                        index,
                        cocoid: None,
                        filename: None,
                    },
                    message: format!("split `{name}` is none of train, restval, val, test"),
                });
            }
        }
    }
    // int(len(train) * percentage), in floating point as Python computes it.
    let count = (train.len() as f64 * fraction) as usize;
    let sample = PythonRandom::new(seed).sample(train.len(), count);

    let source = fs_err::File::open(input).map_err(|source| Error::Read {
        path: input.to_owned(),
        source,
    })?;
    let chosen = sample
        .iter()
        .map(|&index| train[index])
        .chain(val.iter().copied())
        .chain(test.iter().copied());
    let mut files = Outputs::default();
    files.write(output, |out| {
        let mut json = PythonJsonWriter::new(out);
        json.begin_object()?;
        json.key("images")?;
        json.begin_array()?;
        let mut record = Vec::new();
        for location in chosen {
            read_record(source.file(), location, &mut record)?;
            let text = std::str::from_utf8(&record).map_err(std::io::Error::other)?;
            json.transcode(text).map_err(std::io::Error::other)?;
        }
        json.end_array()?;
        json.key("dataset")?;
        json.transcode(dataset_member)
            .map_err(std::io::Error::other)?;
        json.end_object()?;
        json.into_inner()?;
        Ok(())
    })?;
    files.commit()?;
    Ok(SubsampleSummary {
        training_images: train.len(),
        sampled: count,
        val: val.len(),
        test: test.len(),
    })
}

fn read_record(
    mut file: &std::fs::File,
    location: &RecordLocation,
    buffer: &mut Vec<u8>,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    buffer.resize(location.length, 0);
    file.seek(SeekFrom::Start(location.offset))?;
    file.read_exact(buffer)
}
