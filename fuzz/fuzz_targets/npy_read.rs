//! The `.npy` reader never panics on any input; a fixed-size array it accepts holds as many
//! elements as its shape says, and writing it again gives an array that reads back equal.
#![no_main]

use cocoprep_formats::npy::{self, Dtype, NpyArray, NpyHeader};
use cocoprep_formats::pickle::{Pickle, numpy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(array) = NpyArray::parse(data) else {
        return;
    };
    let header = &array.header;
    // The header we would write for it reads back as the same header.
    let bytes = header.to_bytes();
    let (again, offset) = NpyHeader::parse(&bytes).expect("our own header reads back");
    assert_eq!(&again, header);
    assert_eq!(offset, bytes.len());
    if header.dtype == Dtype::Object {
        // Object arrays hold a pickle (VSUA's graph files).
        if let Ok(pickle) = Pickle::parse(&array.data) {
            let _ = numpy::read_object_array(pickle.root());
        }
        return;
    }
    let count = header.element_count();
    assert_eq!(array.data.len(), count * header.dtype.item_size());
    if let Ok(values) = array.to_f32() {
        assert_eq!(values.len(), count);
    }
    if let Ok(values) = array.to_f64() {
        assert_eq!(values.len(), count);
    }
    if !header.fortran_order {
        let written = npy::encode_raw(header.dtype, &header.shape, &array.data)
            .expect("an array that was read can be written");
        assert_eq!(
            NpyArray::parse(&written).expect("our own file reads back"),
            array
        );
    }
});
