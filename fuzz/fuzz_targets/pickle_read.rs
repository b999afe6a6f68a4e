//! The pickle reader never panics on any input, and neither do the accessors, the NumPy
//! array readers and the VSUA box-info reader on whatever it accepts.
#![no_main]

use std::collections::HashSet;

use cocoprep_features::vsua::box_info;
use cocoprep_formats::pickle::{NodeId, Pickle, PickleRef, PickleValue, numpy};
use libfuzzer_sys::fuzz_target;

/// Nodes visited per input at most: a list can contain itself, and a small pickle can
/// describe a large graph through the memo.
const VISIT_BUDGET: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Ok(pickle) = Pickle::parse(data) else {
        return;
    };
    let mut seen = HashSet::new();
    let mut pending = vec![pickle.root()];
    while let Some(value) = pending.pop() {
        if seen.len() >= VISIT_BUDGET {
            break;
        }
        exercise(value);
        for id in children(value.value()) {
            if seen.insert(id) {
                pending.push(pickle.get(id));
            }
        }
    }
    if let Ok(entries) = box_info::entries(&pickle) {
        for (key, value) in entries.into_iter().take(256) {
            let _ = box_info::read_image(key, value);
        }
    }
});

/// Every accessor of one value; none may panic, and an array that reads must hold as
/// many elements as its shape says.
fn exercise(value: PickleRef) {
    let _ = value.describe();
    let _ = value.as_int();
    let _ = value.as_float();
    let _ = value.as_str();
    let _ = value.as_bytes();
    let _ = value.as_sequence();
    let _ = value.as_global();
    let _ = value.as_object();
    if value.as_dict().is_ok() {
        let _ = value.dict_get("boxes");
    }
    if numpy::is_ndarray(value) {
        if let Ok(array) = numpy::read_ndarray(value) {
            let count: usize = array.shape.iter().product();
            if let Ok(values) = array.to_f64() {
                assert_eq!(values.len(), count, "shape {:?}", array.shape);
            }
            if let Ok(values) = array.to_f32() {
                assert_eq!(values.len(), count, "shape {:?}", array.shape);
            }
        }
        let _ = numpy::read_object_array(value);
    }
}

fn children(value: &PickleValue) -> Vec<NodeId> {
    match value {
        PickleValue::Tuple(items) | PickleValue::List(items) => items.clone(),
        PickleValue::Dict(items) => items.iter().flat_map(|(k, v)| [*k, *v]).collect(),
        PickleValue::Object {
            callable,
            arguments,
            state,
            dict_items,
            list_items,
        } => {
            let mut ids = vec![*callable, *arguments];
            ids.extend(state);
            ids.extend(dict_items.iter().flat_map(|(k, v)| [*k, *v]));
            ids.extend(list_items);
            ids
        }
        _ => Vec::new(),
    }
}
