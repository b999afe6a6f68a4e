//! The extraction pipeline: decoding, forward passes and writing overlap.
//!
//! ```text
//!   decoder threads ──(bounded)──▶ forward passes (rayon, all cores) ──(bounded)──▶ writer
//! ```
//! Decoders read and normalise the next images while the network runs; one writer thread
//! compresses the `.npz` and writes both files (through temporary names, renamed when
//! complete) while the next image is in the network. The channels hold two items each, so
//! memory stays at a few images whatever the dataset size. An image whose two files both
//! exist is finished and skipped (an interrupted run restarts where it stopped).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cocoprep_base::output::{remove_stale_temporaries, write_atomic_unsynced};
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_formats::npy;
use cocoprep_formats::npz::NpzEncoder;

use super::image::{decode_jpeg, normalise};
use super::map::FeatureMap;
use super::network::Network;
use crate::Error;

/// One image to extract: its COCO id (the file name of its outputs) and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageEntry {
    /// `cocoid` of the Karpathy dataset.
    pub image_id: u64,
    /// `images_root / filepath / filename`.
    pub path: PathBuf,
}

/// How to extract.
#[derive(Clone, Debug)]
pub struct ExtractOptions {
    /// The `att` grid is `att_size × att_size` (`prepro_feats.py --att_size`, default 14).
    pub att_size: usize,
    /// Deflate level of the `.npz` files (libdeflate, 1–12).
    pub compression_level: u8,
    /// Recompute images whose outputs exist.
    pub overwrite: bool,
    /// Decoder threads.
    pub decoders: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            att_size: 14,
            compression_level: cocoprep_formats::npz::DEFAULT_COMPRESSION_LEVEL,
            overwrite: false,
            decoders: 2,
        }
    }
}

/// An image that could not be processed (the run goes on without it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFailure {
    /// Its id.
    pub image_id: u64,
    /// Its file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractSummary {
    /// Images whose features were written.
    pub written: usize,
    /// Images skipped because their outputs were already complete.
    pub skipped: usize,
    /// Images that failed.
    pub failures: Vec<ImageFailure>,
}

/// `PREFIX_fc` and `PREFIX_att`: `prepro_feats.py` appends to the prefix, it does not join.
pub fn output_folders(prefix: &Path) -> (PathBuf, PathBuf) {
    let folder = |kind: &str| {
        let mut name: OsString = prefix.as_os_str().to_owned();
        name.push(format!("_{kind}"));
        PathBuf::from(name)
    };
    (folder("fc"), folder("att"))
}

/// The two files of image `image_id`: `PREFIX_fc/<id>.npy`, `PREFIX_att/<id>.npz`.
pub fn output_files(prefix: &Path, image_id: u64) -> (PathBuf, PathBuf) {
    let (fc, att) = output_folders(prefix);
    (
        fc.join(format!("{image_id}.npy")),
        att.join(format!("{image_id}.npz")),
    )
}

/// Whether both outputs of `image_id` exist (they are renamed into place only when
/// complete).
pub fn is_finished(prefix: &Path, image_id: u64) -> bool {
    let (fc, att) = output_files(prefix, image_id);
    fc.is_file() && att.is_file()
}

/// The features of one image, ready to encode.
struct Features {
    entry: ImageEntry,
    fc: Vec<f32>,
    att: Vec<f32>,
}

/// Extracts the features of `images` into `PREFIX_fc/` and `PREFIX_att/`.
pub fn extract(
    network: &Network,
    images: &[ImageEntry],
    prefix: &Path,
    options: &ExtractOptions,
    reporter: &dyn Reporter,
) -> Result<ExtractSummary, Error> {
    if options.att_size < 2 {
        return Err(Error::InvalidOption(format!(
            "--att-size must be at least 2 (got {}): prepro_feats.py squeezes a 1×1 grid away",
            options.att_size
        )));
    }
    let (fc_folder, att_folder) = output_folders(prefix);
    for folder in [&fc_folder, &att_folder] {
        fs_err::create_dir_all(folder).map_err(|source| Error::Write {
            path: folder.clone(),
            source,
        })?;
        remove_stale_temporaries(folder);
    }
    let mut summary = ExtractSummary::default();
    let pending: Vec<&ImageEntry> = images
        .iter()
        .filter(|entry| options.overwrite || !is_finished(prefix, entry.image_id))
        .collect();
    summary.skipped = images.len() - pending.len();
    let task = reporter.on_task_start(
        "ResNet features",
        Some(pending.len() as u64),
        ProgressUnit::Items,
    );
    let failures = Mutex::new(Vec::new());
    let fail = |entry: &ImageEntry, message: String| {
        failures
            .lock()
            .expect("no panics while held")
            .push(ImageFailure {
                image_id: entry.image_id,
                path: entry.path.clone(),
                message,
            });
    };
    let next = AtomicUsize::new(0);
    let (decoded_sender, decoded_receiver) =
        crossbeam_channel::bounded::<(ImageEntry, FeatureMap)>(2);
    let (features_sender, features_receiver) = crossbeam_channel::bounded::<Features>(2);
    let write_error: Mutex<Option<Error>> = Mutex::new(None);
    let written = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.decoders.max(1) {
            let sender = decoded_sender.clone();
            let (next, pending, fail) = (&next, &pending, &fail);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(entry) = pending.get(index) else {
                        break;
                    };
                    let decoded = fs_err::read(&entry.path)
                        .map_err(|error| error.to_string())
                        .and_then(|bytes| decode_jpeg(&bytes));
                    match decoded {
                        Ok(image) => {
                            if sender.send(((*entry).clone(), normalise(&image))).is_err() {
                                break;
                            }
                        }
                        Err(message) => {
                            fail(entry, message);
                            reporter.on_task_progress(task, 1);
                        }
                    }
                }
            });
        }
        drop(decoded_sender);
        let (write_error, written, fail) = (&write_error, &written, &fail);
        let writer = scope.spawn(move || {
            let mut encoder = match NpzEncoder::new(options.compression_level) {
                Ok(encoder) => encoder,
                Err(error) => {
                    *write_error.lock().expect("no panics while held") = Some(error.into());
                    return;
                }
            };
            for features in features_receiver {
                if let Err(error) =
                    write_features(prefix, &features, options.att_size, &mut encoder)
                {
                    match error {
                        // A full disk or a read-only folder stops the run.
                        Error::Write { .. } => {
                            *write_error.lock().expect("no panics while held") = Some(error);
                            return;
                        }
                        other => fail(&features.entry, other.to_string()),
                    }
                } else {
                    written.fetch_add(1, Ordering::Relaxed);
                }
                reporter.on_task_progress(task, 1);
            }
        });
        for (entry, image) in decoded_receiver {
            let map = network.forward(&image);
            drop(image);
            let features = Features {
                entry,
                fc: map.mean_per_channel(),
                att: map.adaptive_average(options.att_size),
            };
            if features_sender.send(features).is_err() {
                break;
            }
        }
        drop(features_sender);
        let _ = writer.join();
    });
    reporter.on_task_complete(task);
    if let Some(error) = write_error.into_inner().expect("no panics while held") {
        return Err(error);
    }
    summary.written = written.into_inner();
    summary.failures = failures.into_inner().expect("no panics while held");
    summary.failures.sort_by_key(|failure| failure.image_id);
    Ok(summary)
}

/// `np.save(PREFIX_fc/<id>, fc)` and `np.savez_compressed(PREFIX_att/<id>, feat=att)`.
fn write_features(
    prefix: &Path,
    features: &Features,
    att_size: usize,
    encoder: &mut NpzEncoder,
) -> Result<(), Error> {
    let channels = features.fc.len();
    let (fc_path, att_path) = output_files(prefix, features.entry.image_id);
    let fc = npy::encode_f32(&[channels], &features.fc)?;
    let att_npy = npy::encode_f32(&[att_size, att_size, channels], &features.att)?;
    let att = encoder.encode(&[("feat", &att_npy)])?;
    for (path, bytes) in [(&att_path, &att), (&fc_path, &fc)] {
        write_atomic_unsynced(path, bytes).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(())
}
