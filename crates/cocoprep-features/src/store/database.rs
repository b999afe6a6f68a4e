//! [`DatabaseStore`]: one LMDB or HDF5 file per kind of output, filled by a single writer
//! in batches, built under a hidden name and renamed into place when the run completes.
//!
//! `PREFIX_att.lmdb` is built as `.PREFIX_att.lmdb.partial` (LMDB's lock file next to it
//! as `…partial-lock`): the final name appears only when a run has gone through every
//! image, so a training job never opens a store that a killed run left half filled. The
//! partial store is itself resumable (LMDB transactions and hdf5-pure commits keep every
//! committed batch), so the next run opens it, skips the ids it already holds and renames
//! it when done. A run that adds images to a finished store (a new split, `--overwrite`)
//! first moves it back to the partial name.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use cocoprep_formats::hdf5_store::Hdf5Store;
use cocoprep_formats::lmdb::LmdbWriter;

use super::{StoreKind, output_path};
use crate::Error;

/// One image's outputs, encoded: the bytes of each kind's `.npy` or `.npz` file, in the
/// order of the store's kinds.
pub struct EncodedImage {
    /// The COCO id (the key in the store).
    pub image_id: u64,
    /// The image's position in the input (a later one wins for duplicate ids).
    pub sequence: u64,
    /// One file per kind. HDF5 stores take `.npy` bytes only (the array is stored).
    pub files: Vec<Vec<u8>>,
}

/// The single-file databases.
enum Backend {
    Lmdb(Vec<LmdbWriter>),
    Hdf5(Vec<Hdf5Store>),
}

/// One database per kind (LMDB or HDF5), written by a single thread in batches.
pub struct DatabaseStore {
    kind: StoreKind,
    /// The final names.
    paths: Vec<PathBuf>,
    /// The names they are built under.
    partial_paths: Vec<PathBuf>,
    backend: Backend,
    /// For each id written in this run, the sequence number of its image.
    written: HashMap<u64, u64>,
    batch: Vec<EncodedImage>,
    batch_bytes: usize,
}

/// A batch is committed when it holds this many bytes.
const BATCH_BYTES: usize = 64 << 20;

/// `.<name>.partial` next to `path`: where the store of `path` is built.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// LMDB's lock file of a single-file environment: `<path>-lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}

impl DatabaseStore {
    /// Opens (or creates) the partial stores of `PREFIX_<kind>.lmdb` (or `.h5`) for each of
    /// `kinds`, resuming an interrupted run's or reopening a finished store.
    pub fn open(prefix: &Path, store: StoreKind, kinds: &[&str]) -> Result<Self, Error> {
        if store == StoreKind::Files {
            return Err(Error::InvalidOption(
                "per-image files are not written by `DatabaseStore`".to_owned(),
            ));
        }
        let paths: Vec<PathBuf> = kinds
            .iter()
            .map(|kind| output_path(prefix, kind, store.extension()))
            .collect();
        let partial_paths: Vec<PathBuf> = paths.iter().map(|path| partial_path(path)).collect();
        for (path, partial) in paths.iter().zip(&partial_paths) {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs_err::create_dir_all(parent).map_err(|source| Error::Write {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            // A partial store is newer than a finished one of the same name (it was made
            // from it, or after it), so it is the one to continue.
            if !partial.exists() && path.exists() {
                fs_err::rename(path, partial).map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        let backend = match store {
            StoreKind::Lmdb => Backend::Lmdb(
                partial_paths
                    .iter()
                    .map(|path| LmdbWriter::open(path))
                    .collect::<Result<_, _>>()?,
            ),
            StoreKind::Hdf5 => Backend::Hdf5(
                partial_paths
                    .iter()
                    .map(|path| Hdf5Store::open(path))
                    .collect::<Result<_, _>>()?,
            ),
            StoreKind::Files => unreachable!("rejected above"),
        };
        Ok(Self {
            kind: store,
            paths,
            partial_paths,
            backend,
            written: HashMap::new(),
            batch: Vec::new(),
            batch_bytes: 0,
        })
    }

    /// The database files, under their final names.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Whether files are stored as `.npz`/`.npy` bytes (LMDB) or as arrays (HDF5, which
    /// takes `.npy` bytes only).
    pub fn wants_npz(&self) -> bool {
        matches!(self.backend, Backend::Lmdb(_))
    }

    /// Ids already present in every database (from an earlier run).
    pub fn complete_ids(&self) -> HashSet<u64> {
        match &self.backend {
            Backend::Lmdb(writers) => writers[0]
                .keys()
                .iter()
                .filter(|key| writers.iter().all(|writer| writer.contains(key)))
                .filter_map(|key| key.parse().ok())
                .collect(),
            Backend::Hdf5(stores) => stores[0]
                .names()
                .filter(|name| stores.iter().all(|store| store.contains(name)))
                .filter_map(|name| name.parse().ok())
                .collect(),
        }
    }

    /// Queues an image; commits a batch when it is large enough. Returns false if a later
    /// image with the same id was already written.
    pub fn write(&mut self, image: EncodedImage) -> Result<bool, Error> {
        if image.files.len() != self.paths.len() {
            return Err(Error::InvalidOption(format!(
                "image {} has {} outputs for a store of {} kinds",
                image.image_id,
                image.files.len(),
                self.paths.len()
            )));
        }
        if self
            .written
            .get(&image.image_id)
            .is_some_and(|&later| later > image.sequence)
        {
            return Ok(false);
        }
        self.written.insert(image.image_id, image.sequence);
        self.batch_bytes += image.files.iter().map(Vec::len).sum::<usize>();
        self.batch.push(image);
        if self.batch_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(true)
    }

    fn flush(&mut self) -> Result<(), Error> {
        let keys: Vec<String> = self
            .batch
            .iter()
            .map(|image| image.image_id.to_string())
            .collect();
        match &mut self.backend {
            Backend::Lmdb(writers) => {
                for (kind, writer) in writers.iter_mut().enumerate() {
                    writer.put_batch(
                        keys.iter()
                            .zip(&self.batch)
                            .map(|(key, image)| (key.as_str(), image.files[kind].as_slice())),
                    )?;
                }
            }
            Backend::Hdf5(stores) => {
                for (kind, store) in stores.iter_mut().enumerate() {
                    for (key, image) in keys.iter().zip(&self.batch) {
                        store.put_npy(key, &image.files[kind])?;
                    }
                }
            }
        }
        self.batch.clear();
        self.batch_bytes = 0;
        Ok(())
    }

    /// Commits what is queued (for LMDB, with `lmdbdict`'s metadata), closes the files and
    /// renames them to their final names.
    pub fn finish(mut self) -> Result<(), Error> {
        self.flush()?;
        match self.backend {
            Backend::Lmdb(writers) => {
                for writer in writers {
                    // Closes the environment: nothing holds the lock file any more.
                    writer.finish()?;
                }
            }
            Backend::Hdf5(stores) => {
                for store in stores {
                    store.finish()?;
                }
            }
        }
        for (partial, path) in self.partial_paths.iter().zip(&self.paths) {
            fs_err::rename(partial, path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            if self.kind == StoreKind::Lmdb {
                let _ = std::fs::remove_file(lock_path(partial));
            }
        }
        Ok(())
    }
}

/// The ids present in every one of the stores `PREFIX_<kind>.lmdb` (or `.h5`) of `kinds`,
/// partial or finished, without changing them (for a dry run): empty when a store does
/// not exist yet. Opening an LMDB store creates its lock file if it has none.
pub fn stored_ids(prefix: &Path, store: StoreKind, kinds: &[&str]) -> Result<HashSet<u64>, Error> {
    let mut common: Option<HashSet<u64>> = None;
    for kind in kinds {
        let path = output_path(prefix, kind, store.extension());
        let partial = partial_path(&path);
        let path = if partial.exists() { partial } else { path };
        if !path.exists() {
            return Ok(HashSet::new());
        }
        let keys: Vec<String> = match store {
            StoreKind::Lmdb => LmdbWriter::open(&path)?.keys().to_vec(),
            StoreKind::Hdf5 => Hdf5Store::read_names(&path)?,
            StoreKind::Files => {
                return Err(Error::InvalidOption(
                    "per-image files are not in a database".to_owned(),
                ));
            }
        };
        let ids: HashSet<u64> = keys.iter().filter_map(|key| key.parse().ok()).collect();
        common = Some(match common {
            None => ids,
            Some(common) => common.intersection(&ids).copied().collect(),
        });
    }
    Ok(common.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocoprep_formats::npy::encode_f32;

    fn image(id: u64, value: f32) -> EncodedImage {
        EncodedImage {
            image_id: id,
            sequence: id,
            files: vec![
                encode_f32(&[2], &[value; 2]).unwrap(),
                encode_f32(&[1], &[value]).unwrap(),
            ],
        }
    }

    #[test]
    fn store_appears_under_its_name_only_when_finished_and_resumes() {
        for kind in [StoreKind::Lmdb, StoreKind::Hdf5] {
            let folder = tempfile::tempdir().unwrap();
            let prefix = folder.path().join("feats");
            let mut store = DatabaseStore::open(&prefix, kind, &["fc", "att"]).unwrap();
            store.write(image(1, 1.0)).unwrap();
            store.flush().unwrap();
            if let Backend::Hdf5(stores) = &mut store.backend {
                // LMDB commits each batch; HDF5 every 2000 datasets or 256 MiB.
                stores.iter_mut().for_each(|store| store.commit().unwrap());
            }
            // Killed before finishing: nothing under the final names.
            drop(store);
            let finals = [
                output_path(&prefix, "fc", kind.extension()),
                output_path(&prefix, "att", kind.extension()),
            ];
            assert!(finals.iter().all(|path| !path.exists()), "{kind:?}");
            assert_eq!(
                stored_ids(&prefix, kind, &["fc", "att"]).unwrap(),
                HashSet::from([1])
            );
            let mut store = DatabaseStore::open(&prefix, kind, &["fc", "att"]).unwrap();
            assert_eq!(store.complete_ids(), HashSet::from([1]));
            store.write(image(2, 2.0)).unwrap();
            store.finish().unwrap();
            assert!(finals.iter().all(|path| path.is_file()), "{kind:?}");
            let left: Vec<String> = std::fs::read_dir(folder.path())
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with('.'))
                .collect();
            assert!(left.is_empty(), "{kind:?}: {left:?}");
            // Reopened to add more, then finished again.
            let store = DatabaseStore::open(&prefix, kind, &["fc", "att"]).unwrap();
            assert_eq!(store.complete_ids(), HashSet::from([1, 2]));
            store.finish().unwrap();
            assert!(finals.iter().all(|path| path.is_file()), "{kind:?}");
        }
    }
}
