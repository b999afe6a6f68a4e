//! `vsua_box_info.pkl`: `{image_id: {'boxes': ndarray (N, 4), 'image_w': w, 'image_h': h}}`,
//! pickled by Python 2 (read it with `encoding='latin1'` in Python 3).

use cocoprep_formats::pickle::{Pickle, PickleRef, Value, numpy};

use super::geometry::BoxCorners;

/// An image's key in the pickle: an `int` (VSUA indexes `box_info[int(image_id)]`) or,
/// in files that use them, a `str`. Output files are named `str(key)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImageKey {
    /// An integer id.
    Int(i64),
    /// A text key.
    Str(String),
}

impl std::fmt::Display for ImageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageKey::Int(id) => write!(f, "{id}"),
            ImageKey::Str(text) => f.write_str(text),
        }
    }
}

/// What is wrong in a box-info (or geometry) pickle; [`crate::Error::BoxInfo`] adds the
/// file.
#[derive(Debug, thiserror::Error)]
pub enum BoxInfoError {
    /// The pickle is not a dict.
    #[error("the top level is not a dict of images")]
    NotADict(#[source] Box<cocoprep_formats::Error>),
    /// A key is neither an id nor a name usable as a file name.
    #[error("image key {found} is neither an int nor a usable str")]
    BadKey {
        /// A description of the key (`float 1.5`, `str ''`).
        found: String,
    },
    /// An image's entry lacks a member.
    #[error("image {image}: no `{member}`")]
    MissingMember {
        /// The image.
        image: ImageKey,
        /// `boxes`, `image_w` or `image_h`.
        member: &'static str,
    },
    /// A member of an image's entry cannot be read as what it should be.
    #[error("image {image}: `{member}`")]
    Member {
        /// The image.
        image: ImageKey,
        /// `boxes`, `image_w` or `image_h`, or `""` for the entry itself.
        member: &'static str,
        /// Why it cannot be read.
        #[source]
        source: Box<cocoprep_formats::Error>,
    },
    /// An image's array is not a usable NumPy array (geometry pickles).
    #[error("image {image}")]
    Array {
        /// The image.
        image: ImageKey,
        /// Why it cannot be read.
        #[source]
        source: Box<cocoprep_formats::Error>,
    },
    /// An image's array has the wrong shape.
    #[error("image {image}: {array} have shape {found:?}, expected {expected}")]
    Shape {
        /// The image.
        image: ImageKey,
        /// `boxes` or `features`.
        array: &'static str,
        /// The shape found.
        found: Vec<usize>,
        /// The shape expected: `(N, 4)`.
        expected: &'static str,
    },
}

impl ImageKey {
    /// Reads a dict key.
    pub fn read(value: PickleRef) -> Result<Self, BoxInfoError> {
        if let Ok(id) = value.as_int() {
            return Ok(ImageKey::Int(id));
        }
        match value.as_str() {
            Ok(text) if !text.contains(['/', '\0']) && !text.is_empty() => {
                Ok(ImageKey::Str(text.into_owned()))
            }
            _ => Err(BoxInfoError::BadKey {
                found: value.describe(),
            }),
        }
    }
}

/// One image's boxes and size.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageBoxes {
    /// The key.
    pub key: ImageKey,
    /// The boxes `[x_min, y_min, x_max, y_max]`.
    pub boxes: Vec<BoxCorners>,
    /// `image_w`.
    pub width: f64,
    /// `image_h`.
    pub height: f64,
}

/// The entries of the pickle's top-level dict, in order.
pub fn entries<'p, 'a>(
    pickle: &'p Pickle<'a>,
) -> Result<Vec<(PickleRef<'p, 'a>, PickleRef<'p, 'a>)>, BoxInfoError> {
    pickle
        .root()
        .as_dict()
        .map_err(|error| BoxInfoError::NotADict(Box::new(error)))
}

/// Reads one entry.
pub fn read_image(key: PickleRef, value: PickleRef) -> Result<ImageBoxes, BoxInfoError> {
    let key = ImageKey::read(key)?;
    let member_error = |member: &'static str| {
        let image = key.clone();
        move |source| BoxInfoError::Member {
            image,
            member,
            source: Box::new(source),
        }
    };
    let field = |member: &'static str| {
        value
            .dict_get(member)
            .map_err(member_error(""))?
            .ok_or_else(|| BoxInfoError::MissingMember {
                image: key.clone(),
                member,
            })
    };
    let width = field("image_w")?
        .as_float()
        .map_err(member_error("image_w"))?;
    let height = field("image_h")?
        .as_float()
        .map_err(member_error("image_h"))?;
    let array = numpy::read_ndarray(field("boxes")?).map_err(member_error("boxes"))?;
    let float32 = array.dtype == cocoprep_formats::npy::Dtype::Float32;
    let values = array.to_f64().map_err(member_error("boxes"))?;
    let count = match array.shape.as_slice() {
        [count, 4] => *count,
        [0] => 0,
        shape => {
            return Err(BoxInfoError::Shape {
                image: key,
                array: "boxes",
                found: shape.to_vec(),
                expected: "(N, 4)",
            });
        }
    };
    let boxes = (0..count)
        .map(|i| BoxCorners {
            corners: values[i * 4..i * 4 + 4].try_into().expect("4 values"),
            float32,
        })
        .collect();
    Ok(ImageBoxes {
        key,
        boxes,
        width,
        height,
    })
}

/// The box-info pickle of `images` (protocol 2, which Python 2 and 3 load; boxes as
/// float32 arrays), as the VSUA authors distribute it.
pub fn to_pickle(images: &[ImageBoxes]) -> Result<Vec<u8>, cocoprep_formats::Error> {
    let mut items = Vec::with_capacity(images.len());
    for image in images {
        let data: Vec<u8> = image
            .boxes
            .iter()
            .flat_map(|b| b.corners.map(|v| v as f32))
            .flat_map(f32::to_le_bytes)
            .collect();
        let boxes = numpy::ndarray(
            cocoprep_formats::npy::Dtype::Float32,
            &[image.boxes.len(), 4],
            data,
        )?;
        let key = match &image.key {
            ImageKey::Int(id) => Value::Int(*id),
            ImageKey::Str(text) => Value::from(text.as_str()),
        };
        let size = |value: f64| {
            if value.fract() == 0.0 {
                Value::Int(value as i64)
            } else {
                Value::Float(value)
            }
        };
        items.push((
            key,
            Value::Dict(vec![
                (Value::from("boxes"), boxes),
                (Value::from("image_w"), size(image.width)),
                (Value::from("image_h"), size(image.height)),
            ]),
        ));
    }
    cocoprep_formats::pickle::to_vec(&Value::Dict(items)).map_err(cocoprep_formats::Error::Io)
}
