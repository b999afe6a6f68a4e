//! Writing a Karpathy dataset file.

use std::io::Write;

use cocoprep_formats::python_json::PythonJsonWriter;

use super::NewImage;

/// Writes `{"images": [...], "dataset": name}` as `json.dump` would, members in the order
/// of Karpathy's `dataset_coco.json` (`filepath`, `sentids`, `filename`, `imgid`, `split`,
/// `sentences`, `cocoid`; sentences `tokens`, `raw`, `imgid`, `sentid`). `imgid` is the
/// image's position; `filepath` and `cocoid` are left out when absent (Flickr).
pub fn write_karpathy<W: Write>(out: W, images: &[NewImage], name: &str) -> std::io::Result<()> {
    let mut json = PythonJsonWriter::new(out);
    json.begin_object()?;
    json.key("images")?;
    json.begin_array()?;
    for (imgid, image) in images.iter().enumerate() {
        let imgid = imgid as i64;
        json.begin_object()?;
        if let Some(filepath) = &image.filepath {
            json.key("filepath")?;
            json.string(filepath)?;
        }
        json.key("sentids")?;
        json.begin_array()?;
        for sentence in &image.sentences {
            json.integer(sentence.sentid)?;
        }
        json.end_array()?;
        json.key("filename")?;
        json.string(&image.filename)?;
        json.key("imgid")?;
        json.integer(imgid)?;
        json.key("split")?;
        json.string(image.split.as_str())?;
        json.key("sentences")?;
        json.begin_array()?;
        for sentence in &image.sentences {
            json.begin_object()?;
            json.key("tokens")?;
            json.begin_array()?;
            for token in &sentence.tokens {
                json.string(token)?;
            }
            json.end_array()?;
            json.key("raw")?;
            json.string(&sentence.raw)?;
            json.key("imgid")?;
            json.integer(imgid)?;
            json.key("sentid")?;
            json.integer(sentence.sentid)?;
            json.end_object()?;
        }
        json.end_array()?;
        if let Some(cocoid) = image.cocoid {
            json.key("cocoid")?;
            json.integer(cocoid)?;
        }
        json.end_object()?;
    }
    json.end_array()?;
    json.key("dataset")?;
    json.string(name)?;
    json.end_object()?;
    json.into_inner()?;
    Ok(())
}

/// Writes `dataset` to `path` atomically.
pub fn write_karpathy_file(
    path: &std::path::Path,
    dataset: &super::BuiltDataset,
) -> Result<(), crate::Error> {
    let mut files = crate::output::Outputs::default();
    files.write(path, |file| {
        Ok(write_karpathy(file, &dataset.images, &dataset.name)?)
    })?;
    files.commit()
}
