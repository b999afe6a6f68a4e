//! The validator never panics on any input.
#![no_main]

use cocoprep_coco::validate::{ValidateOptions, validate_slice};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ValidateOptions {
        jobs: 1,
        ..ValidateOptions::default()
    };
    let _ = validate_slice(data, "fuzz.json".as_ref(), &options);
});
