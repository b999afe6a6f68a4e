//! Free disk space, checked before starting work that would fill the disk halfway.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
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
    let c_path = CString::new(existing.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` points to writable
    // memory of the right type; statvfs fills it completely when it returns 0.
    let result = unsafe { libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) };
    if result != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so the struct is initialised.
    let stats = unsafe { stats.assume_init() };
    // The field types differ between platforms (u32 on some 32-bit targets).
    #[expect(clippy::useless_conversion, reason = "u64 here, narrower elsewhere")]
    let (blocks, block_size) = (u64::from(stats.f_bavail), u64::from(stats.f_frsize));
    Some(blocks.saturating_mul(block_size))
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
