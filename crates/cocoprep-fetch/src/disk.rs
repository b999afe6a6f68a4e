//! Free disk space, checked before starting work that would fill the disk halfway.

use std::path::Path;

/// Bytes available to an unprivileged user on the file system holding `path` (or its
/// nearest existing ancestor). `None` if it cannot be determined.
pub fn available_bytes(path: &Path) -> Option<u64> {
    let mut existing = path;
    while !existing.exists() {
        existing = existing.parent()?;
    }
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    free_bytes(existing)
}

#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(path).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// Fails with [`crate::FetchError::DiskFull`] unless `needed` bytes are free at `path`.
pub fn ensure_available(path: &Path, needed: u64) -> Result<(), crate::FetchError> {
    match available_bytes(path) {
        Some(available) if available < needed => Err(crate::FetchError::DiskFull {
            path: path.to_owned(),
            needed,
            available,
        }),
        _ => Ok(()),
    }
}
