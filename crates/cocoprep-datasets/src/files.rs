//! File helpers of the preparers: whole-file reads naming the file in errors, atomic writes,
//! and sorted folder listings (so outputs do not depend on the file system's order).

use std::path::Path;

use crate::error::Error;

/// Reads a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(Error::io("read", path))
}

/// Reads a whole UTF-8 file.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    String::from_utf8(read(path)?).map_err(|error| {
        Error::invalid(
            path,
            format!("not UTF-8 text (byte {})", error.utf8_error().valid_up_to()),
        )
    })
}

/// Writes a whole file atomically (temporary name, fsync, rename), creating its folder.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    cocoprep_base::write_atomic(path, bytes).map_err(Error::io("write", path))
}

/// The names in `folder`, sorted (by code point, as Python's `sorted`), without hidden
/// entries (`.DS_Store`, ...) and cocoprep's own temporaries.
pub(crate) fn visible_entries(folder: &Path) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(Error::io("read", folder))? {
        let name = entry.map_err(Error::io("read", folder))?.file_name();
        if cocoprep_base::output::is_temporary_name(&name) {
            continue;
        }
        let name = name
            .into_string()
            .map_err(|name| Error::invalid(&folder.join(&name), "the name is not UTF-8"))?;
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort_unstable();
    Ok(names)
}
