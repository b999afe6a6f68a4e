//! Where an archive member may be written: never outside the destination, never through
//! a symbolic link.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// A member name turned into a relative path, or why it is refused. Backslashes count as
/// separators (zips made on Windows), `.` components are dropped. A NUL byte is refused:
/// no file system accepts it, and C code that sees the path stops reading at it.
pub fn safe_relative(name: &str) -> Result<PathBuf, &'static str> {
    if name.contains('\0') {
        return Err("NUL byte in the name");
    }
    let name = name.replace('\\', "/");
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let mut relative = PathBuf::new();
    for part in name.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err("`..` would leave the destination"),
            part if part.len() >= 2
                && part.as_bytes()[1] == b':'
                && relative.as_os_str().is_empty() =>
            {
                return Err("drive-letter path");
            }
            part => relative.push(part),
        }
    }
    if relative.as_os_str().is_empty() {
        return Err("empty name");
    }
    debug_assert!(
        relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    );
    Ok(relative)
}

/// Creates folders under a root, refusing to pass through symbolic links (an existing
/// `images -> /etc` link must not let an archive write into `/etc`). Verified folders are
/// remembered, so 100 000 members in one folder cost one check.
pub struct SafeFolders {
    root: PathBuf,
    verified: Mutex<HashSet<PathBuf>>,
}

impl SafeFolders {
    /// Folders under `root` (created if missing).
    pub fn new(root: &Path) -> std::io::Result<Self> {
        fs_err::create_dir_all(root)?;
        Ok(Self {
            root: root.to_owned(),
            verified: Mutex::new(HashSet::new()),
        })
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Makes sure `root/relative` is a real folder (not a link), creating it and its
    /// parents as needed. `Err(reason)` if a link is in the way.
    pub fn ensure(&self, relative: &Path) -> Result<PathBuf, String> {
        if relative.as_os_str().is_empty() {
            return Ok(self.root.clone());
        }
        if self
            .verified
            .lock()
            .map(|set| set.contains(relative))
            .unwrap_or(false)
        {
            return Ok(self.root.join(relative));
        }
        let mut current = self.root.clone();
        let mut partial = PathBuf::new();
        for component in relative.components() {
            current.push(component);
            partial.push(component);
            if self
                .verified
                .lock()
                .map(|set| set.contains(&partial))
                .unwrap_or(false)
            {
                continue;
            }
            match std::fs::symlink_metadata(&current) {
                Ok(metadata) if metadata.file_type().is_symlink() => {
                    return Err(format!(
                        "`{}` is a symbolic link; refusing to extract through it",
                        current.display()
                    ));
                }
                Ok(metadata) if metadata.is_dir() => {}
                Ok(_) => {
                    return Err(format!(
                        "`{}` exists and is not a folder",
                        current.display()
                    ));
                }
                Err(_) => match std::fs::create_dir(&current) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                        // Another worker created it; check it is a folder.
                        if !std::fs::symlink_metadata(&current).is_ok_and(|m| m.is_dir()) {
                            return Err(format!("`{}` is not a folder", current.display()));
                        }
                    }
                    Err(error) => {
                        return Err(format!("cannot create `{}`: {error}", current.display()));
                    }
                },
            }
            if let Ok(mut set) = self.verified.lock() {
                set.insert(partial.clone());
            }
        }
        Ok(current)
    }
}

/// A glob over member paths: `*` matches any run of characters (folders included), `?`
/// one character. `val2017/*.jpg`, `*instances_*`.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_absolute_names_are_refused() {
        assert!(safe_relative("../etc/passwd").is_err());
        assert!(safe_relative("a/../../b").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("C:/x").is_err());
        assert!(safe_relative("..\\x").is_err());
        assert_eq!(
            safe_relative("./a//b.jpg").unwrap(),
            PathBuf::from("a/b.jpg")
        );
    }

    #[test]
    fn a_name_with_a_nul_byte_is_refused() {
        // Found by the `archive_member_path` fuzz target.
        assert_eq!(safe_relative("a/b\0c.jpg"), Err("NUL byte in the name"));
        assert_eq!(safe_relative("\0"), Err("NUL byte in the name"));
    }

    #[test]
    fn globs_match_member_paths() {
        assert!(glob_matches("val2017/*.jpg", "val2017/000000000139.jpg"));
        assert!(glob_matches(
            "*instances_val*",
            "annotations/instances_val2017.json"
        ));
        assert!(!glob_matches("*.json", "a.jpg"));
        assert!(glob_matches("a?c", "abc"));
    }

    #[test]
    fn a_symbolic_link_in_the_way_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("images")).unwrap();
        let folders = SafeFolders::new(root.path()).unwrap();
        let error = folders.ensure(Path::new("images/train2017")).unwrap_err();
        assert!(error.contains("symbolic link"), "{error}");
        assert!(folders.ensure(Path::new("labels/train2017")).is_ok());
    }
}
