//! `NativeCoco`: a COCO file read and indexed by cocoprep-coco, handing out each record
//! as the `dict` `json.load` would have made, built on first access and then kept, so
//! that in-place edits persist and every view (`anns`, `imgToAnns`,
//! `dataset["annotations"]`) shares one object per annotation, as in pycocotools.
//!
//! `getAnnIds` runs here over the typed records; annotations whose `dict` was handed out
//! are judged by that `dict`'s current values with Python's comparisons, so edits made
//! through Python change the answers exactly as they would in pycocotools.

use std::path::PathBuf;

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::{Annotation, CategoryId, Coco, ImageId, Layout, ReadError, ReadOptions};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use rustc_hash::FxHashMap;

use crate::json_to_python::loads;

/// A COCO annotation file read by cocoprep-coco.
#[pyclass(frozen, module = "cocoprep._native")]
pub struct NativeCoco {
    coco: Coco,
    /// The `dict` of each annotation, once handed out.
    annotation_dicts: Vec<PyOnceLock<Py<PyAny>>>,
}

/// Reads and indexes `path` with the GIL released.
#[pyfunction]
pub fn load(py: Python<'_>, path: PathBuf) -> PyResult<NativeCoco> {
    let coco = py
        .detach(|| Coco::open(&path, &ReadOptions::default(), &NoReporter))
        .map_err(read_error)?;
    let count = coco.dataset().annotations.len();
    Ok(NativeCoco {
        coco,
        annotation_dicts: (0..count).map(|_| PyOnceLock::new()).collect(),
    })
}

/// A missing file is `FileNotFoundError` (as `open()` raises in pycocotools); a malformed
/// one `ValueError` with the reader's message (file, line, column, record, member).
fn read_error(error: ReadError) -> PyErr {
    match error {
        ReadError::Io { path, source } => {
            let message = format!("failed to read `{}`: {source}", path.display());
            let kind = source.kind();
            let io = std::io::Error::new(kind, message);
            io.into()
        }
        other => PyValueError::new_err(other.to_string()),
    }
}

fn key_error(member: &str) -> PyErr {
    PyKeyError::new_err(member.to_owned())
}

fn json_of(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out);
    out
}

fn json_list<T>(records: &[T], write: impl Fn(&T, &mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() * 128 + 2);
    out.push(b'[');
    for (index, record) in records.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write(record, &mut out);
    }
    out.push(b']');
    out
}

/// A candidate of `getAnnIds` that passed a filter: its position, and its `dict` if one
/// was handed out (then its values decide).
type Candidates<'py> = Vec<(usize, Option<Bound<'py, PyAny>>)>;

impl NativeCoco {
    fn annotation_dict<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        let cell = &self.annotation_dicts[index];
        let dict = cell.get_or_try_init(py, || {
            let text = json_of(|out| self.coco.dataset().annotations[index].write_json(out));
            loads(py, &text).map(Bound::unbind)
        })?;
        Ok(dict.bind(py).clone())
    }

    fn handed_out<'py>(&self, py: Python<'py>, index: usize) -> Option<Bound<'py, PyAny>> {
        self.annotation_dicts[index]
            .get(py)
            .map(|dict| dict.bind(py).clone())
    }

    fn annotations(&self) -> &[Annotation] {
        &self.coco.dataset().annotations
    }
}

#[pymethods]
impl NativeCoco {
    /// Whether the file is a bare list (a results file) rather than an object.
    fn is_results_list(&self) -> bool {
        self.coco.dataset().layout == Layout::ResultsList
    }

    /// The top-level members as `(key, value)` pairs in the order the writer emits them,
    /// with `None` standing for `annotations` (the caller puts its lazy list there).
    fn top_level<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
        let dataset = self.coco.dataset();
        let mut members = Vec::new();
        if let Some(info) = &dataset.info {
            members.push((
                "info".to_owned(),
                loads(py, &json_of(|out| info.write_json(out)))?,
            ));
        }
        if dataset.sections.licenses {
            let text = json_list(&dataset.licenses, |license, out| license.write_json(out));
            members.push(("licenses".to_owned(), loads(py, &text)?));
        }
        if dataset.sections.images {
            let text = py.detach(|| json_list(&dataset.images, |image, out| image.write_json(out)));
            members.push(("images".to_owned(), loads(py, &text)?));
        }
        if dataset.sections.annotations {
            members.push(("annotations".to_owned(), py.None().into_bound(py)));
        }
        if dataset.sections.categories {
            let text = json_list(&dataset.categories, |category, out| {
                category.write_json(out)
            });
            members.push(("categories".to_owned(), loads(py, &text)?));
        }
        if let Some(extras) = dataset.extras.as_json() {
            let extras = loads(py, extras.as_bytes())?;
            for item in extras.cast::<PyDict>()?.items() {
                let (key, value): (String, Bound<'py, PyAny>) = item.extract()?;
                members.push((key, value));
            }
        }
        Ok(members)
    }

    /// How many annotations the file has.
    fn annotation_count(&self) -> usize {
        self.annotations().len()
    }

    /// The `dict` of `annotations[index]` (the same object on every call).
    fn annotation<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        if index >= self.annotations().len() {
            return Err(pyo3::exceptions::PyIndexError::new_err(
                "list index out of range",
            ));
        }
        self.annotation_dict(py, index)
    }

    /// Every annotation's `dict`, in file order.
    fn all_annotations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for index in 0..self.annotations().len() {
            list.append(self.annotation_dict(py, index)?)?;
        }
        Ok(list)
    }

    /// The `dict` of the annotation with this id (the last one if the id repeats, as in
    /// pycocotools' `anns`), or `None`.
    fn annotation_by_id<'py>(
        &self,
        py: Python<'py>,
        id: u64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self
            .coco
            .annotation_position(cocoprep_coco::AnnotationId(id))
        {
            Some(index) => self.annotation_dict(py, index).map(Some),
            None => Ok(None),
        }
    }

    /// The annotation ids in `anns` order (first occurrence of each id). Raises `KeyError`
    /// as pycocotools' `createIndex` does when an annotation has no `id`.
    fn annotation_ids(&self) -> PyResult<Vec<u64>> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut ids = Vec::with_capacity(self.annotations().len());
        for annotation in self.annotations() {
            let id = annotation.id.ok_or_else(|| key_error("id"))?;
            if seen.insert(id) {
                ids.push(id.0);
            }
        }
        Ok(ids)
    }

    /// Raises `KeyError('id')` if an annotation has no `id`, as pycocotools' `createIndex`
    /// does (panoptic files), without building the list of ids.
    fn check_annotation_ids(&self) -> PyResult<()> {
        if self
            .annotations()
            .iter()
            .any(|annotation| annotation.id.is_none())
        {
            Err(key_error("id"))
        } else {
            Ok(())
        }
    }

    /// The image ids of `imgToAnns`, in order of first appearance in `annotations`.
    fn annotated_image_ids(&self) -> Vec<u64> {
        let mut seen = rustc_hash::FxHashSet::default();
        self.annotations()
            .iter()
            .filter(|annotation| seen.insert(annotation.image_id))
            .map(|annotation| annotation.image_id.0)
            .collect()
    }

    /// Whether any annotation belongs to this image.
    fn has_annotated_image(&self, image_id: u64) -> bool {
        !self
            .coco
            .image_annotation_indexes(ImageId(image_id))
            .is_empty()
    }

    /// `imgToAnns[image_id]`: a new list of the annotations' `dict`s, in file order.
    fn image_annotations<'py>(
        &self,
        py: Python<'py>,
        image_id: u64,
    ) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for &index in self.coco.image_annotation_indexes(ImageId(image_id)) {
            list.append(self.annotation_dict(py, index as usize)?)?;
        }
        Ok(list)
    }

    /// `catToImgs` as a `dict` in pycocotools' key order (first appearance), one image id
    /// per annotation; empty unless the file has both `annotations` and `categories`.
    /// Raises `KeyError` where pycocotools' `createIndex` would.
    fn category_images<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        let sections = self.coco.dataset().sections;
        if !(sections.annotations && sections.categories) {
            return Ok(dict);
        }
        let mut slots: FxHashMap<CategoryId, usize> = FxHashMap::default();
        let mut groups: Vec<(CategoryId, Vec<u64>)> = Vec::new();
        for annotation in self.annotations() {
            let category_id = annotation
                .category_id
                .ok_or_else(|| key_error("category_id"))?;
            let slot = *slots.entry(category_id).or_insert_with(|| {
                groups.push((category_id, Vec::new()));
                groups.len() - 1
            });
            groups[slot].1.push(annotation.image_id.0);
        }
        for (category_id, images) in groups {
            dict.set_item(category_id.0, images)?;
        }
        Ok(dict)
    }

    /// `getAnnIds` with pycocotools' semantics (filters applied one after another over
    /// the candidates, `KeyError` on a missing member). `image_ids` `None` means all
    /// annotations in file order; otherwise the annotations of each image in the order
    /// given. `category_ids` holds ints (the caller checks), `area_range` two numbers,
    /// `iscrowd` the value to compare with.
    #[pyo3(signature = (image_ids, category_ids, area_range, iscrowd))]
    fn query_annotation_ids<'py>(
        &self,
        py: Python<'py>,
        image_ids: Option<Vec<u64>>,
        category_ids: Option<Bound<'py, PyList>>,
        area_range: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
        iscrowd: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let annotations = self.annotations();
        let mut candidates: Candidates<'py> = match &image_ids {
            None => (0..annotations.len())
                .map(|index| (index, self.handed_out(py, index)))
                .collect(),
            Some(image_ids) => image_ids
                .iter()
                .flat_map(|&image_id| self.coco.image_annotation_indexes(ImageId(image_id)))
                .map(|&index| (index as usize, self.handed_out(py, index as usize)))
                .collect(),
        };
        if let Some(category_objects) = &category_ids {
            let wanted: Vec<u64> = category_objects.extract()?;
            let mut kept = Vec::with_capacity(candidates.len());
            for (index, dict) in candidates {
                let keep = match &dict {
                    Some(dict) => category_objects.contains(dict.get_item("category_id")?)?,
                    None => {
                        let category_id = annotations[index]
                            .category_id
                            .ok_or_else(|| key_error("category_id"))?;
                        wanted.contains(&(category_id.0 as u64))
                    }
                };
                if keep {
                    kept.push((index, dict));
                }
            }
            candidates = kept;
        }
        if let Some((low_object, high_object)) = &area_range {
            let (low, high): (f64, f64) = (low_object.extract()?, high_object.extract()?);
            let mut kept = Vec::with_capacity(candidates.len());
            for (index, dict) in candidates {
                let keep = match &dict {
                    Some(dict) => {
                        let area = dict.get_item("area")?;
                        area.gt(low_object)? && area.lt(high_object)?
                    }
                    None => {
                        let area = annotations[index].area.ok_or_else(|| key_error("area"))?;
                        area > low && area < high
                    }
                };
                if keep {
                    kept.push((index, dict));
                }
            }
            candidates = kept;
        }
        if let Some(iscrowd_object) = &iscrowd {
            let wanted: i64 = iscrowd_object.extract()?;
            let mut kept = Vec::with_capacity(candidates.len());
            for (index, dict) in candidates {
                let keep = match &dict {
                    Some(dict) => dict.get_item("iscrowd")?.eq(iscrowd_object)?,
                    None => {
                        let crowd = annotations[index]
                            .iscrowd
                            .ok_or_else(|| key_error("iscrowd"))?;
                        i64::from(crowd) == wanted
                    }
                };
                if keep {
                    kept.push((index, dict));
                }
            }
            candidates = kept;
        }
        let ids = PyList::empty(py);
        for (index, dict) in candidates {
            match dict {
                Some(dict) => ids.append(dict.get_item("id")?)?,
                None => ids.append(annotations[index].id.ok_or_else(|| key_error("id"))?.0)?,
            }
        }
        Ok(ids)
    }
}
