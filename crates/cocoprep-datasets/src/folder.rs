//! Listing folders the way the preparers need: sorted, so outputs do not depend on the file
//! system's order.

use std::path::Path;

use crate::error::Error;

/// The names in `folder`, sorted (by code point, as Python's `sorted`), without hidden
/// entries (`.DS_Store`, ...) and cocoprep's own temporaries.
pub(crate) fn visible_entries(folder: &Path) -> Result<Vec<String>, Error> {
    let read_error = |source| Error::Read {
        path: folder.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(read_error)? {
        let name = entry.map_err(read_error)?.file_name();
        if cocoprep_base::output::is_temporary_name(&name) {
            continue;
        }
        let name = name
            .into_string()
            .map_err(|name| Error::malformed(&folder.join(&name), "the name is not UTF-8"))?;
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort_unstable();
    Ok(names)
}
