//! `cocoprep._native`, the compiled half of the `cocoprep` Python package (python/cocoprep):
//! a COCO file read and indexed by cocoprep-coco ([`native_coco`]) and pycocotools'
//! `_mask` functions on cocoprep-coco's RLE maths ([`mask_api`]). The pycocotools-shaped
//! API (`cocoprep.COCO`, `cocoprep.mask`) is the Python code on top.

#![deny(missing_docs)]

mod json_to_python;
mod mask_api;
mod native_coco;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<native_coco::NativeCoco>()?;
    module.add_function(wrap_pyfunction!(native_coco::load, module)?)?;
    for function in [
        wrap_pyfunction!(mask_api::encode, module)?,
        wrap_pyfunction!(mask_api::decode, module)?,
        wrap_pyfunction!(mask_api::area, module)?,
        wrap_pyfunction!(mask_api::to_bbox, module)?,
        wrap_pyfunction!(mask_api::merge_rles, module)?,
        wrap_pyfunction!(mask_api::iou_rles, module)?,
        wrap_pyfunction!(mask_api::iou_boxes, module)?,
        wrap_pyfunction!(mask_api::from_polygons, module)?,
        wrap_pyfunction!(mask_api::from_boxes, module)?,
        wrap_pyfunction!(mask_api::from_uncompressed, module)?,
    ] {
        module.add_function(function)?;
    }
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
