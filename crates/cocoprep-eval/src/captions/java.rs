//! What the METEOR and SPICE runners share about starting a jar under Java.

use std::path::{Path, PathBuf};

/// The folder a jar sits in (the jars read their data and `lib/` relative to it).
pub(crate) fn jar_folder(jar: &Path) -> PathBuf {
    jar.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned()
}

/// Why `java` did not start, with the package to install when it is not there.
pub(crate) fn not_started(error: &std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotFound {
        "`java` is not on PATH (Debian: `apt-get install default-jre-headless`)".to_owned()
    } else {
        format!("cannot start `java`: {error}")
    }
}
