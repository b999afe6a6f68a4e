//! ResNet grid features as self-critical.pytorch's `scripts/prepro_feats.py` writes them:
//! for each image of a Karpathy `dataset_coco.json`, a ResNet forward pass at the image's
//! full resolution, then `PREFIX_fc/<cocoid>.npy` (the mean of the last feature map,
//! float32 `(2048,)`) and `PREFIX_att/<cocoid>.npz` (key `feat`: the map average-pooled to
//! `att_size × att_size`, float32 `(att, att, 2048)`).
//!
//! * [`weights`]: PyTorch `.pth` state dicts (zip and legacy formats), read directly;
//! * [`Network`]: the bottleneck ResNet (self-critical's Caffe-style strides or
//!   torchvision's), batch norms folded into the convolutions, im2col + GEMM on the CPU;
//! * [`decode_image`] (JPEG, PNG) / [`normalise`]: pixels equal to `skimage.io.imread`'s;
//! * [`extract`]: the pipeline (parallel decoding, forward passes, a writer thread),
//!   resumable, into per-image files or the LMDB / HDF5 stores of [`crate::store`].

mod conv;
mod extract;
mod image;
mod map;
mod network;
mod random;
pub mod weights;

use std::path::{Path, PathBuf};

pub use extract::{
    ExtractOptions, ExtractSummary, ImageEntry, ImageFailure, KINDS, extract, is_finished,
    output_files, output_folders, output_paths,
};
pub use image::{MEAN, RgbImage, STD, decode_image, decode_jpeg, decode_png, normalise};
pub use map::FeatureMap;
pub use network::{Arch, Network};
pub use random::random_state_dict;

use crate::Error;

/// The images of a Karpathy-format dataset (`{"images": [{"filepath", "filename",
/// "cocoid"}, ...]}`), with paths `images_root / filepath / filename` as
/// `prepro_feats.py` joins them (a missing `filepath` is empty).
pub fn read_dataset(path: &Path, images_root: &Path) -> Result<Vec<ImageEntry>, Error> {
    #[derive(serde::Deserialize)]
    struct Dataset {
        images: Vec<Image>,
    }
    #[derive(serde::Deserialize)]
    struct Image {
        #[serde(default)]
        filepath: String,
        filename: String,
        cocoid: u64,
    }
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let dataset: Dataset = serde_json::from_slice(&bytes).map_err(|source| Error::Dataset {
        path: path.to_owned(),
        source,
    })?;
    Ok(dataset
        .images
        .into_iter()
        .map(|image| ImageEntry {
            image_id: image.cocoid,
            path: images_root.join(&image.filepath).join(&image.filename),
        })
        .collect())
}

/// Loads `path` and builds the network.
pub fn load_network(path: &Path, arch: Arch) -> Result<Network, Error> {
    let weights = weights::read_state_dict(path)?;
    Network::from_state_dict(&weights, arch).map_err(|error| match error {
        Error::InvalidWeights(message) => Error::Weights {
            path: path.to_owned(),
            message,
        },
        other => other,
    })
}

/// Bytes on disk of one image's outputs before compression: the `.npy` of `channels`
/// floats and the `.npz` member of `att_size² · channels` floats (headers included; the
/// `.npz` deflates to roughly 90% of this on real features).
pub fn output_bytes_per_image(att_size: usize, channels: usize) -> u64 {
    let header = 128;
    (header + 4 * channels + header + 4 * att_size * att_size * channels + 200) as u64
}

/// Where `prepro_feats.py` looks for weights: `<model_root>/<model>.pth`.
pub fn default_weights_path(model_root: &Path, model: &str) -> PathBuf {
    model_root.join(format!("{model}.pth"))
}
