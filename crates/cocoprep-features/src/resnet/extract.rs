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
//!
//! With [`StoreKind::Lmdb`] or [`StoreKind::Hdf5`] the writer puts the same bytes (LMDB) or
//! arrays (HDF5) into `PREFIX_fc.lmdb` and `PREFIX_att.lmdb` (or `.h5`) instead, through the
//! [`DatabaseStore`] that `features butd` uses: built under hidden names, renamed when the
//! run completes, ids already in the store skipped.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cocoprep_base::output::{remove_stale_temporaries, write_atomic_unsynced};
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_formats::npy;
use cocoprep_formats::npz::NpzEncoder;

use super::image::{decode_image, normalise};
use super::map::FeatureMap;
use super::network::Network;
use crate::Error;
use crate::store::{DatabaseStore, EncodedImage, StoreKind, output_path};

/// The kinds of output, in the order of [`EncodedImage::files`].
pub const KINDS: [&str; 2] = ["fc", "att"];

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
    /// Per-image files, or one LMDB or HDF5 file per kind.
    pub store: StoreKind,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            att_size: 14,
            compression_level: cocoprep_formats::npz::DEFAULT_COMPRESSION_LEVEL,
            overwrite: false,
            decoders: 2,
            store: StoreKind::Files,
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
    (
        output_path(prefix, "fc", ""),
        output_path(prefix, "att", ""),
    )
}

/// The outputs of a run into `store`: the two folders, or `PREFIX_fc.lmdb` and
/// `PREFIX_att.lmdb` (`.h5`).
pub fn output_paths(prefix: &Path, store: StoreKind) -> Vec<PathBuf> {
    KINDS
        .iter()
        .map(|kind| output_path(prefix, kind, store.extension()))
        .collect()
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

/// Extracts the features of `images` into `PREFIX_fc/` and `PREFIX_att/` (or the
/// databases of [`ExtractOptions::store`]).
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
    let database = match options.store {
        StoreKind::Files => {
            let (fc_folder, att_folder) = output_folders(prefix);
            for folder in [&fc_folder, &att_folder] {
                fs_err::create_dir_all(folder).map_err(|source| Error::Write {
                    path: folder.clone(),
                    source,
                })?;
                remove_stale_temporaries(folder);
            }
            None
        }
        StoreKind::Lmdb | StoreKind::Hdf5 => {
            Some(DatabaseStore::open(prefix, options.store, &KINDS)?)
        }
    };
    let stored: HashSet<u64> = match &database {
        Some(store) if !options.overwrite => store.complete_ids(),
        _ => HashSet::new(),
    };
    let mut summary = ExtractSummary::default();
    let pending: Vec<&ImageEntry> = images
        .iter()
        .filter(|entry| {
            options.overwrite
                || match database {
                    None => !is_finished(prefix, entry.image_id),
                    Some(_) => !stored.contains(&entry.image_id),
                }
        })
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
    let database = std::thread::scope(|scope| {
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
                        .and_then(|bytes| decode_image(&bytes));
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
            let mut database = database;
            let stop = |error: Error| {
                *write_error.lock().expect("no panics while held") = Some(error);
            };
            let mut encoder = match NpzEncoder::new(options.compression_level) {
                Ok(encoder) => encoder,
                Err(error) => {
                    stop(error.into());
                    return None;
                }
            };
            for (sequence, features) in (0..).zip(features_receiver) {
                let outcome = match &mut database {
                    None => write_features(prefix, &features, options.att_size, &mut encoder),
                    Some(store) => encode_features(
                        &features,
                        sequence,
                        options.att_size,
                        store.wants_npz(),
                        &mut encoder,
                    )
                    .map_err(Failure::Image)
                    .and_then(|image| store.write(image).map(drop).map_err(Failure::Fatal)),
                };
                match outcome {
                    Ok(()) => {
                        written.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(Failure::Image(error)) => fail(&features.entry, error.to_string()),
                    Err(Failure::Fatal(error)) => {
                        stop(error);
                        return None;
                    }
                }
                reporter.on_task_progress(task, 1);
            }
            database
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
        writer.join().expect("the writer thread does not panic")
    });
    reporter.on_task_complete(task);
    if let Some(error) = write_error.into_inner().expect("no panics while held") {
        return Err(error);
    }
    if let Some(store) = database {
        store.finish()?;
    }
    summary.written = written.into_inner();
    summary.failures = failures.into_inner().expect("no panics while held");
    summary.failures.sort_by_key(|failure| failure.image_id);
    Ok(summary)
}

/// Why an image's outputs were not written: something about the image (the run goes on
/// without it), or the output (a full disk, a read-only folder, a database error: the run
/// stops, keeping what is complete).
enum Failure {
    Image(Error),
    Fatal(Error),
}

/// `np.save(PREFIX_fc/<id>, fc)` and `np.savez_compressed(PREFIX_att/<id>, feat=att)`.
fn write_features(
    prefix: &Path,
    features: &Features,
    att_size: usize,
    encoder: &mut NpzEncoder,
) -> Result<(), Failure> {
    let image = encode_features(features, 0, att_size, true, encoder).map_err(Failure::Image)?;
    let (fc_path, att_path) = output_files(prefix, features.entry.image_id);
    // att first: an image counts as finished when both exist, and fc is the small one.
    for (path, bytes) in [(&att_path, &image.files[1]), (&fc_path, &image.files[0])] {
        write_atomic_unsynced(path, bytes).map_err(|source| {
            Failure::Fatal(Error::Write {
                path: path.clone(),
                source,
            })
        })?;
    }
    Ok(())
}

/// The two files of an image: the `.npy` of fc and, for att, the `.npz` (files, LMDB: the
/// bytes the file holds) or the `.npy` (HDF5: the array is stored).
fn encode_features(
    features: &Features,
    sequence: u64,
    att_size: usize,
    npz: bool,
    encoder: &mut NpzEncoder,
) -> Result<EncodedImage, Error> {
    let channels = features.fc.len();
    let fc = npy::encode_f32(&[channels], &features.fc)?;
    let att = npy::encode_f32(&[att_size, att_size, channels], &features.att)?;
    let att = if npz {
        encoder.encode(&[("feat", &att)])?
    } else {
        att
    };
    Ok(EncodedImage {
        image_id: features.entry.image_id,
        sequence,
        files: vec![fc, att],
    })
}
