//! [`AtomicFile`]: one file written under a temporary name and renamed when complete.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::temporary_name;

/// A file being written under a temporary name.
pub struct AtomicFile {
    final_path: PathBuf,
    temporary_path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file next to `path` (creating parent folders as needed), with
    /// a 1 MiB write buffer for callers that write in many small pieces.
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::create_with_buffer(path, 1 << 20)
    }

    /// [`AtomicFile::create`] without a write buffer, for callers that write whole buffers:
    /// a bulk job writing 100k files would otherwise allocate (and fault in) 1 MiB for each.
    pub fn create_unbuffered(path: &Path) -> io::Result<Self> {
        Self::create_with_buffer(path, 0)
    }

    fn create_with_buffer(path: &Path, capacity: usize) -> io::Result<Self> {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        // A stat is cheaper than the failing mkdir of `create_dir_all` when the folder
        // exists, which it does for all but the first of many files written into it.
        if !parent.is_dir() {
            fs_err::create_dir_all(&parent)?;
        }
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` has no file name", path.display()),
            )
        })?;
        let temporary_path = parent.join(temporary_name(name));
        let file = fs_err::File::create(&temporary_path)?.into_parts().0;
        Ok(Self {
            final_path: path.to_owned(),
            temporary_path,
            writer: Some(BufWriter::with_capacity(capacity, file)),
        })
    }

    /// The name the file will have once committed.
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Writes out the buffer and waits until everything written so far is on the disk
    /// (`fdatasync`). A large file synced as it is written, from a thread that does nothing
    /// else, leaves [`commit`](Self::commit)'s fsync only the last part to wait for.
    pub fn sync_data(&mut self) -> io::Result<()> {
        let writer = self.writer.as_mut().expect("writer present until commit");
        writer.flush()?;
        writer.get_ref().sync_data()
    }

    /// Flushes and renames to the final name without waiting for the data to reach the
    /// disk (no fsync). For many small outputs that are cheap to make again, such as one
    /// label-map PNG per image, where an fsync per file costs more than the work itself:
    /// an interrupted process still never leaves a half-written file under the final
    /// name, but after a power loss a file may be empty.
    pub fn commit_without_sync(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let file = writer.into_inner().map_err(|error| error.into_error());
        self.finish(file.map(drop))
    }

    /// Flushes, fsyncs and renames to the final name.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let file = writer.into_inner().map_err(|error| error.into_error());
        self.finish(file.and_then(|file| file.sync_all()))
    }

    /// Renames the temporary file to the final name once `written` succeeded; removes it
    /// when writing or renaming failed (the writer is gone, so `Drop` would not).
    fn finish(&self, written: io::Result<()>) -> io::Result<()> {
        let result = written.and_then(|()| fs_err::rename(&self.temporary_path, &self.final_path));
        if result.is_err() {
            let _ = std::fs::remove_file(&self.temporary_path);
        }
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temporary_path);
        }
    }
}

/// Writes `bytes` to `path` atomically, with an fsync before the rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create_unbuffered(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Writes `bytes` to `path` through a temporary name and a rename, without an fsync: for
/// the many small files of a bulk job (see [`AtomicFile::commit_without_sync`]).
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create_unbuffered(path)?;
    file.write_all(bytes)?;
    file.commit_without_sync()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_file_leaves_nothing_behind() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("out.json");
        {
            let mut file = AtomicFile::create(&path).unwrap();
            file.write_all(b"partial").unwrap();
        }
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
        write_atomic(&path, b"done").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"done");
    }

    #[test]
    fn failed_commit_removes_the_temporary_file() {
        let folder = tempfile::tempdir().unwrap();
        // A folder (not empty) under the final name: the rename fails.
        let path = folder.path().join("out.json");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"x").unwrap();
        for sync in [true, false] {
            let mut file = AtomicFile::create(&path).unwrap();
            file.write_all(b"data").unwrap();
            let result = if sync {
                file.commit()
            } else {
                file.commit_without_sync()
            };
            assert!(result.is_err());
            let names: Vec<_> = std::fs::read_dir(folder.path())
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            assert_eq!(names, ["out.json"]);
        }
    }
}
