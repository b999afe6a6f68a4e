//! `prepro_reference_json.py`: the coco-caption evaluation reference file.
//!
//! The reference keeps every image whose split is not `train` (so `restval`, `val` and
//! `test`), as `{"id": cocoid}` (`imgid` when there is no `cocoid`), and one annotation per
//! sentence whose caption is its tokens joined by spaces; annotation ids count from 0.
//! `info` and `licenses` are the fixed COCO 2014 ones the script writes, and `type` is
//! `captions`, so coco-caption's bundled pycocotools (which copies all three in
//! `loadRes`) and current pycocotools both load it.

use std::io::Write;
use std::path::Path;

use cocoprep_base::progress::Reporter;
use cocoprep_formats::python_json::PythonJsonWriter;

use crate::error::Error;
use crate::karpathy::{Fields, KarpathyDataset, ReadOptions, Split, read_karpathy};
use crate::output::Outputs;

/// `info` as `prepro_reference_json.py` writes it (`json.dump` formatting).
const INFO: &str = r#"{"description": "This is stable 1.0 version of the 2014 MS COCO dataset.", "url": "http://mscoco.org", "version": "1.0", "year": 2014, "contributor": "Microsoft COCO group", "date_created": "2015-01-27 09:11:52.357475"}"#;

/// `licenses` as `prepro_reference_json.py` writes it.
const LICENSES: &str = r#"[{"url": "http://creativecommons.org/licenses/by-nc-sa/2.0/", "id": 1, "name": "Attribution-NonCommercial-ShareAlike License"}, {"url": "http://creativecommons.org/licenses/by-nc/2.0/", "id": 2, "name": "Attribution-NonCommercial License"}, {"url": "http://creativecommons.org/licenses/by-nc-nd/2.0/", "id": 3, "name": "Attribution-NonCommercial-NoDerivs License"}, {"url": "http://creativecommons.org/licenses/by/2.0/", "id": 4, "name": "Attribution License"}, {"url": "http://creativecommons.org/licenses/by-sa/2.0/", "id": 5, "name": "Attribution-ShareAlike License"}, {"url": "http://creativecommons.org/licenses/by-nd/2.0/", "id": 6, "name": "Attribution-NoDerivs License"}, {"url": "http://flickr.com/commons/usage/", "id": 7, "name": "No known copyright restrictions"}, {"url": "http://www.usa.gov/copyright.shtml", "id": 8, "name": "United States Government Work"}]"#;

/// What `prepare_reference` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceSummary {
    /// Images in the reference (all but `train`).
    pub images: usize,
    /// Captions in the reference.
    pub captions: usize,
}

/// Runs `prepro_reference_json.py` on `input`, writing `output`.
pub fn prepare_reference(
    input: &Path,
    output: &Path,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<ReferenceSummary, Error> {
    let options = ReadOptions {
        jobs,
        fields: Fields {
            tokens: true,
            ..Fields::default()
        },
    };
    let dataset = read_karpathy(input, &options, reporter)?;
    let ids = dataset
        .images()
        .iter()
        .enumerate()
        .map(|(index, image)| {
            image
                .cocoid
                .or(image.imgid)
                .ok_or_else(|| dataset.image_error(index, "neither `cocoid` nor `imgid`"))
        })
        .collect::<Result<Vec<i64>, Error>>()?;
    let mut summary = ReferenceSummary {
        images: 0,
        captions: 0,
    };
    let mut files = Outputs::default();
    files.write(output, |file| {
        summary = write_reference(file, &dataset, &ids)?;
        Ok(())
    })?;
    files.commit()?;
    Ok(summary)
}

fn write_reference<W: Write>(
    out: W,
    dataset: &KarpathyDataset,
    ids: &[i64],
) -> std::io::Result<ReferenceSummary> {
    let kept: Vec<usize> = (0..ids.len())
        .filter(|&index| dataset.images()[index].split != Split::Train)
        .collect();
    let mut json = PythonJsonWriter::new(out);
    json.begin_object()?;
    json.key("info")?;
    json.formatted_value(INFO)?;
    json.key("licenses")?;
    json.formatted_value(LICENSES)?;
    json.key("type")?;
    json.string("captions")?;
    json.key("images")?;
    json.begin_array()?;
    for &index in &kept {
        json.begin_object()?;
        json.key("id")?;
        json.integer(ids[index])?;
        json.end_object()?;
    }
    json.end_array()?;
    json.key("annotations")?;
    json.begin_array()?;
    let mut caption = String::new();
    let mut next_id = 0i64;
    let words = dataset.words();
    for &index in &kept {
        for sentence in dataset.sentences(&dataset.images()[index]) {
            caption.clear();
            for (position, &word) in sentence.tokens().iter().enumerate() {
                if position > 0 {
                    caption.push(' ');
                }
                caption.push_str(words.word(word));
            }
            json.begin_object()?;
            json.key("image_id")?;
            json.integer(ids[index])?;
            json.key("caption")?;
            json.string(&caption)?;
            json.key("id")?;
            json.integer(next_id)?;
            json.end_object()?;
            next_id += 1;
        }
    }
    json.end_array()?;
    json.end_object()?;
    json.into_inner()?;
    Ok(ReferenceSummary {
        images: kept.len(),
        captions: next_id as usize,
    })
}
