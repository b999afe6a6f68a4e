//! Writing a [`Dataset`] back to JSON.
//!
//! Output is compact like the official COCO files. Members are written in COCO's usual
//! order, unknown members after them; numbers keep their integer/float form and polygons
//! their original text, so `json.load` of the output equals `json.load` of the input.

use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::bbox::BBoxXywh;
use crate::error::WriteError;
use crate::model::{
    Annotation, Category, Dataset, Extras, Image, Info, IntegerNumbers, Layout, License,
    PanopticSegment,
};
use crate::packed::format_number;
use crate::segmentation::{Rle, RleCounts, Segmentation};
use cocoprep_base::output::AtomicFile;

/// Annotations serialised per parallel task.
const CHUNK: usize = 4096;

impl Dataset {
    /// Writes the dataset to `path` atomically (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<(), WriteError> {
        let io_error = |source| WriteError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = AtomicFile::create(path).map_err(io_error)?;
        self.write_to(&mut file).map_err(io_error)?;
        file.commit().map_err(io_error)
    }

    /// Serialises the dataset into `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.layout == Layout::ResultsList {
            out.write_all(b"[")?;
            write_records(out, &self.annotations, write_annotation)?;
            return out.write_all(b"]");
        }
        let mut first = true;
        let mut key = |out: &mut dyn Write, name: &str| -> io::Result<()> {
            out.write_all(if first { b"{\"" } else { b",\"" })?;
            first = false;
            out.write_all(name.as_bytes())?;
            out.write_all(b"\":")
        };
        if let Some(info) = &self.info {
            key(out, "info")?;
            let mut buffer = Vec::new();
            write_info(&mut buffer, info);
            out.write_all(&buffer)?;
        }
        if self.sections.licenses {
            key(out, "licenses")?;
            out.write_all(b"[")?;
            write_records(out, &self.licenses, write_license)?;
            out.write_all(b"]")?;
        }
        if self.sections.images {
            key(out, "images")?;
            out.write_all(b"[")?;
            write_records(out, &self.images, write_image)?;
            out.write_all(b"]")?;
        }
        if self.sections.annotations {
            key(out, "annotations")?;
            out.write_all(b"[")?;
            write_records(out, &self.annotations, write_annotation)?;
            out.write_all(b"]")?;
        }
        if self.sections.categories {
            key(out, "categories")?;
            out.write_all(b"[")?;
            write_records(out, &self.categories, write_category)?;
            out.write_all(b"]")?;
        }
        if let Some(extras) = self.extras.as_json() {
            let inner = &extras[1..extras.len() - 1];
            if !inner.is_empty() {
                out.write_all(if first { b"{" } else { b"," })?;
                first = false;
                out.write_all(inner.as_bytes())?;
            }
        }
        out.write_all(if first { b"{}" } else { b"}" })
    }

    /// The dataset as JSON bytes.
    pub fn to_json_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out)
            .expect("writing to memory does not fail");
        out
    }
}

/// One record as the compact JSON text the file writer emits (`json.loads` of it equals
/// `json.load` of the record in the original file): the Python bindings build each
/// record's `dict` from it on first access.
macro_rules! record_json {
    ($type:ty, $writer:ident, $what:literal) => {
        impl $type {
            #[doc = concat!("Appends this ", $what, " as one compact JSON object to `out`.")]
            pub fn write_json(&self, out: &mut Vec<u8>) {
                $writer(out, self);
            }
        }
    };
}

record_json!(Annotation, write_annotation, "annotation");
record_json!(Image, write_image, "image");
record_json!(Category, write_category, "category");
record_json!(Info, write_info, "`info` object");
record_json!(License, write_license, "license");

/// Serialises records in parallel chunks, written in order.
fn write_records<T: Sync>(
    out: &mut dyn Write,
    records: &[T],
    write_one: fn(&mut Vec<u8>, &T),
) -> io::Result<()> {
    let chunks: Vec<&[T]> = records.chunks(CHUNK).collect();
    // A window of chunks at a time bounds the memory held by serialised text.
    for (window_index, window) in chunks.chunks(32).enumerate() {
        let texts: Vec<Vec<u8>> = window
            .par_iter()
            .enumerate()
            .map(|(chunk_index, chunk)| {
                let mut buffer = Vec::with_capacity(chunk.len() * 256);
                for (index, record) in chunk.iter().enumerate() {
                    if window_index + chunk_index + index > 0 {
                        buffer.push(b',');
                    }
                    write_one(&mut buffer, record);
                }
                buffer
            })
            .collect();
        for text in texts {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

/// Writes `,"name":` (or `"name":` for the first member of an object).
struct Members<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Members<'a> {
    fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn string(&mut self, name: &str, value: &str) {
        write_string(self.key(name), value);
    }

    fn integer(&mut self, name: &str, value: u64) {
        let mut buffer = itoa::Buffer::new();
        let text = buffer.format(value);
        self.key(name).extend_from_slice(text.as_bytes());
    }

    fn number(&mut self, name: &str, value: f64, is_integer: bool) {
        let out = self.key(name);
        write_number(out, value, is_integer);
    }

    fn close(self, extras: &Extras) {
        if self.first {
            // No known members: extras (if any) start the object.
            if let Some(text) = extras.as_json() {
                self.out.extend_from_slice(&text.as_bytes()[1..]);
                return;
            }
        } else {
            extras.write_members(self.out);
        }
        self.out.push(b'}');
    }
}

fn write_string(out: &mut Vec<u8>, value: &str) {
    // serde_json escapes exactly what JSON requires.
    serde_json::to_writer(&mut *out, value).expect("writing to memory does not fail");
}

fn write_number(out: &mut Vec<u8>, value: f64, is_integer: bool) {
    if is_integer && value.fract() == 0.0 && value.abs() < 9.007_199_254_740_992e15 {
        let mut buffer = itoa::Buffer::new();
        out.extend_from_slice(buffer.format(value as i64).as_bytes());
    } else {
        let mut buffer = ryu::Buffer::new();
        out.extend_from_slice(format_number(&mut buffer, value).as_bytes());
    }
}

fn write_info(out: &mut Vec<u8>, info: &Info) {
    let mut members = Members::open(out);
    for (name, value) in [
        ("description", &info.description),
        ("url", &info.url),
        ("version", &info.version),
    ] {
        if let Some(value) = value {
            members.string(name, value);
        }
    }
    if let Some(year) = info.year {
        let out = members.key("year");
        out.extend_from_slice(itoa::Buffer::new().format(year).as_bytes());
    }
    for (name, value) in [
        ("contributor", &info.contributor),
        ("date_created", &info.date_created),
    ] {
        if let Some(value) = value {
            members.string(name, value);
        }
    }
    members.close(&info.extras);
}

fn write_license(out: &mut Vec<u8>, license: &License) {
    let mut members = Members::open(out);
    if let Some(url) = &license.url {
        members.string("url", url);
    }
    if let Some(id) = license.id {
        members.integer("id", id.0);
    }
    if let Some(name) = &license.name {
        members.string("name", name);
    }
    members.close(&license.extras);
}

fn write_image(out: &mut Vec<u8>, image: &Image) {
    let mut members = Members::open(out);
    if let Some(license) = image.license {
        members.integer("license", license.0);
    }
    if let Some(file_name) = &image.file_name {
        members.string("file_name", file_name);
    }
    if let Some(url) = &image.coco_url {
        members.string("coco_url", url);
    }
    if let Some(height) = image.height {
        members.integer("height", height as u64);
    }
    if let Some(width) = image.width {
        members.integer("width", width as u64);
    }
    if let Some(date) = &image.date_captured {
        members.string("date_captured", date);
    }
    if let Some(url) = &image.flickr_url {
        members.string("flickr_url", url);
    }
    members.integer("id", image.id.0);
    members.close(&image.extras);
}

/// Writes a segmentation value.
pub(crate) fn write_segmentation(out: &mut Vec<u8>, segmentation: &Segmentation) {
    match segmentation {
        Segmentation::Polygons(polygons) => polygons.write_json(out),
        Segmentation::Rle(Rle {
            height,
            width,
            counts,
        }) => {
            out.extend_from_slice(b"{\"size\":[");
            out.extend_from_slice(itoa::Buffer::new().format(*height).as_bytes());
            out.push(b',');
            out.extend_from_slice(itoa::Buffer::new().format(*width).as_bytes());
            out.extend_from_slice(b"],\"counts\":");
            match counts {
                RleCounts::Compressed(text) => write_string(out, text),
                RleCounts::Uncompressed(counts) => {
                    out.push(b'[');
                    let mut buffer = itoa::Buffer::new();
                    for (index, count) in counts.iter().enumerate() {
                        if index > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(buffer.format(*count).as_bytes());
                    }
                    out.push(b']');
                }
            }
            out.push(b'}');
        }
    }
}

fn write_annotation(out: &mut Vec<u8>, annotation: &Annotation) {
    let integers = annotation.integer_numbers;
    let mut members = Members::open(out);
    if let Some(segmentation) = &annotation.segmentation {
        write_segmentation(members.key("segmentation"), segmentation);
    }
    if let Some(count) = annotation.num_keypoints {
        members.integer("num_keypoints", count as u64);
    }
    if let Some(area) = annotation.area {
        members.number("area", area, integers.get(IntegerNumbers::AREA));
    }
    if let Some(iscrowd) = annotation.iscrowd {
        members.integer("iscrowd", iscrowd as u64);
    }
    if let Some(keypoints) = &annotation.keypoints {
        keypoints.write_json(members.key("keypoints"));
    }
    members.integer("image_id", annotation.image_id.0);
    if let Some(bbox) = annotation.bbox {
        write_bbox(members.key("bbox"), bbox, integers);
    }
    if let Some(category_id) = annotation.category_id {
        members.integer("category_id", category_id.0 as u64);
    }
    if let Some(id) = annotation.id {
        members.integer("id", id.0);
    }
    if let Some(caption) = &annotation.caption {
        members.string("caption", caption);
    }
    if let Some(score) = annotation.score {
        members.number("score", score, integers.get(IntegerNumbers::SCORE));
    }
    if let Some(panoptic) = &annotation.panoptic {
        let out = members.key("segments_info");
        out.push(b'[');
        for (index, segment) in panoptic.segments_info.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            write_segment(out, segment);
        }
        out.push(b']');
        members.string("file_name", &panoptic.file_name);
    }
    members.close(&annotation.extras);
}

fn write_bbox(out: &mut Vec<u8>, bbox: BBoxXywh, integers: IntegerNumbers) {
    out.push(b'[');
    for (index, value) in bbox.to_array().into_iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_number(out, value, integers.get(IntegerNumbers::BBOX_X << index));
    }
    out.push(b']');
}

fn write_segment(out: &mut Vec<u8>, segment: &PanopticSegment) {
    let integers = segment.integer_numbers;
    let mut members = Members::open(out);
    members.integer("id", segment.id.0);
    members.integer("category_id", segment.category_id.0 as u64);
    if let Some(iscrowd) = segment.iscrowd {
        members.integer("iscrowd", iscrowd as u64);
    }
    if let Some(bbox) = segment.bbox {
        write_bbox(members.key("bbox"), bbox, integers);
    }
    if let Some(area) = segment.area {
        members.number("area", area, integers.get(IntegerNumbers::AREA));
    }
    members.close(&segment.extras);
}

fn write_category(out: &mut Vec<u8>, category: &Category) {
    let mut members = Members::open(out);
    if let Some(supercategory) = &category.supercategory {
        members.string("supercategory", supercategory);
    }
    members.integer("id", category.id.0 as u64);
    members.string("name", &category.name);
    if let Some(keypoints) = &category.keypoints {
        serde_json::to_writer(&mut *members.key("keypoints"), keypoints)
            .expect("writing to memory does not fail");
    }
    if let Some(isthing) = category.isthing {
        members.integer("isthing", isthing as u64);
    }
    if let Some([red, green, blue]) = category.color {
        let out = members.key("color");
        out.extend_from_slice(format!("[{red},{green},{blue}]").as_bytes());
    }
    if let Some(skeleton) = &category.skeleton {
        serde_json::to_writer(&mut *members.key("skeleton"), skeleton)
            .expect("writing to memory does not fail");
    }
    members.close(&category.extras);
}
