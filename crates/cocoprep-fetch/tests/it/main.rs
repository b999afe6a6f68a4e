//! Integration tests of `cocoprep-fetch`: one test binary, one module per behaviour area.

#![expect(
    clippy::print_stderr,
    reason = "tests report measured figures on stderr"
)]

mod download_faults;
mod extract_archives;
mod google_drive;
mod resume_sources;
