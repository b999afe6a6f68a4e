//! What can go wrong while drawing, reporting or serving.

use std::path::PathBuf;

/// An error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An image file could not be read.
    #[error("cannot read image `{}`", path.display())]
    ReadImage {
        /// The image file.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// An image file is not a JPEG or PNG that decodes.
    #[error("image `{}` does not decode: {message}", path.display())]
    DecodeImage {
        /// The image file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// A picture is too large (or empty) to draw.
    #[error("cannot make a {width}×{height} picture")]
    PictureSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Encoding a PNG or JPEG failed.
    #[error("cannot encode {format}: {message}")]
    Encode {
        /// `PNG` or `JPEG`.
        format: &'static str,
        /// What the encoder said.
        message: String,
    },
    /// The dataset has no image with this id or file name.
    #[error("no image `{0}` in the dataset (give an image id or a file_name)")]
    UnknownImage(String),
    /// The viewer could not listen on its address.
    #[error("cannot listen on {address}")]
    Listen {
        /// `host:port`.
        address: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}
