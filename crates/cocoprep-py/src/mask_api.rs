//! The native half of `cocoprep.mask` (pycocotools' `_mask` extension): RLEs in and out
//! as `{"size": [h, w], "counts": bytes}` dicts, masks as flat column-major `uint8`
//! arrays that the Python half reshapes (`order="F"`), as pycocotools lays them out.
//!
//! `counts` may be `bytes`, `str` (pycocotools accepts both) or a list of run lengths.

use cocoprep_coco::mask::{
    MaskError, MergeOperation, RunLengthMask, bbox_iou, from_bbox, from_polygon, iou, merge,
};
use cocoprep_coco::{BBoxXywh, RleCounts};
use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

fn mask_error(error: MaskError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// Reads one RLE object (`{"size": [h, w], "counts": ...}`).
pub fn rle_from_python(object: &Bound<'_, PyAny>) -> PyResult<RunLengthMask> {
    let (height, width) = size_from_python(&object.get_item("size")?)?;
    let counts = object.get_item("counts")?;
    if let Ok(bytes) = counts.cast::<PyBytes>() {
        let text = std::str::from_utf8(bytes.as_bytes())
            .map_err(|_| PyValueError::new_err("RLE `counts` bytes are not ASCII"))?;
        RunLengthMask::from_compressed(height, width, text).map_err(mask_error)
    } else if let Ok(text) = counts.cast::<PyString>() {
        RunLengthMask::from_compressed(height, width, &text.to_cow()?).map_err(mask_error)
    } else {
        let runs: Vec<u32> = counts.extract().map_err(|_| {
            PyTypeError::new_err("RLE `counts` must be bytes, str or a list of run lengths")
        })?;
        RunLengthMask::new(height, width, runs).map_err(mask_error)
    }
}

/// `size` as `(height, width)`: a list (or any sequence) of two non-negative integers.
fn size_from_python(size: &Bound<'_, PyAny>) -> PyResult<(u32, u32)> {
    let size: Vec<u32> = size.extract().map_err(|_| {
        PyValueError::new_err("RLE `size` must be [height, width] (two non-negative integers)")
    })?;
    match size[..] {
        [height, width] => Ok((height, width)),
        _ => Err(PyValueError::new_err(
            "RLE `size` must be [height, width] (two non-negative integers)",
        )),
    }
}

fn rles_from_python(objects: &Bound<'_, PyAny>) -> PyResult<Vec<RunLengthMask>> {
    objects
        .try_iter()?
        .map(|object| rle_from_python(&object?))
        .collect()
}

/// `{"size": [h, w], "counts": b"..."}`, as pycocotools' `_toString` builds it.
pub fn rle_to_python<'py>(py: Python<'py>, mask: &RunLengthMask) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("size", PyList::new(py, [mask.height(), mask.width()])?)?;
    let counts = RleCounts::encode_compressed(mask.counts());
    dict.set_item("counts", PyBytes::new(py, counts.as_bytes()))?;
    Ok(dict)
}

fn rles_to_python<'py>(py: Python<'py>, masks: &[RunLengthMask]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for mask in masks {
        list.append(rle_to_python(py, mask)?)?;
    }
    Ok(list)
}

/// `_mask.encode`: `count` masks of `height × width`, one after another, each column-major.
#[pyfunction]
pub fn encode<'py>(
    py: Python<'py>,
    pixels: PyReadonlyArray1<'py, u8>,
    height: u32,
    width: u32,
    count: usize,
) -> PyResult<Bound<'py, PyList>> {
    let pixels = pixels
        .as_slice()
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    let size = height as usize * width as usize;
    if pixels.len() != size * count {
        return Err(PyValueError::new_err(
            "mask buffer does not match its shape",
        ));
    }
    let masks = py.detach(|| {
        (0..count)
            .map(|index| {
                RunLengthMask::encode_column_major(
                    height,
                    width,
                    &pixels[index * size..(index + 1) * size],
                )
            })
            .collect::<Result<Vec<_>, _>>()
    });
    rles_to_python(py, &masks.map_err(mask_error)?)
}

/// `_mask.decode`: the masks one after another, each column-major, and their shape.
#[pyfunction]
pub fn decode<'py>(
    py: Python<'py>,
    rles: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyArray1<u8>>, u32, u32, usize)> {
    let masks = rles_from_python(rles)?;
    let Some(first) = masks.first() else {
        return Err(PyValueError::new_err("decode needs at least one RLE"));
    };
    let (height, width) = first.size();
    if let Some(other) = masks.iter().find(|mask| mask.size() != (height, width)) {
        return Err(PyValueError::new_err(format!(
            "cannot decode RLEs of different sizes together: {:?} and {:?}",
            (height, width),
            other.size()
        )));
    }
    let pixels = py.detach(|| {
        let mut pixels = Vec::with_capacity(height as usize * width as usize * masks.len());
        for mask in &masks {
            pixels.extend_from_slice(&mask.decode_column_major());
        }
        pixels
    });
    Ok((PyArray1::from_vec(py, pixels), height, width, masks.len()))
}

/// `_mask.area`: foreground pixels of each RLE (`uint32`).
#[pyfunction]
pub fn area<'py>(py: Python<'py>, rles: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let areas: Vec<u32> = rles_from_python(rles)?
        .iter()
        .map(|mask| mask.area() as u32)
        .collect();
    Ok(PyArray1::from_vec(py, areas))
}

/// `_mask.toBbox`: `[x, y, w, h]` of each RLE, flattened (`float64`).
#[pyfunction]
pub fn to_bbox<'py>(
    py: Python<'py>,
    rles: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let boxes: Vec<f64> = rles_from_python(rles)?
        .iter()
        .flat_map(|mask| mask.bbox().to_array())
        .collect();
    Ok(PyArray1::from_vec(py, boxes))
}

/// `_mask.merge`: union (or intersection) of RLEs of one size.
#[pyfunction]
pub fn merge_rles<'py>(
    py: Python<'py>,
    rles: &Bound<'py, PyAny>,
    intersect: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let masks = rles_from_python(rles)?;
    let operation = if intersect {
        MergeOperation::Intersection
    } else {
        MergeOperation::Union
    };
    let merged = py.detach(|| merge(&masks, operation)).map_err(mask_error)?;
    rle_to_python(py, &merged)
}

/// Transposes a row-major `m × n` matrix into column-major order (pycocotools' layout,
/// `o[g * m + d]`).
fn column_major(values: Vec<f64>, rows: usize, columns: usize) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    for row in 0..rows {
        for column in 0..columns {
            out[column * rows + row] = values[row * columns + column];
        }
    }
    out
}

/// `_mask.iou` on RLEs: `len(dt) × len(gt)`, flattened column-major.
#[pyfunction]
pub fn iou_rles<'py>(
    py: Python<'py>,
    detections: &Bound<'py, PyAny>,
    truths: &Bound<'py, PyAny>,
    iscrowd: Vec<bool>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let detections = rles_from_python(detections)?;
    let truths = rles_from_python(truths)?;
    check_crowd_flags(&iscrowd, truths.len())?;
    let values = py.detach(|| {
        column_major(
            iou(&detections, &truths, &iscrowd),
            detections.len(),
            truths.len(),
        )
    });
    Ok(PyArray1::from_vec(py, values))
}

/// `_mask.iou` on `N × 4` boxes.
#[pyfunction]
pub fn iou_boxes<'py>(
    py: Python<'py>,
    detections: PyReadonlyArray2<'py, f64>,
    truths: PyReadonlyArray2<'py, f64>,
    iscrowd: Vec<bool>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let detections = boxes_from_array(&detections)?;
    let truths = boxes_from_array(&truths)?;
    check_crowd_flags(&iscrowd, truths.len())?;
    let values = column_major(
        bbox_iou(&detections, &truths, &iscrowd),
        detections.len(),
        truths.len(),
    );
    Ok(PyArray1::from_vec(py, values))
}

fn check_crowd_flags(iscrowd: &[bool], truths: usize) -> PyResult<()> {
    if iscrowd.len() != truths {
        return Err(PyValueError::new_err(format!(
            "iscrowd has {} flags for {truths} ground-truth objects (one per object needed)",
            iscrowd.len()
        )));
    }
    Ok(())
}

fn boxes_from_array(array: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<BBoxXywh>> {
    let view = array.as_array();
    if view.ncols() != 4 {
        return Err(PyValueError::new_err(
            "boxes must be an N×4 array of [x, y, w, h]",
        ));
    }
    Ok(view
        .rows()
        .into_iter()
        .map(|row| BBoxXywh {
            x: row[0],
            y: row[1],
            width: row[2],
            height: row[3],
        })
        .collect())
}

/// `_mask.frPoly`: one RLE per polygon (not merged).
#[pyfunction]
pub fn from_polygons<'py>(
    py: Python<'py>,
    polygons: Vec<Vec<f64>>,
    height: u32,
    width: u32,
) -> PyResult<Bound<'py, PyList>> {
    let masks = py
        .detach(|| {
            polygons
                .iter()
                .map(|polygon| {
                    // pycocotools reads `len(p) // 2` points.
                    let points = polygon.len() / 2 * 2;
                    from_polygon(&polygon[..points], height, width)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(mask_error)?;
    rles_to_python(py, &masks)
}

/// `_mask.frBbox`: one RLE per `[x, y, w, h]` row.
#[pyfunction]
pub fn from_boxes<'py>(
    py: Python<'py>,
    boxes: PyReadonlyArray2<'py, f64>,
    height: u32,
    width: u32,
) -> PyResult<Bound<'py, PyList>> {
    let boxes = boxes_from_array(&boxes)?;
    let masks = boxes
        .into_iter()
        .map(|bbox| from_bbox(bbox, height, width))
        .collect::<Result<Vec<_>, _>>()
        .map_err(mask_error)?;
    rles_to_python(py, &masks)
}

/// `_mask.frUncompressedRLE`: each `{"size", "counts": [runs]}` compressed, keeping its
/// own size (as pycocotools does, whatever `h` and `w` say).
#[pyfunction]
pub fn from_uncompressed<'py>(
    py: Python<'py>,
    objects: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for object in objects.try_iter()? {
        let object = object?;
        let (height, width) = size_from_python(&object.get_item("size")?)?;
        let runs: Vec<u32> = object.get_item("counts")?.extract()?;
        let dict = PyDict::new(py);
        dict.set_item("size", PyList::new(py, [height, width])?)?;
        dict.set_item(
            "counts",
            PyBytes::new(py, RleCounts::encode_compressed(&runs).as_bytes()),
        )?;
        list.append(dict)?;
    }
    Ok(list)
}
