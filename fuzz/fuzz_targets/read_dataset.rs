//! The reader never panics, and whatever it accepts it writes back to something it reads
//! again as the same dataset.
#![no_main]

use cocoprep_coco::{Dataset, ReadOptions, read_dataset_from_slice};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Both the serial and the parallel pipeline, which take different code paths.
    for jobs in [1, 2] {
        let options = ReadOptions { jobs };
        if let Ok(dataset) = read_dataset_from_slice(data, "fuzz.json".as_ref(), &options) {
            let written = dataset.to_json_vec();
            let again = Dataset::from_json_slice(&written).expect("our own output reads back");
            assert_eq!(again, dataset);
        }
    }
});
