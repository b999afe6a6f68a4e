//! serde deserialisers for the records of a COCO file.
//!
//! Hand-written visitors instead of `#[derive(Deserialize)]` because the model needs what
//! derive cannot give cheaply: unknown members kept verbatim (derive's `flatten` buffers
//! every value), polygons kept as packed text, and integers remembered as integers.

use std::borrow::Cow;
use std::fmt;

use cocoprep_base::position::strip_position;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::bbox::BBoxXywh;
use crate::ids::{AnnotationId, CategoryId, ImageId, LicenseId};
use crate::model::{
    Annotation, Category, ExtrasBuilder, Image, Info, IntegerNumbers, License, PanopticAnnotation,
    PanopticSegment, SegmentId,
};
use crate::packed::{Nesting, PackedNumbers};
use crate::segmentation::{Rle, RleCounts, Segmentation};

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(value)))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Prefixes an error with the member it happened in.
fn in_field<E: de::Error>(field: &str) -> impl FnOnce(E) -> E + '_ {
    move |error| E::custom(format_args!("`{field}`: {error}"))
}

/// A JSON number, remembering whether it was written as an integer.
struct Number {
    value: f64,
    is_integer: bool,
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Number, E> {
                Ok(Number {
                    value: value as f64,
                    is_integer: true,
                })
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Number, E> {
                Ok(Number {
                    value: value as f64,
                    is_integer: true,
                })
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Number, E> {
                Ok(Number {
                    value,
                    is_integer: false,
                })
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// `bbox`: exactly four numbers.
struct BoxValue {
    bbox: BBoxXywh,
    integers: [bool; 4],
}

impl<'de> Deserialize<'de> for BoxValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoxVisitor;
        impl<'de> Visitor<'de> for BoxVisitor {
            type Value = BoxValue;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("4 numbers [x, y, width, height]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BoxValue, A::Error> {
                let mut values = [0.0; 4];
                let mut integers = [false; 4];
                for index in 0..4 {
                    let number: Number = seq
                        .next_element()?
                        .ok_or_else(|| de::Error::invalid_length(index, &self))?;
                    values[index] = number.value;
                    integers[index] = number.is_integer;
                }
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    let mut count = 5;
                    while seq.next_element::<IgnoredAny>()?.is_some() {
                        count += 1;
                    }
                    return Err(de::Error::invalid_length(count, &self));
                }
                Ok(BoxValue {
                    bbox: BBoxXywh::from_array(values),
                    integers,
                })
            }
        }
        deserializer.deserialize_seq(BoxVisitor)
    }
}

/// `iscrowd`: the integers 0 or 1.
struct Crowd(bool);

impl<'de> Deserialize<'de> for Crowd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match u64::deserialize(deserializer)? {
            0 => Ok(Crowd(false)),
            1 => Ok(Crowd(true)),
            other => Err(de::Error::invalid_value(
                de::Unexpected::Unsigned(other),
                &"0 or 1",
            )),
        }
    }
}

/// `segmentation` in any of its three forms.
pub(crate) fn parse_segmentation(text: &str) -> Result<Segmentation, String> {
    match text.trim_start().as_bytes().first() {
        Some(b'[') => PackedNumbers::pack(text.as_bytes(), Nesting::Nested)
            .map(Segmentation::Polygons)
            .map_err(|error| format!("polygons: {error}")),
        Some(b'{') => serde_json::from_str::<RleValue>(text)
            .map(|rle| Segmentation::Rle(rle.0))
            .map_err(|error| format!("RLE: {}", strip_position(&error.to_string()))),
        _ => Err("expected a list of polygons or an RLE object".to_owned()),
    }
}

pub(crate) struct RleValue(pub(crate) Rle);

impl<'de> Deserialize<'de> for RleValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RleVisitor;
        impl<'de> Visitor<'de> for RleVisitor {
            type Value = RleValue;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str(r#"an RLE object {"size": [height, width], "counts": ...}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RleValue, A::Error> {
                let mut size: Option<[u32; 2]> = None;
                let mut counts: Option<RleCounts> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match &*key.0 {
                        "size" => size = Some(map.next_value().map_err(in_field("size"))?),
                        "counts" => {
                            counts = Some(
                                map.next_value::<CountsValue>()
                                    .map_err(in_field("counts"))?
                                    .0,
                            )
                        }
                        other => {
                            return Err(de::Error::custom(format_args!(
                                "unexpected member `{other}` (an RLE has only `size` and `counts`)"
                            )));
                        }
                    }
                }
                let [height, width] = size.ok_or_else(|| de::Error::missing_field("size"))?;
                let counts = counts.ok_or_else(|| de::Error::missing_field("counts"))?;
                Ok(RleValue(Rle {
                    height,
                    width,
                    counts,
                }))
            }
        }
        deserializer.deserialize_map(RleVisitor)
    }
}

struct CountsValue(RleCounts);

impl<'de> Deserialize<'de> for CountsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountsVisitor;
        impl<'de> Visitor<'de> for CountsVisitor {
            type Value = CountsValue;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a compressed RLE string or a list of run lengths")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<CountsValue, E> {
                Ok(CountsValue(RleCounts::Compressed(value.to_owned())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CountsValue, A::Error> {
                let mut counts = Vec::with_capacity(seq.size_hint().unwrap_or(16));
                while let Some(count) = seq.next_element::<u32>()? {
                    counts.push(count);
                }
                Ok(CountsValue(RleCounts::Uncompressed(counts)))
            }
        }
        deserializer.deserialize_any(CountsVisitor)
    }
}

impl<'de> Deserialize<'de> for Annotation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnnotationVisitor;
        impl<'de> Visitor<'de> for AnnotationVisitor {
            type Value = Annotation;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an annotation object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Annotation, A::Error> {
                let mut annotation = Annotation::default();
                let (mut segments_info, mut file_name): (Option<&RawValue>, Option<&RawValue>) =
                    (None, None);
                let mut image_id = None;
                let mut extras = ExtrasBuilder::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    match field {
                        "id" => {
                            annotation.id =
                                Some(AnnotationId(map.next_value().map_err(in_field(field))?))
                        }
                        "image_id" => {
                            image_id = Some(ImageId(map.next_value().map_err(in_field(field))?))
                        }
                        "category_id" => {
                            annotation.category_id =
                                Some(CategoryId(map.next_value().map_err(in_field(field))?))
                        }
                        "bbox" => {
                            let value: BoxValue = map.next_value().map_err(in_field(field))?;
                            annotation.bbox = Some(value.bbox);
                            for (index, is_integer) in value.integers.into_iter().enumerate() {
                                annotation
                                    .integer_numbers
                                    .set(IntegerNumbers::BBOX_X << index, is_integer);
                            }
                        }
                        "area" => {
                            let number: Number = map.next_value().map_err(in_field(field))?;
                            annotation.area = Some(number.value);
                            annotation
                                .integer_numbers
                                .set(IntegerNumbers::AREA, number.is_integer);
                        }
                        "score" => {
                            let number: Number = map.next_value().map_err(in_field(field))?;
                            annotation.score = Some(number.value);
                            annotation
                                .integer_numbers
                                .set(IntegerNumbers::SCORE, number.is_integer);
                        }
                        "iscrowd" => {
                            annotation.iscrowd =
                                Some(map.next_value::<Crowd>().map_err(in_field(field))?.0)
                        }
                        "segmentation" => {
                            let raw: &RawValue = map.next_value().map_err(in_field(field))?;
                            let segmentation =
                                parse_segmentation(raw.get()).map_err(|message| {
                                    de::Error::custom(format_args!("`segmentation`: {message}"))
                                })?;
                            annotation.segmentation = Some(segmentation);
                        }
                        "keypoints" => {
                            let raw: &RawValue = map.next_value().map_err(in_field(field))?;
                            let packed = PackedNumbers::pack(raw.get().as_bytes(), Nesting::Flat)
                                .map_err(|error| {
                                de::Error::custom(format_args!("`keypoints`: {error}"))
                            })?;
                            annotation.keypoints = Some(packed);
                        }
                        "num_keypoints" => {
                            annotation.num_keypoints =
                                Some(map.next_value().map_err(in_field(field))?)
                        }
                        "caption" => {
                            annotation.caption = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "segments_info" => segments_info = Some(map.next_value::<&RawValue>()?),
                        "file_name" => file_name = Some(map.next_value::<&RawValue>()?),
                        _ => {
                            let raw: &RawValue = map.next_value()?;
                            extras.push(field, raw.get());
                        }
                    }
                }
                annotation.image_id =
                    image_id.ok_or_else(|| de::Error::missing_field("image_id"))?;
                annotation.panoptic = panoptic_part(segments_info, file_name, &mut extras);
                annotation.extras = extras.finish();
                Ok(annotation)
            }
        }
        deserializer.deserialize_map(AnnotationVisitor)
    }
}

impl<'de> Deserialize<'de> for Image {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ImageVisitor;
        impl<'de> Visitor<'de> for ImageVisitor {
            type Value = Image;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an image object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Image, A::Error> {
                let mut image = Image::default();
                let mut id = None;
                let mut extras = ExtrasBuilder::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    match field {
                        "id" => id = Some(ImageId(map.next_value().map_err(in_field(field))?)),
                        "width" => image.width = Some(map.next_value().map_err(in_field(field))?),
                        "height" => image.height = Some(map.next_value().map_err(in_field(field))?),
                        "file_name" => {
                            image.file_name = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "license" => {
                            image.license =
                                Some(LicenseId(map.next_value().map_err(in_field(field))?))
                        }
                        "coco_url" => {
                            image.coco_url = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "flickr_url" => {
                            image.flickr_url = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "date_captured" => {
                            image.date_captured = Some(map.next_value().map_err(in_field(field))?)
                        }
                        _ => {
                            let raw: &RawValue = map.next_value()?;
                            extras.push(field, raw.get());
                        }
                    }
                }
                image.id = id.ok_or_else(|| de::Error::missing_field("id"))?;
                image.extras = extras.finish();
                Ok(image)
            }
        }
        deserializer.deserialize_map(ImageVisitor)
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CategoryVisitor;
        impl<'de> Visitor<'de> for CategoryVisitor {
            type Value = Category;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a category object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Category, A::Error> {
                let mut category = Category::default();
                let mut id = None;
                let mut name = None;
                let mut extras = ExtrasBuilder::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    match field {
                        "id" => id = Some(CategoryId(map.next_value().map_err(in_field(field))?)),
                        "name" => name = Some(map.next_value().map_err(in_field(field))?),
                        "supercategory" => {
                            category.supercategory =
                                Some(map.next_value().map_err(in_field(field))?)
                        }
                        "keypoints" => {
                            category.keypoints = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "skeleton" => {
                            category.skeleton = Some(map.next_value().map_err(in_field(field))?)
                        }
                        "isthing" => {
                            let raw: &RawValue = map.next_value()?;
                            let mut value: Option<Crowd> = None;
                            typed_or_extra(&mut value, field, raw, &mut extras);
                            category.isthing = value.map(|value| value.0);
                        }
                        "color" => {
                            let raw: &RawValue = map.next_value()?;
                            typed_or_extra(&mut category.color, field, raw, &mut extras);
                        }
                        _ => {
                            let raw: &RawValue = map.next_value()?;
                            extras.push(field, raw.get());
                        }
                    }
                }
                category.id = id.ok_or_else(|| de::Error::missing_field("id"))?;
                category.name = name.ok_or_else(|| de::Error::missing_field("name"))?;
                category.extras = extras.finish();
                Ok(category)
            }
        }
        deserializer.deserialize_map(CategoryVisitor)
    }
}

/// The typed panoptic part when both members are present and well-formed; otherwise the
/// members stay verbatim in `extras` (and `validate` explains what is wrong with them).
fn panoptic_part(
    segments_info: Option<&RawValue>,
    file_name: Option<&RawValue>,
    extras: &mut ExtrasBuilder,
) -> Option<Box<PanopticAnnotation>> {
    if let (Some(segments), Some(name)) = (segments_info, file_name)
        && let (Ok(segments_info), Ok(file_name)) = (
            serde_json::from_str(segments.get()),
            serde_json::from_str::<String>(name.get()),
        )
    {
        return Some(Box::new(PanopticAnnotation {
            file_name,
            segments_info,
        }));
    }
    for (member, raw) in [("segments_info", segments_info), ("file_name", file_name)] {
        if let Some(raw) = raw {
            extras.push(member, raw.get());
        }
    }
    None
}

impl<'de> Deserialize<'de> for PanopticSegment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SegmentVisitor;
        impl<'de> Visitor<'de> for SegmentVisitor {
            type Value = PanopticSegment;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a panoptic segment object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PanopticSegment, A::Error> {
                let mut segment = PanopticSegment::default();
                let (mut id, mut category_id) = (None, None);
                let mut extras = ExtrasBuilder::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    match field {
                        "id" => id = Some(SegmentId(map.next_value().map_err(in_field(field))?)),
                        "category_id" => {
                            category_id =
                                Some(CategoryId(map.next_value().map_err(in_field(field))?))
                        }
                        "area" => {
                            let number: Number = map.next_value().map_err(in_field(field))?;
                            segment.area = Some(number.value);
                            segment
                                .integer_numbers
                                .set(IntegerNumbers::AREA, number.is_integer);
                        }
                        "bbox" => {
                            let value: BoxValue = map.next_value().map_err(in_field(field))?;
                            segment.bbox = Some(value.bbox);
                            for (index, is_integer) in value.integers.into_iter().enumerate() {
                                segment
                                    .integer_numbers
                                    .set(IntegerNumbers::BBOX_X << index, is_integer);
                            }
                        }
                        "iscrowd" => {
                            segment.iscrowd =
                                Some(map.next_value::<Crowd>().map_err(in_field(field))?.0)
                        }
                        _ => {
                            let raw: &RawValue = map.next_value()?;
                            extras.push(field, raw.get());
                        }
                    }
                }
                segment.id = id.ok_or_else(|| de::Error::missing_field("id"))?;
                segment.category_id =
                    category_id.ok_or_else(|| de::Error::missing_field("category_id"))?;
                segment.extras = extras.finish();
                Ok(segment)
            }
        }
        deserializer.deserialize_map(SegmentVisitor)
    }
}

/// Sets `slot` from `raw` if it has the expected type, else keeps the member in `extras`.
fn typed_or_extra<'a, T: Deserialize<'a>>(
    slot: &mut Option<T>,
    field: &str,
    raw: &'a RawValue,
    extras: &mut ExtrasBuilder,
) {
    match serde_json::from_str::<T>(raw.get()) {
        Ok(value) => *slot = Some(value),
        Err(_) => extras.push(field, raw.get()),
    }
}

impl<'de> Deserialize<'de> for Info {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InfoVisitor;
        impl<'de> Visitor<'de> for InfoVisitor {
            type Value = Info;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an info object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Info, A::Error> {
                let mut info = Info::default();
                let mut extras = ExtrasBuilder::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    let raw: &RawValue = map.next_value()?;
                    match field {
                        "description" => {
                            typed_or_extra(&mut info.description, field, raw, &mut extras)
                        }
                        "url" => typed_or_extra(&mut info.url, field, raw, &mut extras),
                        "version" => typed_or_extra(&mut info.version, field, raw, &mut extras),
                        "year" => typed_or_extra(&mut info.year, field, raw, &mut extras),
                        "contributor" => {
                            typed_or_extra(&mut info.contributor, field, raw, &mut extras)
                        }
                        "date_created" => {
                            typed_or_extra(&mut info.date_created, field, raw, &mut extras)
                        }
                        _ => extras.push(field, raw.get()),
                    }
                }
                info.extras = extras.finish();
                Ok(info)
            }
        }
        deserializer.deserialize_map(InfoVisitor)
    }
}

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LicenseVisitor;
        impl<'de> Visitor<'de> for LicenseVisitor {
            type Value = License;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a license object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<License, A::Error> {
                let mut license = License::default();
                let mut extras = ExtrasBuilder::default();
                let mut id: Option<u64> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    let field = &*key.0;
                    let raw: &RawValue = map.next_value()?;
                    match field {
                        "id" => typed_or_extra(&mut id, field, raw, &mut extras),
                        "name" => typed_or_extra(&mut license.name, field, raw, &mut extras),
                        "url" => typed_or_extra(&mut license.url, field, raw, &mut extras),
                        _ => extras.push(field, raw.get()),
                    }
                }
                license.id = id.map(LicenseId);
                license.extras = extras.finish();
                Ok(license)
            }
        }
        deserializer.deserialize_map(LicenseVisitor)
    }
}
