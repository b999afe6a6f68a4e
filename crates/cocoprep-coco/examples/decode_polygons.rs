//! Times decoding every polygon of a file to `f64`s (what converters and rasterisers do).
//!
//! usage: decode_polygons FILE

#![expect(
    clippy::print_stderr,
    reason = "the example reports its timings on stderr"
)]

use std::time::Instant;

use cocoprep_coco::{Dataset, Segmentation};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: decode_polygons FILE");
    let dataset = Dataset::read(path.as_ref()).expect("readable file");
    let start = Instant::now();
    let (mut numbers, mut checksum) = (0usize, 0.0f64);
    for annotation in &dataset.annotations {
        if let Some(Segmentation::Polygons(polygons)) = &annotation.segmentation {
            let _ = polygons.try_for_each_part::<()>(|part| {
                numbers += part.len();
                checksum += part.iter().sum::<f64>();
                Ok(())
            });
        }
    }
    eprintln!(
        "{numbers} numbers in {:.3} s (checksum {checksum})",
        start.elapsed().as_secs_f64()
    );
    std::process::exit(0);
}
