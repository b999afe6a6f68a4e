//! The COCO-style caption files of the video datasets (`caption_msvd_*_cocostyle.json`,
//! `caption_msrvtt_1k_*_cocostyle.json`): `{"images": [...], "annotations": [...]}` written
//! byte for byte as the reference scripts' `json.dump` writes them.
//!
//! The scripts write no `info` key, and pycocotools 2.0.9 and 2.0.10 `COCO.loadRes` raise
//! `KeyError: 'info'` (2.0.11 falls back to `{}`; `COCO.info()` still needs it) on such files (Uni-Perceiver's evaluators load them with pycocotools).
//! [`InfoKey::Add`] appends `"info": {}` as the last key, so the rest of the file is the
//! reference bytes; Uni-Perceiver's loaders ignore the key.

use cocoprep_formats::python_json::PythonJsonWriter;

/// Whether to add the `info` key pycocotools needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoKey {
    /// Append `"info": {}` (the default of the commands).
    Add,
    /// Write exactly the reference script's bytes.
    Omit,
}

/// One `images` record: `{"id": ..., "file_name": ...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptionImage {
    /// The video's numeric id.
    pub id: i64,
    /// The clip name, without extension.
    pub file_name: String,
}

/// One `annotations` record: `{"image_id": ..., "id": ..., "caption": ...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptionAnnotation {
    /// The video's id.
    pub image_id: i64,
    /// The sentence id.
    pub id: i64,
    /// The caption text.
    pub caption: String,
}

/// A caption file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaptionFile {
    /// `images`, in the scripts' order.
    pub images: Vec<CaptionImage>,
    /// `annotations`, in the scripts' order.
    pub annotations: Vec<CaptionAnnotation>,
}

impl CaptionFile {
    /// The file's bytes, as `json.dump(data, f)` writes them (plus `info` if asked).
    pub fn to_json(&self, info: InfoKey) -> Vec<u8> {
        let mut json = PythonJsonWriter::new(Vec::with_capacity(
            self.annotations.len() * 96 + self.images.len() * 48 + 64,
        ));
        // Writing into a Vec cannot fail.
        let result: std::io::Result<()> = (|| {
            json.begin_object()?;
            json.key("images")?;
            json.begin_array()?;
            for image in &self.images {
                json.begin_object()?;
                json.key("id")?;
                json.integer(image.id)?;
                json.key("file_name")?;
                json.string(&image.file_name)?;
                json.end_object()?;
            }
            json.end_array()?;
            json.key("annotations")?;
            json.begin_array()?;
            for annotation in &self.annotations {
                json.begin_object()?;
                json.key("image_id")?;
                json.integer(annotation.image_id)?;
                json.key("id")?;
                json.integer(annotation.id)?;
                json.key("caption")?;
                json.string(&annotation.caption)?;
                json.end_object()?;
            }
            json.end_array()?;
            if info == InfoKey::Add {
                json.key("info")?;
                json.begin_object()?;
                json.end_object()?;
            }
            json.end_object()
        })();
        result.expect("writing JSON into memory cannot fail");
        json.into_inner().expect("a Vec flushes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_is_appended_after_the_reference_bytes() {
        let file = CaptionFile {
            images: vec![CaptionImage {
                id: 1,
                file_name: "-4wsuPCjDBc_5_15".to_owned(),
            }],
            annotations: vec![CaptionAnnotation {
                image_id: 1,
                id: 1,
                caption: "caf\u{e9}".to_owned(),
            }],
        };
        let reference = r#"{"images": [{"id": 1, "file_name": "-4wsuPCjDBc_5_15"}], "annotations": [{"image_id": 1, "id": 1, "caption": "caf\u00e9"}]}"#;
        assert_eq!(
            String::from_utf8(file.to_json(InfoKey::Omit)).unwrap(),
            reference
        );
        let with_info = String::from_utf8(file.to_json(InfoKey::Add)).unwrap();
        assert_eq!(
            with_info,
            format!("{}, \"info\": {{}}}}", &reference[..reference.len() - 1])
        );
    }
}
