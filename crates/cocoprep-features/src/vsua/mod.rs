//! VSUA geometry features and graphs (ltguo19/VSUA-Captioning, Delphboy/coco-scripts).
//!
//! * [`write_geometry`] ≡ `cal_geometry_feats.py`: the box-info pickle → the pickle
//!   `{image_id: float64 (N, N, 8)}` (`PREFIX-undirected.pkl`).
//! * [`write_graphs`] ≡ `build_geometry_graph.py`: that pickle → one `.npy` per image
//!   holding `{'edges': int64 (E, 2), 'feats': float64 (E, 8)}`; or, in direct mode, the
//!   box-info pickle → the graphs, computing each image's features on the fly instead of
//!   going through the all-pairs pickle (10–25 GB for COCO, held in memory by the
//!   reference scripts).
//!
//! Differences from the reference: `--iou`/`--dist` are honoured (Delphboy's version
//! parses and ignores them); an image with one box gets the self-loop `[0, 0]` where the
//! reference crashes with `IndexError`, and one with no boxes gets no edges; an existing
//! output folder is resumed rather than refused.

pub mod box_info;
pub mod geometry;
pub mod graph;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use cocoprep_base::output::{AtomicFile, remove_stale_temporaries, write_atomic_unsynced};
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_formats::npy::NpyHeader;
use cocoprep_formats::pickle::{self, Pickle, Pickler, numpy};
use rayon::prelude::*;
use serde::Serialize;

pub use box_info::{BoxInfoError, ImageBoxes, ImageKey};
pub use geometry::{BoxCorners, FEATURES_PER_PAIR, image_features};
pub use graph::{Graph, GraphKind, GraphOptions, build_graph};

use crate::Error;

/// Images computed in parallel between two sequential writes of the geometry pickle.
const GEOMETRY_CHUNK: usize = 256;

/// `-directed` or `-undirected`, as the reference names its outputs.
fn direction(directed: bool) -> &'static str {
    if directed { "directed" } else { "undirected" }
}

/// `PREFIX-undirected.pkl` (or `-directed`).
pub fn geometry_path(prefix: &Path, directed: bool) -> PathBuf {
    append(prefix, &format!("-{}.pkl", direction(directed)))
}

/// `PREFIX-iou0.2-dist0.5-undirected`, with the thresholds as Python prints floats.
pub fn graph_folder(prefix: &Path, options: &GraphOptions) -> PathBuf {
    append(
        prefix,
        &format!(
            "-iou{}-dist{}-{}",
            python_float(options.iou),
            python_float(options.distance),
            direction(options.directed)
        ),
    )
}

fn append(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `str(float)`: the shortest repr, with `.0` for whole numbers.
fn python_float(value: f64) -> String {
    let text = format!("{value}");
    if text.contains(['.', 'e', 'n', 'i']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// Maps a file into memory.
#[expect(
    unsafe_code,
    reason = "memory-mapping is unsafe: another process could truncate the file"
)]
fn map_file(path: &Path) -> Result<memmap2::Mmap, Error> {
    let file = fs_err::File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    // SAFETY: the mapping is only read, and only while this job runs; like every tool that
    // maps its input, we rely on the file not being truncated by another process meanwhile.
    unsafe { memmap2::Mmap::map(file.file()) }.map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

fn parse_pickle<'a>(path: &Path, bytes: &'a [u8]) -> Result<Pickle<'a>, Error> {
    Pickle::parse(bytes).map_err(|error| Error::Format(error.in_file(path)))
}

/// Reads every image of a box-info pickle (in parallel).
fn read_images(path: &Path, pickle: &Pickle) -> Result<Vec<ImageBoxes>, Error> {
    let entries = box_info::entries(pickle).map_err(|source| Error::BoxInfo {
        path: path.to_owned(),
        source: Box::new(source),
    })?;
    entries
        .par_iter()
        .map(|(key, value)| box_info::read_image(*key, *value))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| Error::BoxInfo {
            path: path.to_owned(),
            source: Box::new(source),
        })
}

/// What [`write_geometry`] did.
#[derive(Clone, Debug, Serialize)]
pub struct GeometryReport {
    /// The pickle written.
    pub output: PathBuf,
    /// Images in it.
    pub images: u64,
    /// Box pairs computed.
    pub pairs: u64,
}

/// `cal_geometry_feats.py`: writes `PREFIX-undirected.pkl` (or `-directed`), a pickle of
/// `{image_id: float64 (N, N, 8)}` in the box-info pickle's order, on the rayon pool the
/// call is made in. It is written with
/// protocol 3 (Python 3; the reference's Python 3 port writes protocol 4) and streamed,
/// so memory stays at a few hundred images whatever the size of the result.
pub fn write_geometry(
    box_info: &Path,
    save_prefix: &Path,
    directed: bool,
    reporter: &dyn Reporter,
) -> Result<GeometryReport, Error> {
    let bytes = map_file(box_info)?;
    let pickle = parse_pickle(box_info, &bytes)?;
    let images = read_images(box_info, &pickle)?;
    let output = geometry_path(save_prefix, directed);
    let write_error = |source| Error::Write {
        path: output.clone(),
        source,
    };
    let file = AtomicFile::create(&output).map_err(write_error)?;
    let mut pickler =
        Pickler::with_protocol(file, numpy::NPY_PICKLE_PROTOCOL).map_err(write_error)?;
    pickler.empty_dict().map_err(write_error)?;
    let task = reporter.on_task_start(
        "computing VSUA geometry features",
        Some(images.len() as u64),
        ProgressUnit::Items,
    );
    let mut pairs = 0u64;
    for chunk in images.chunks(GEOMETRY_CHUNK) {
        let arrays = chunk
            .par_iter()
            .map(|image| {
                let count = image.boxes.len();
                let features = image_features(&image.boxes, image.width, image.height, directed);
                numpy::ndarray_f64(&[count, count, FEATURES_PER_PAIR], &features)
            })
            .collect::<Result<Vec<_>, _>>()?;
        pickler
            .set_items(chunk.iter().zip(&arrays), |pickler, (image, array)| {
                match &image.key {
                    ImageKey::Int(id) => pickler.int(*id)?,
                    ImageKey::Str(text) => pickler.str(text)?,
                }
                pickle::write(pickler, array)
            })
            .map_err(write_error)?;
        pairs += chunk
            .iter()
            .map(|image| (image.boxes.len() * image.boxes.len()) as u64)
            .sum::<u64>();
        reporter.on_task_progress(task, chunk.len() as u64);
    }
    let file = pickler.finish().map_err(write_error)?;
    file.commit().map_err(write_error)?;
    reporter.on_task_complete(task);
    Ok(GeometryReport {
        output,
        images: images.len() as u64,
        pairs,
    })
}

/// Where graphs are built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphSource {
    /// The geometry pickle written by `cal_geometry_feats.py` (or [`write_geometry`]).
    Geometry(PathBuf),
    /// The box-info pickle: features are computed per image, nothing is held.
    BoxInfo(PathBuf),
}

/// How to build graphs.
#[derive(Clone, Debug)]
pub struct GraphJobOptions {
    /// Thresholds and direction.
    pub graph: GraphOptions,
    /// Worker threads, as `-j` gave them (0 = the rayon pool's size). Informational: the
    /// work runs on the rayon pool the call is made in (see [`cocoprep_base::threads`]);
    /// to use fewer threads, call from inside your own `rayon::ThreadPool::install`.
    pub jobs: usize,
    /// Rewrite graphs that already exist.
    pub overwrite: bool,
}

/// What [`write_graphs`] did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GraphReport {
    /// The folder written.
    pub output: PathBuf,
    /// Images seen.
    pub images: u64,
    /// Graph files written in this run.
    pub written: u64,
    /// Graph files that were already complete.
    pub already_done: u64,
    /// Images where no pair passed the thresholds (fallback edge `[0, 1]`).
    pub fallback_edges: u64,
    /// Images with a single box (self-loop `[0, 0]`; the reference crashes on them).
    pub single_box: Vec<String>,
    /// Images with no boxes (no edges).
    pub no_boxes: Vec<String>,
}

/// `build_geometry_graph.py`: writes `<folder>/<image_id>.npy` for every image, where
/// `<folder>` is [`graph_folder`] of `save_prefix`.
pub fn write_graphs(
    source: &GraphSource,
    save_prefix: &Path,
    options: &GraphJobOptions,
    reporter: &dyn Reporter,
) -> Result<GraphReport, Error> {
    let input = match source {
        GraphSource::Geometry(path) | GraphSource::BoxInfo(path) => path,
    };
    let bytes = map_file(input)?;
    let pickle = parse_pickle(input, &bytes)?;
    let entries = box_info::entries(&pickle).map_err(|source| Error::BoxInfo {
        path: input.clone(),
        source: Box::new(source),
    })?;
    let folder = graph_folder(save_prefix, &options.graph);
    fs_err::create_dir_all(&folder).map_err(|source| Error::Write {
        path: folder.clone(),
        source,
    })?;
    remove_stale_temporaries(&folder);
    let task = reporter.on_task_start(
        "building VSUA geometry graphs",
        Some(entries.len() as u64),
        ProgressUnit::Items,
    );
    let written = AtomicU64::new(0);
    let already_done = AtomicU64::new(0);
    let fallback = AtomicU64::new(0);
    let single_box = Mutex::new(Vec::new());
    let no_boxes = Mutex::new(Vec::new());
    let result = entries.par_iter().try_for_each(|(key, value)| {
        let fail = |source| Error::BoxInfo {
            path: input.clone(),
            source: Box::new(source),
        };
        let image_key = ImageKey::read(*key).map_err(fail)?;
        let path = folder.join(format!("{image_key}.npy"));
        if !options.overwrite && graph_is_complete(&path) {
            already_done.fetch_add(1, Ordering::Relaxed);
            reporter.on_task_progress(task, 1);
            return Ok(());
        }
        let (features, count) = match source {
            GraphSource::BoxInfo(_) => {
                let image = box_info::read_image(*key, *value).map_err(fail)?;
                let count = image.boxes.len();
                let features = image_features(
                    &image.boxes,
                    image.width,
                    image.height,
                    options.graph.directed,
                );
                (features, count)
            }
            GraphSource::Geometry(_) => {
                let array_error = |source| {
                    fail(BoxInfoError::Array {
                        image: image_key.clone(),
                        source: Box::new(source),
                    })
                };
                let array = numpy::read_ndarray(*value).map_err(array_error)?;
                let count = match array.shape.as_slice() {
                    [n, m, FEATURES_PER_PAIR] if n == m => *n,
                    shape => {
                        return Err(fail(BoxInfoError::Shape {
                            image: image_key.clone(),
                            array: "features",
                            found: shape.to_vec(),
                            expected: "(N, N, 8)",
                        }));
                    }
                };
                let features = array.to_f64().map_err(array_error)?;
                (features, count)
            }
        };
        let graph = build_graph(&features, count, &options.graph);
        match graph.kind {
            GraphKind::Edges => {}
            GraphKind::Fallback => {
                fallback.fetch_add(1, Ordering::Relaxed);
            }
            GraphKind::SingleBox => lock(&single_box).push(image_key.to_string()),
            GraphKind::NoBoxes => lock(&no_boxes).push(image_key.to_string()),
        }
        write_atomic_unsynced(&path, &graph.to_npy()?)
            .map_err(|source| Error::Write { path, source })?;
        written.fetch_add(1, Ordering::Relaxed);
        reporter.on_task_progress(task, 1);
        Ok(())
    });
    reporter.on_task_complete(task);
    result?;
    let mut single_box = single_box.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut no_boxes = no_boxes.into_inner().unwrap_or_else(|p| p.into_inner());
    single_box.sort();
    no_boxes.sort();
    Ok(GraphReport {
        output: folder,
        images: entries.len() as u64,
        written: written.into_inner(),
        already_done: already_done.into_inner(),
        fallback_edges: fallback.into_inner(),
        single_box,
        no_boxes,
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Whether a graph file exists and holds a complete pickle of an object array.
fn graph_is_complete(path: &Path) -> bool {
    let Ok(bytes) = fs_err::read(path) else {
        return false;
    };
    let Ok((header, offset)) = NpyHeader::parse(&bytes) else {
        return false;
    };
    header.dtype == cocoprep_formats::npy::Dtype::Object
        && Pickle::parse(&bytes[offset..])
            .is_ok_and(|pickle| numpy::read_object_array(pickle.root()).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_follow_the_reference() {
        let options = GraphOptions::default();
        assert_eq!(
            graph_folder(Path::new("data/geometry"), &options),
            PathBuf::from("data/geometry-iou0.2-dist0.5-undirected")
        );
        let options = GraphOptions {
            iou: 1.0,
            distance: 0.25,
            directed: true,
        };
        assert_eq!(
            graph_folder(Path::new("g"), &options),
            PathBuf::from("g-iou1.0-dist0.25-directed")
        );
        assert_eq!(
            geometry_path(Path::new("data/geometry_feats"), false),
            PathBuf::from("data/geometry_feats-undirected.pkl")
        );
    }
}
