//! Writing to stdout (data) and stderr (messages for people).

use std::io::{self, Write};

use crate::settings::{GlobalSettings, Verbosity};

/// Whether an error chain is a broken pipe on stdout.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Writes data to stdout.
pub fn stdout(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Prints a message for people on stderr, unless `--quiet`.
pub fn note(global: &GlobalSettings, message: impl std::fmt::Display) {
    if global.verbosity >= Verbosity::Normal {
        eprintln!("{message}");
    }
}
