//! Where converted images go: per-image files (`make_bu_data.py`'s layout), or one LMDB
//! or HDF5 file per kind (self-critical's `dump_to_lmdb.py` / `dump_to_h5df.py` layouts).

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cocoprep_base::cluster::Shard;
use cocoprep_base::output::{AtomicFile, remove_stale_temporaries, remove_temporaries_if};
use cocoprep_formats::hdf5_store::Hdf5Store;
use cocoprep_formats::lmdb::LmdbWriter;
use cocoprep_formats::npy::{Dtype, NpyArray, NpyHeader};
use cocoprep_formats::npz;

use super::row::{self, RowFields};
use crate::Error;

/// How the outputs are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StoreKind {
    /// `PREFIX_att/<id>.npz`, `PREFIX_fc/<id>.npy`, `PREFIX_box/<id>.npy`.
    #[default]
    Files,
    /// `PREFIX_att.lmdb`, `PREFIX_fc.lmdb`, `PREFIX_box.lmdb`: keys are the ids in decimal,
    /// values the bytes the files would hold.
    Lmdb,
    /// `PREFIX_att.h5`, `PREFIX_fc.h5`, `PREFIX_box.h5`: one float32 dataset per id at the
    /// root, as `dump_to_h5df.py` writes them.
    Hdf5,
}

impl StoreKind {
    /// `files`, `lmdb` or `hdf5`, as `--store` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Lmdb => "lmdb",
            Self::Hdf5 => "hdf5",
        }
    }
}

/// The three kinds of output, in the order `make_bu_data.py` writes them.
pub const KINDS: [&str; 3] = ["att", "fc", "box"];

/// `PREFIX_<kind><extension>`: `make_bu_data.py` appends to the prefix, it does not join.
pub fn output_path(prefix: &Path, kind: &str, extension: &str) -> PathBuf {
    let mut name: OsString = prefix.as_os_str().to_owned();
    name.push(format!("_{kind}{extension}"));
    PathBuf::from(name)
}

/// One image's three outputs, encoded.
pub struct EncodedImage {
    /// The COCO id.
    pub image_id: u64,
    /// The row's position in the input (later rows win for duplicate ids).
    pub sequence: u64,
    /// `att` (`.npz`, or `.npy` for HDF5), `fc` (`.npy`), `box` (`.npy`) file bytes.
    pub files: [Vec<u8>; 3],
}

const FILE_EXTENSIONS: [&str; 3] = [".npz", ".npy", ".npy"];
const LOCK_STRIPES: usize = 64;
/// A temporary untouched for this long belongs to no running shard (each is written in
/// well under a second).
const SHARED_TEMPORARY_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Per-image files. Written by the workers in parallel, each through a temporary name and
/// a rename, so a finished name always holds a complete file.
///
/// The files are not fsynced: a run writes hundreds of thousands of small files, and a
/// per-file fsync costs more than the conversion itself. After a power loss a file may be
/// empty, which the resume check ([`FileStore::is_complete`]) detects and redoes.
pub struct FileStore {
    folders: [PathBuf; 3],
    /// For each id, the sequence number of the row whose files are in place. A row never
    /// replaces files written from a later row, so a duplicated id keeps its last row, as
    /// with `make_bu_data.py` (which simply overwrites).
    committed: Vec<Mutex<HashMap<u64, u64>>>,
}

impl FileStore {
    /// Creates the three folders and clears what a killed earlier run left. With a `shard`
    /// (the other shards of the array job may be writing into the same folders), that is
    /// the temporaries of the images this shard owns (no other shard writes them) and any
    /// older than an hour; without one, every temporary.
    pub fn create(prefix: &Path, shard: Option<Shard>) -> Result<Self, Error> {
        let folders = KINDS.map(|kind| output_path(prefix, kind, ""));
        for folder in &folders {
            fs_err::create_dir_all(folder).map_err(|source| Error::Write {
                path: folder.clone(),
                source,
            })?;
            if let Some(shard) = shard {
                remove_temporaries_if(folder, |final_name, modified_ago| {
                    let image_id = final_name.split('.').next().and_then(|id| id.parse().ok());
                    modified_ago >= SHARED_TEMPORARY_AGE
                        || image_id.is_some_and(|id| shard.owns_key(id))
                });
            } else {
                remove_stale_temporaries(folder);
            }
        }
        Ok(Self {
            folders,
            committed: (0..LOCK_STRIPES)
                .map(|_| Mutex::new(HashMap::new()))
                .collect(),
        })
    }

    /// The three folders.
    pub fn folders(&self) -> &[PathBuf; 3] {
        &self.folders
    }

    fn final_path(&self, kind: usize, image_id: u64) -> PathBuf {
        self.folders[kind].join(format!("{image_id}{}", FILE_EXTENSIONS[kind]))
    }

    /// Whether the row's three files exist and are complete, with the shapes the row
    /// calls for (checked from the files' headers and zip directory, without decoding).
    pub fn is_complete(&self, fields: &RowFields) -> bool {
        let (Ok(feature_columns), Ok(box_columns)) = (
            row::columns("features", fields.features, fields.num_boxes),
            row::columns("boxes", fields.boxes, fields.num_boxes),
        ) else {
            return false;
        };
        let id = fields.image_id;
        let npy_has_shape = |path: PathBuf, shape: &[usize]| {
            fs_err::read(path)
                .ok()
                .and_then(|bytes| NpyArray::parse(&bytes).ok())
                .is_some_and(|array| array.header.shape == shape)
        };
        let att_complete = || {
            let expected = NpyHeader::new(Dtype::Float32, &[fields.num_boxes, feature_columns])
                .to_bytes()
                .len()
                + fields.num_boxes * feature_columns * 4;
            fs_err::read(self.final_path(0, id))
                .ok()
                .and_then(|bytes| npz::list_entries(&bytes).ok())
                .is_some_and(|entries| {
                    entries.len() == 1
                        && entries[0].name == "feat.npy"
                        && entries[0].uncompressed_size == expected as u64
                })
        };
        npy_has_shape(self.final_path(2, id), &[fields.num_boxes, box_columns])
            && npy_has_shape(self.final_path(1, id), &[feature_columns])
            && att_complete()
    }

    /// Writes an image's files. Returns false if a later row with the same id has
    /// already been written (this row's files are then discarded).
    pub fn write(&self, image: &EncodedImage) -> Result<bool, Error> {
        let id = image.image_id;
        // All three files are written under temporary names first; they get their final
        // names only if no later row of the same id got there first (dropped otherwise).
        let mut staged = Vec::with_capacity(3);
        for (kind, bytes) in image.files.iter().enumerate() {
            let path = self.final_path(kind, id);
            let mut file = AtomicFile::create_unbuffered(&path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            file.write_all(bytes)
                .map_err(|source| Error::Write { path, source })?;
            staged.push(file);
        }
        let stripe = &self.committed[(id as usize) % LOCK_STRIPES];
        let mut committed = stripe.lock().unwrap_or_else(|poison| poison.into_inner());
        if committed
            .get(&id)
            .is_some_and(|&later| later > image.sequence)
        {
            return Ok(false);
        }
        for file in staged {
            let path = file.final_path().to_owned();
            file.commit_without_sync()
                .map_err(|source| Error::Write { path, source })?;
        }
        committed.insert(id, image.sequence);
        Ok(true)
    }
}

/// The single-file databases.
enum Backend {
    Lmdb(Vec<LmdbWriter>),
    Hdf5(Vec<Hdf5Store>),
}

/// One database per kind (LMDB or HDF5), written by a single thread in batches.
pub struct DatabaseStore {
    paths: [PathBuf; 3],
    backend: Backend,
    /// For each id written in this run, the sequence number of its row.
    written: HashMap<u64, u64>,
    batch: Vec<EncodedImage>,
    batch_bytes: usize,
}

/// A batch is committed when it holds this many bytes.
const BATCH_BYTES: usize = 64 << 20;

impl DatabaseStore {
    /// Opens (or creates) `PREFIX_att.lmdb`, ... or `PREFIX_att.h5`, ....
    pub fn open(prefix: &Path, kind: StoreKind) -> Result<Self, Error> {
        let (paths, backend) = match kind {
            StoreKind::Lmdb => {
                let paths = KINDS.map(|kind| output_path(prefix, kind, ".lmdb"));
                let writers = paths
                    .iter()
                    .map(|path| LmdbWriter::open(path))
                    .collect::<Result<Vec<_>, _>>()?;
                (paths, Backend::Lmdb(writers))
            }
            StoreKind::Hdf5 => {
                let paths = KINDS.map(|kind| output_path(prefix, kind, ".h5"));
                let stores = paths
                    .iter()
                    .map(|path| Hdf5Store::open(path))
                    .collect::<Result<Vec<_>, _>>()?;
                (paths, Backend::Hdf5(stores))
            }
            StoreKind::Files => {
                return Err(Error::InvalidOption(
                    "per-image files are written by `FileStore`".to_owned(),
                ));
            }
        };
        Ok(Self {
            paths,
            backend,
            written: HashMap::new(),
            batch: Vec::new(),
            batch_bytes: 0,
        })
    }

    /// The three database files.
    pub fn paths(&self) -> &[PathBuf; 3] {
        &self.paths
    }

    /// Whether the att arrays are stored as `.npz` bytes (LMDB) or raw arrays (HDF5).
    pub fn wants_npz(&self) -> bool {
        matches!(self.backend, Backend::Lmdb(_))
    }

    /// Ids already present in all three databases (from an earlier, interrupted run).
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
    /// row with the same id was already written.
    pub fn write(&mut self, image: EncodedImage) -> Result<bool, Error> {
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

    /// Commits what is queued (and, for LMDB, writes `lmdbdict`'s metadata).
    pub fn finish(mut self) -> Result<(), Error> {
        self.flush()?;
        match self.backend {
            Backend::Lmdb(writers) => {
                for writer in writers {
                    writer.finish()?;
                }
            }
            Backend::Hdf5(stores) => {
                for store in stores {
                    store.finish()?;
                }
            }
        }
        Ok(())
    }
}
