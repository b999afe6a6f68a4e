//! The `.npz` reader never panics (nor runs out of memory) on any input, and the members
//! it reads, written again, read back the same.
#![no_main]

use cocoprep_formats::npy::NpyArray;
use cocoprep_formats::npz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(entries) = npz::list_entries(data) else {
        assert!(npz::read_members(data).is_err());
        return;
    };
    for entry in &entries {
        let _ = entry.key();
    }
    let Ok(members) = npz::read_members(data) else {
        return;
    };
    assert_eq!(members.len(), entries.len());
    for (_, npy) in &members {
        let _ = NpyArray::parse(npy);
    }
    // Keys that end in `.npy` lose it once more on the way back; skip those.
    if members.iter().any(|(key, _)| key.ends_with(".npy")) {
        return;
    }
    let borrowed: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(key, npy)| (key.as_str(), npy.as_slice()))
        .collect();
    let mut encoder = npz::NpzEncoder::new(npz::DEFAULT_COMPRESSION_LEVEL).unwrap();
    let archive = encoder.encode(&borrowed).expect("small members encode");
    assert_eq!(
        npz::read_members(&archive).expect("our own archive reads back"),
        members
    );
});
