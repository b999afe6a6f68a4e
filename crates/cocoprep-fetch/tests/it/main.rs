//! Integration tests of `cocoprep-fetch`: one test binary, one module per behaviour area.

mod download_faults;
mod extract_archives;
mod google_drive;
mod resume_sources;
