//! `prepro_labels.py`: the vocabulary, `cocotalk.json` and `cocotalk_label.h5`.
//!
//! The algorithm of self-critical.pytorch's `scripts/prepro_labels.py` (the same in AoANet,
//! VSUA, SGAE and coco-scripts), step for step:
//! 1. count every token of every caption of every image, all splits included;
//! 2. the vocabulary is the words counted more than `word_count_threshold` times, in the
//!    order they first occur, plus `UNK` at the end if any occurrence was left out;
//! 3. word ids run from 1 (0 is padding and end of sentence); each caption becomes a row
//!    of `max_length` ids, clipped and zero-padded;
//! 4. `label_start_ix` / `label_end_ix` are 1-based inclusive row ranges per image.
//!
//! `cocotalk.json` is written byte-identical to `json.dump`'s output; the HDF5 file holds
//! the same arrays with the same dtypes (`uint32`) as h5py's.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::Reporter;
use cocoprep_coco::image_file::read_image_header;
use cocoprep_formats::hdf5::Hdf5Builder;
use cocoprep_formats::python_json::PythonJsonWriter;
use rayon::prelude::*;

use crate::error::Error;
use crate::karpathy::{Fields, KarpathyDataset, ReadOptions, read_karpathy};
use crate::output::{Outputs, python_path_join, with_suffix};
use crate::words::{WordId, Words};

/// The word standing for every word left out of the vocabulary.
pub const UNKNOWN_WORD: &str = "UNK";

/// The options of `prepro_labels.py`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelsOptions {
    /// Captions are clipped to this many tokens (`--max_length`, default 16; at least 1).
    pub max_length: usize,
    /// A word is kept if it occurs more than this many times (`--word_count_threshold`,
    /// default 5).
    pub word_count_threshold: u64,
    /// Read each image's width and height from `<root>/<filepath>/<filename>`
    /// (`--images_root`).
    pub images_root: Option<PathBuf>,
    /// Worker threads for reading the file (0 = as many as the rayon pool the call runs in
    /// has); the rest of the work runs on that pool.
    pub jobs: usize,
}

impl Default for LabelsOptions {
    fn default() -> Self {
        Self {
            max_length: 16,
            word_count_threshold: 5,
            images_root: None,
            jobs: 0,
        }
    }
}

/// The vocabulary: `ix_to_word` of `cocotalk.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocabulary {
    /// The words in id order (id = position + 1).
    words: Vec<String>,
    /// The label (1-based id) of each corpus word.
    labels: Vec<u32>,
    /// Occurrences of the words left out (`bad_count`).
    pub rare_occurrences: u64,
    /// How many distinct words were left out.
    pub rare_words: usize,
}

impl Vocabulary {
    /// Keeps the words of `words` counted more than `threshold` times, in order, and adds
    /// `UNK` if any occurrence is left out (`prepro_labels.py`'s `build_vocab`).
    pub fn build(words: &Words, threshold: u64) -> Self {
        let mut vocabulary = Vec::new();
        let mut labels = vec![0u32; words.len()];
        let mut rare_occurrences = 0;
        let mut rare_words = 0;
        for (id, word, count) in words.iter() {
            if count > threshold {
                vocabulary.push(word.to_owned());
                labels[id.index()] = vocabulary.len() as u32;
            } else {
                rare_occurrences += count;
                rare_words += 1;
            }
        }
        if rare_occurrences > 0 {
            vocabulary.push(UNKNOWN_WORD.to_owned());
            let unknown = vocabulary.len() as u32;
            for (id, word, count) in words.iter() {
                // `wtoi` is built from the word list, so a real word spelled `UNK` maps to
                // the `UNK` appended last, like every rare word.
                if count <= threshold || word == UNKNOWN_WORD {
                    labels[id.index()] = unknown;
                }
            }
        }
        Self {
            words: vocabulary,
            labels,
            rare_occurrences,
            rare_words,
        }
    }

    /// The number of words (`len(ix_to_word)`).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words in id order; word `i` (0-based) has id `i + 1`.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The id a corpus word is written as.
    pub fn label(&self, word: WordId) -> u32 {
        self.labels[word.index()]
    }

    /// Whether `UNK` was added.
    pub fn has_unknown(&self) -> bool {
        self.rare_occurrences > 0
    }
}

/// The label arrays of `<prefix>_label.h5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    /// `labels`: one row of `max_length` word ids per caption, zero-padded (row-major).
    pub labels: Vec<u32>,
    /// The row length.
    pub max_length: usize,
    /// `label_start_ix`: the 1-based first row of each image.
    pub label_start_ix: Vec<u32>,
    /// `label_end_ix`: the 1-based last row of each image (inclusive).
    pub label_end_ix: Vec<u32>,
    /// `label_length`: each caption's length, clipped to `max_length`.
    pub label_length: Vec<u32>,
}

impl Labels {
    /// Encodes every caption of `dataset` (`prepro_labels.py`'s `encode_captions`).
    pub fn encode(dataset: &KarpathyDataset, vocabulary: &Vocabulary, max_length: usize) -> Self {
        let captions = dataset.sentence_count();
        let mut labels = vec![0u32; captions * max_length];
        let mut label_length = vec![0u32; captions];
        labels
            .par_chunks_mut(max_length.max(1))
            .zip(label_length.par_iter_mut())
            .enumerate()
            .for_each(|(index, (row, length))| {
                let tokens = dataset.sentence(index).tokens();
                let kept = tokens.len().min(max_length);
                for (slot, &token) in row.iter_mut().zip(&tokens[..kept]) {
                    *slot = vocabulary.label(token);
                }
                *length = kept as u32;
            });
        let mut label_start_ix = Vec::with_capacity(dataset.images().len());
        let mut label_end_ix = Vec::with_capacity(dataset.images().len());
        let mut counter = 1u32;
        for image in dataset.images() {
            let count = dataset.sentences(image).len() as u32;
            label_start_ix.push(counter);
            label_end_ix.push(counter + count - 1);
            counter += count;
        }
        Self {
            labels,
            max_length,
            label_start_ix,
            label_end_ix,
            label_length,
        }
    }

    /// Writes the four datasets as HDF5 (`uint32`, at the root, contiguous).
    pub fn write_hdf5<W: std::io::Write>(
        &self,
        out: W,
    ) -> Result<(), cocoprep_formats::hdf5::Hdf5Error> {
        let mut file = Hdf5Builder::new();
        let captions = self.label_length.len();
        file.dataset("labels", &[captions, self.max_length], &self.labels)?
            .dataset(
                "label_start_ix",
                &[self.label_start_ix.len()],
                &self.label_start_ix,
            )?
            .dataset(
                "label_end_ix",
                &[self.label_end_ix.len()],
                &self.label_end_ix,
            )?
            .dataset("label_length", &[captions], &self.label_length)?;
        file.write_to(out)
    }
}

/// Where `prepare_labels` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelsOutputs {
    /// `cocotalk.json` (`--output_json`).
    pub json: PathBuf,
    /// `<prefix>_label.h5` (`--output_h5` is the prefix).
    pub hdf5: PathBuf,
}

impl LabelsOutputs {
    /// The outputs of `--output_json JSON --output_h5 PREFIX`.
    pub fn new(json: &Path, hdf5_prefix: &Path) -> Self {
        Self {
            json: json.to_owned(),
            hdf5: with_suffix(hdf5_prefix, "_label.h5"),
        }
    }
}

/// What `prepare_labels` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelsSummary {
    /// Images (rows of `label_start_ix`).
    pub images: usize,
    /// Captions (rows of `labels`).
    pub captions: usize,
    /// Distinct words in the captions.
    pub distinct_words: usize,
    /// Words in the vocabulary, `UNK` included.
    pub vocabulary: usize,
    /// Whether `UNK` was added.
    pub has_unknown: bool,
    /// Distinct words left out.
    pub rare_words: usize,
    /// Occurrences of the words left out.
    pub rare_occurrences: u64,
    /// Captions longer than `max_length`, clipped.
    pub clipped_captions: usize,
    /// Whether image sizes were read.
    pub image_sizes: bool,
}

/// Runs `prepro_labels.py` on `input`: reads the Karpathy file, builds the vocabulary,
/// encodes the captions, reads image sizes if asked, and writes both outputs. Nothing is
/// written unless everything succeeds.
pub fn prepare_labels(
    input: &Path,
    outputs: &LabelsOutputs,
    options: &LabelsOptions,
    reporter: &dyn Reporter,
) -> Result<LabelsSummary, Error> {
    if options.max_length == 0 {
        return Err(Error::InvalidOption {
            message: "the maximum caption length must be at least 1".to_owned(),
        });
    }
    let read_options = ReadOptions {
        jobs: options.jobs,
        fields: Fields {
            tokens: true,
            ..Fields::default()
        },
    };
    let dataset = read_karpathy(input, &read_options, reporter)?;
    let vocabulary = Vocabulary::build(dataset.words(), options.word_count_threshold);
    let labels = Labels::encode(&dataset, &vocabulary, options.max_length);
    let sizes = match &options.images_root {
        Some(root) => Some(image_sizes(&dataset, root, reporter)?),
        None => None,
    };

    let mut files = Outputs::default();
    files.write(&outputs.hdf5, |file| Ok(labels.write_hdf5(file)?))?;
    files.write(&outputs.json, |file| {
        Ok(write_cocotalk_json(
            file,
            &vocabulary,
            &dataset,
            sizes.as_deref(),
        )?)
    })?;
    files.commit()?;

    let clipped_captions = (0..dataset.sentence_count())
        .filter(|&index| dataset.sentence(index).tokens().len() > options.max_length)
        .count();
    Ok(LabelsSummary {
        images: dataset.images().len(),
        captions: labels.label_length.len(),
        distinct_words: dataset.words().len(),
        vocabulary: vocabulary.len(),
        has_unknown: vocabulary.has_unknown(),
        rare_words: vocabulary.rare_words,
        rare_occurrences: vocabulary.rare_occurrences,
        clipped_captions,
        image_sizes: sizes.is_some(),
    })
}

/// Width and height of every image, from its file header (as PIL's `Image.open().size`:
/// no decoding, no EXIF rotation), read in parallel.
pub fn image_sizes(
    dataset: &KarpathyDataset,
    root: &Path,
    reporter: &dyn Reporter,
) -> Result<Vec<(u32, u32)>, Error> {
    let images = dataset.images();
    let task = reporter.on_task_start(
        "reading image sizes",
        Some(images.len() as u64),
        cocoprep_base::progress::ProgressUnit::Items,
    );
    let result = images
        .par_iter()
        .enumerate()
        .map(|(index, image)| {
            let (Some(filepath), Some(filename)) = (&image.filepath, &image.filename) else {
                return Err(dataset.image_error(
                    index,
                    "`filepath` and `filename` are needed to find the image under --images-root",
                ));
            };
            let path = root.join(python_path_join(filepath, filename));
            let header = read_image_header(&path)
                .map_err(|source| dataset.image_size_error(index, source))?;
            reporter.on_task_progress(task, 1);
            Ok((header.width, header.height))
        })
        .collect();
    reporter.on_task_complete(task);
    result
}

/// Writes `cocotalk.json` as `json.dump` does: `ix_to_word`, then one entry per image with
/// `split`, `file_path` (if the image has a `filename`), `id` (`cocoid`, else `imgid`, if
/// either is present) and, with sizes, `width` and `height`.
pub fn write_cocotalk_json<W: std::io::Write>(
    out: W,
    vocabulary: &Vocabulary,
    dataset: &KarpathyDataset,
    sizes: Option<&[(u32, u32)]>,
) -> std::io::Result<()> {
    let mut json = PythonJsonWriter::new(out);
    json.begin_object()?;
    json.key("ix_to_word")?;
    json.begin_object()?;
    let mut number = itoa::Buffer::new();
    for (index, word) in vocabulary.words().iter().enumerate() {
        json.key(number.format(index + 1))?;
        json.string(word)?;
    }
    json.end_object()?;
    json.key("images")?;
    json.begin_array()?;
    for (index, image) in dataset.images().iter().enumerate() {
        json.begin_object()?;
        json.key("split")?;
        json.string(image.split.as_str())?;
        if let Some(filename) = &image.filename {
            json.key("file_path")?;
            json.string(&python_path_join(
                image.filepath.as_deref().unwrap_or(""),
                filename,
            ))?;
        }
        if let Some(id) = image.cocoid.or(image.imgid) {
            json.key("id")?;
            json.integer(id)?;
        }
        if let Some(sizes) = sizes {
            let (width, height) = sizes[index];
            json.key("width")?;
            json.unsigned(width.into())?;
            json.key("height")?;
            json.unsigned(height.into())?;
        }
        json.end_object()?;
    }
    json.end_array()?;
    json.end_object()?;
    json.into_inner()?;
    Ok(())
}
