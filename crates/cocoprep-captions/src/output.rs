//! Writing outputs atomically, all or nothing.

use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;

use crate::error::Error;

/// Outputs written to temporary files and renamed into place only once every one of them
/// is complete, so a failed run leaves none of them half-written.
#[derive(Default)]
pub(crate) struct Outputs {
    files: Vec<AtomicFile>,
}

impl Outputs {
    /// Writes one output (under a temporary name) with `write`.
    pub(crate) fn write(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut AtomicFile) -> Result<(), WriteFailure>,
    ) -> Result<(), Error> {
        let mut file = AtomicFile::create(path).map_err(write_error(path))?;
        write(&mut file).map_err(|failure| match failure {
            WriteFailure::Io(source) => write_error(path)(source),
            WriteFailure::Hdf5(source) => Error::Hdf5 {
                path: path.to_owned(),
                source,
            },
        })?;
        self.files.push(file);
        Ok(())
    }

    /// Renames every output to its final name.
    pub(crate) fn commit(self) -> Result<(), Error> {
        for file in self.files {
            let path = file.final_path().to_owned();
            file.commit().map_err(write_error(&path))?;
        }
        Ok(())
    }
}

/// Why writing one output failed.
pub(crate) enum WriteFailure {
    Io(std::io::Error),
    Hdf5(cocoprep_formats::hdf5::Hdf5Error),
}

impl From<std::io::Error> for WriteFailure {
    fn from(error: std::io::Error) -> Self {
        WriteFailure::Io(error)
    }
}

impl From<cocoprep_formats::hdf5::Hdf5Error> for WriteFailure {
    fn from(error: cocoprep_formats::hdf5::Hdf5Error) -> Self {
        WriteFailure::Hdf5(error)
    }
}

pub(crate) fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_owned(),
        source,
    }
}

/// Python's `os.path.join(first, second)` for two parts.
pub(crate) fn python_path_join(first: &str, second: &str) -> String {
    if second.starts_with('/') || first.is_empty() {
        second.to_owned()
    } else if first.ends_with('/') {
        format!("{first}{second}")
    } else {
        format!("{first}/{second}")
    }
}

/// `<prefix><suffix>` as a path (`data/cocotalk` + `_label.h5`).
pub(crate) fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
