//! A bottom-up TSV row (`image_id, image_w, image_h, num_boxes, boxes, features`) never
//! makes the row parser or the base64 → `.npy` decoder panic, and a field that decodes is
//! a well-formed float32 `.npy` of `num_boxes` rows.
#![no_main]

use cocoprep_features::butd::row::{RowFields, columns, decode_to_npy, decoded_len, peek_image_id};
use cocoprep_formats::npy::{Dtype, NpyArray};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let row = data.strip_suffix(b"\n").unwrap_or(data);
    let row = row.strip_suffix(b"\r").unwrap_or(row);
    let peeked = peek_image_id(row);
    let Ok(fields) = RowFields::parse(row) else {
        return;
    };
    assert_eq!(peeked, Some(fields.image_id));
    for (name, field) in [("boxes", fields.boxes), ("features", fields.features)] {
        let _ = decoded_len(field);
        let columns = columns(name, field, fields.num_boxes);
        let Ok((npy, header_len)) = decode_to_npy(name, field, fields.num_boxes) else {
            continue;
        };
        let columns = columns.expect("a field that decodes has a column count");
        let array = NpyArray::parse(&npy).expect("a decoded field is a valid .npy file");
        assert_eq!(array.header.dtype, Dtype::Float32);
        assert_eq!(array.header.shape, [fields.num_boxes, columns]);
        assert_eq!(npy.len() - header_len, fields.num_boxes * columns * 4);
    }
});
