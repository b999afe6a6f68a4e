//! Single-file LMDB stores, as self-critical's `scripts/dump_to_lmdb.py` writes them.
//!
//! Keys are the image ids as ASCII decimal (`b"139"`), values the bytes of the `.npz` or
//! `.npy` file that would otherwise be on disk, unchanged. The file is a single file
//! (`subdir=False`, plus LMDB's `<path>-lock`) with a 2 TiB map size, like `lmdbdict`'s
//! writer. `lmdbdict` keeps its settings under reserved keys, which we also write so the
//! store opens without warnings in `lmdbdict(path, unsafe=True)` and in plain `lmdb`:
//! `__keys__` (a pickled list of the keys) and `__{key,value}_{dumps,loads}__` (pickled
//! `'ascii'` and `'identity'`).
//!
//! Writes are transactional: an interrupted run keeps every committed batch, and
//! reopening the store continues where it stopped ([`LmdbWriter::contains`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use heed::types::Bytes;
use heed::{Database, Env, EnvFlags, EnvOpenOptions};

use crate::Error;

/// `lmdbdict`'s map size: 2 TiB of address space (the file only grows as data is written).
const MAP_SIZE_BYTES: usize = 2 << 40;

/// The reserved keys `lmdbdict` uses for its settings.
const METADATA_KEYS: [&[u8]; 5] = [
    b"__keys__",
    b"__key_dumps__",
    b"__key_loads__",
    b"__value_dumps__",
    b"__value_loads__",
];

/// Writes a single-file LMDB store of `key → file bytes`.
pub struct LmdbWriter {
    path: PathBuf,
    env: Env,
    database: Database<Bytes, Bytes>,
    /// Every key in the store (besides the metadata), in insertion order.
    keys: Vec<String>,
    present: HashSet<String>,
}

impl LmdbWriter {
    /// Opens the store at `path`, creating it if needed. Keys already in it (from an
    /// interrupted run) are kept and reported by [`contains`](Self::contains).
    pub fn open(path: &Path) -> Result<Self, Error> {
        let lmdb_error = |source| Error::Lmdb {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent)?;
        }
        let mut options = EnvOpenOptions::new();
        options.map_size(MAP_SIZE_BYTES).max_dbs(0);
        #[expect(unsafe_code, reason = "heed marks every environment flag unsafe")]
        // SAFETY: NO_SUB_DIR only changes the file layout (one data file plus `-lock`), which
        // is what `lmdb.open(path, subdir=False)` expects; it has no memory-safety impact.
        unsafe {
            options.flags(EnvFlags::NO_SUB_DIR);
        }
        #[expect(
            unsafe_code,
            reason = "heed cannot check that the environment is opened once"
        )]
        // SAFETY: heed requires that the same environment is not opened twice in one
        // process and that the file is not modified outside LMDB while mapped. cocoprep
        // opens each store once, from one writer.
        let env = unsafe { options.open(path) }.map_err(lmdb_error)?;
        let mut transaction = env.write_txn().map_err(lmdb_error)?;
        let database: Database<Bytes, Bytes> = env
            .create_database(&mut transaction, None)
            .map_err(lmdb_error)?;
        let mut keys = Vec::new();
        for item in database.iter(&transaction).map_err(lmdb_error)? {
            let (key, _) = item.map_err(lmdb_error)?;
            if !METADATA_KEYS.contains(&key) {
                keys.push(String::from_utf8_lossy(key).into_owned());
            }
        }
        transaction.commit().map_err(lmdb_error)?;
        let present = keys.iter().cloned().collect();
        Ok(Self {
            path: path.to_owned(),
            env,
            database,
            keys,
            present,
        })
    }

    fn error(&self, source: heed::Error) -> Error {
        Error::Lmdb {
            path: self.path.clone(),
            source,
        }
    }

    /// Whether the store already holds `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.present.contains(key)
    }

    /// The keys in the store (besides `lmdbdict`'s metadata), in insertion order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Number of keys in the store.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Writes `entries` in one transaction (a later value for a key replaces the earlier).
    pub fn put_batch<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<(), Error> {
        let mut transaction = self.env.write_txn().map_err(|e| self.error(e))?;
        for (key, value) in entries {
            self.database
                .put(&mut transaction, key.as_bytes(), value)
                .map_err(|e| self.error(e))?;
            if self.present.insert(key.to_owned()) {
                self.keys.push(key.to_owned());
            }
        }
        transaction.commit().map_err(|e| self.error(e))
    }

    /// Writes `lmdbdict`'s metadata keys and flushes the store to disk.
    pub fn finish(self) -> Result<(), Error> {
        let mut transaction = self.env.write_txn().map_err(|e| self.error(e))?;
        let ascii = pickle_str("ascii");
        let identity = pickle_str("identity");
        let metadata: [(&[u8], Vec<u8>); 5] = [
            (METADATA_KEYS[0], pickle_str_list(&self.keys)),
            (METADATA_KEYS[1], ascii.clone()),
            (METADATA_KEYS[2], ascii),
            (METADATA_KEYS[3], identity.clone()),
            (METADATA_KEYS[4], identity),
        ];
        for (key, value) in &metadata {
            self.database
                .put(&mut transaction, key, value)
                .map_err(|e| self.error(e))?;
        }
        transaction.commit().map_err(|e| self.error(e))?;
        self.env.force_sync().map_err(|e| self.error(e))
    }
}

/// `pickle.dumps(text, protocol=2)`.
fn pickle_str(text: &str) -> Vec<u8> {
    let mut bytes = vec![0x80, 2];
    push_unicode(&mut bytes, text);
    bytes.push(b'.');
    bytes
}

/// `pickle.dumps(list_of_str, protocol=2)`: `EMPTY_LIST MARK items... APPENDS STOP`.
fn pickle_str_list(items: &[String]) -> Vec<u8> {
    let mut bytes = vec![0x80, 2, b']'];
    if !items.is_empty() {
        bytes.push(b'(');
        for item in items {
            push_unicode(&mut bytes, item);
        }
        bytes.push(b'e');
    }
    bytes.push(b'.');
    bytes
}

/// BINUNICODE: `X`, a 4-byte length, UTF-8 bytes.
fn push_unicode(bytes: &mut Vec<u8>, text: &str) {
    bytes.push(b'X');
    bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopened_store_knows_its_keys() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("feats.lmdb");
        let mut writer = LmdbWriter::open(&path).unwrap();
        writer
            .put_batch([("139", &b"abc"[..]), ("802", &b"de"[..])])
            .unwrap();
        writer.finish().unwrap();
        let writer = LmdbWriter::open(&path).unwrap();
        assert!(writer.contains("139") && writer.contains("802"));
        assert_eq!(writer.len(), 2);
        assert!(path.is_file());
    }

    #[test]
    fn pickles_are_protocol_2() {
        assert_eq!(pickle_str("ascii"), b"\x80\x02X\x05\x00\x00\x00ascii.");
        assert_eq!(
            pickle_str_list(&["1".to_owned()]),
            b"\x80\x02](X\x01\x00\x00\x001e."
        );
    }
}
