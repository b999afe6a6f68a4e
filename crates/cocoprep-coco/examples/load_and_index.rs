//! Loads and indexes a COCO file, like `pycocotools.coco.COCO(path)`; used by the
//! benchmarks. Prints counts and the elapsed time to stderr.
//!
//! usage: load_and_index FILE [JOBS]

#![expect(
    clippy::print_stderr,
    reason = "the example reports its timings on stderr"
)]

use std::time::Instant;

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::{Coco, ReadOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: load_and_index FILE [JOBS]");
    let jobs = args
        .next()
        .map_or(0, |jobs| jobs.parse().expect("JOBS is a number"));
    let start = Instant::now();
    let coco = match Coco::open(path.as_ref(), &ReadOptions { jobs }, &NoReporter) {
        Ok(coco) => coco,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(2);
        }
    };
    let elapsed = start.elapsed();
    let dataset = coco.dataset();
    eprintln!(
        "images {} annotations {} categories {} in {:.3} s",
        dataset.images.len(),
        dataset.annotations.len(),
        dataset.categories.len(),
        elapsed.as_secs_f64()
    );
    // Like a Python process exiting, do not spend time freeing a million records.
    std::process::exit(0);
}
