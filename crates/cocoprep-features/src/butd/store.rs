//! Per-image files as `make_bu_data.py` writes them (the LMDB and HDF5 stores are the
//! shared [`crate::store::DatabaseStore`]).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cocoprep_base::cluster::Shard;
use cocoprep_base::output::{AtomicFile, remove_stale_temporaries, remove_temporaries_if};
use cocoprep_formats::npy::{Dtype, NpyArray, NpyHeader};
use cocoprep_formats::npz;

use super::row::{self, RowFields};
use crate::Error;
use crate::store::{EncodedImage, output_path};

/// The three kinds of output, in the order `make_bu_data.py` writes them.
pub const KINDS: [&str; 3] = ["att", "fc", "box"];

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
