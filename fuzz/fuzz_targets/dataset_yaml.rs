//! The dataset YAML reader never panics (nor allocates without bound) on any input, and
//! a YAML it accepts, written again, reads back as the same description.
#![no_main]

use std::path::Path;

use cocoprep_formats::dataset_yaml::DatasetYaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("/datasets/coco/data.yaml");
    let Ok(yaml) = DatasetYaml::from_text(text, file) else {
        return;
    };
    let _ = yaml.split_entries();
    let written = yaml.to_text("written again\nby the fuzzer");
    let again = DatasetYaml::from_text(&written, file)
        .unwrap_or_else(|error| panic!("our own YAML does not read back: {error}\n{written}"));
    assert_eq!(again, yaml, "\n{written}");
});
