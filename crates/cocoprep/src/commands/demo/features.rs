//! Demo step for region features: a bottom-up TSV made from the sample, converted as
//! `make_bu_data.py` does (files, LMDB and HDF5), then VSUA's geometry and graphs.
//!
//! Real bottom-up features come from a Faster R-CNN that is not part of cocoprep, so the
//! TSV uses the sample's real ids, image sizes and annotation boxes with synthetic,
//! deterministic 2048-d features (non-negative, half zeros, like ReLU outputs).

use std::collections::BTreeMap;

use cocoprep_coco::{ReadOptions, read_dataset};
use cocoprep_features::butd::{self, ButdOptions, StoreKind, row::encode_row};
use cocoprep_features::vsua::{
    self, BoxCorners, GraphJobOptions, GraphOptions, GraphSource, ImageBoxes, ImageKey,
};

use super::{DemoContext, DemoReport};

/// Bottom-up features have 10 to 100 boxes per image.
const MIN_BOXES: usize = 10;
const MAX_BOXES: usize = 100;
const FEATURE_SIZE: usize = 2048;

struct SampleImage {
    width: u32,
    height: u32,
    boxes: Vec<[f32; 4]>,
}

fn sample_images(context: &DemoContext) -> anyhow::Result<BTreeMap<u64, SampleImage>> {
    let mut images = BTreeMap::new();
    for name in ["instances_train2017.json", "instances_val2017.json"] {
        let dataset = read_dataset(
            &context.annotation(name),
            &ReadOptions {
                jobs: context.global.jobs,
            },
            context.progress,
        )?;
        for image in &dataset.images {
            let (width, height) = image.size().unwrap_or((640, 480));
            images.insert(
                image.id.0,
                SampleImage {
                    width,
                    height,
                    boxes: Vec::new(),
                },
            );
        }
        for annotation in &dataset.annotations {
            if let (Some(image), Some(bbox)) =
                (images.get_mut(&annotation.image_id.0), annotation.bbox)
            {
                let corners = [bbox.x, bbox.y, bbox.x + bbox.width, bbox.y + bbox.height];
                image.boxes.push(corners.map(|v| v as f32));
            }
        }
    }
    for image in images.values_mut() {
        image.boxes.truncate(MAX_BOXES);
        // Pad with a grid of regions, as the detector's low-confidence boxes would.
        let (w, h) = (image.width as f32, image.height as f32);
        let mut cell = 0;
        while image.boxes.len() < MIN_BOXES {
            let (column, row) = ((cell % 3) as f32, (cell / 3 % 3) as f32);
            image.boxes.push([
                column * w / 3.0,
                row * h / 3.0,
                (column + 1.0) * w / 3.0 - 1.0,
                (row + 1.0) * h / 3.0 - 1.0,
            ]);
            cell += 1;
        }
    }
    Ok(images)
}

/// Deterministic non-negative features: half exact zeros, the rest spread like ReLU
/// outputs.
fn synthetic_features(image_id: u64, count: usize) -> Vec<f32> {
    let mut state = image_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if state & 1 == 0 {
                0.0
            } else {
                let uniform = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                (-uniform.ln() * 2.35) as f32
            }
        })
        .collect()
}

pub fn features(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("features")?;
    let images = sample_images(context)?;
    let mut tsv = String::new();
    for (&id, image) in &images {
        let features = synthetic_features(id, image.boxes.len() * FEATURE_SIZE);
        tsv.push_str(&encode_row(
            id,
            image.width,
            image.height,
            &image.boxes,
            &features,
        ));
    }
    let tsv_path = folder.join("sample_resnet101_faster_rcnn_genome.tsv");
    cocoprep_base::output::write_atomic(&tsv_path, tsv.as_bytes())?;
    report.add("bottom-up TSV (synthetic features)", &tsv_path);

    let prefix = folder.join("cocobu");
    let mut written = 0;
    for store in [StoreKind::Files, StoreKind::Lmdb, StoreKind::Hdf5] {
        let options = ButdOptions {
            output_prefix: prefix.clone(),
            store,
            jobs: context.global.jobs,
            ..ButdOptions::default()
        };
        let result = butd::convert(std::slice::from_ref(&tsv_path), &options, context.progress)?;
        anyhow::ensure!(
            result.failures.is_empty(),
            "the sample TSV should convert cleanly"
        );
        written = result.written + result.already_done;
        let (what, extension) = match store {
            StoreKind::Files => ("att/fc/box files (make_bu_data.py)", ""),
            StoreKind::Lmdb => ("att/fc/box LMDB (dump_to_lmdb.py)", ".lmdb"),
            StoreKind::Hdf5 => ("att/fc/box HDF5 (dump_to_h5df.py)", ".h5"),
        };
        report.add(what, &butd::output_path(&prefix, "{att,fc,box}", extension));
    }

    let boxes: Vec<ImageBoxes> = images
        .iter()
        .map(|(&id, image)| ImageBoxes {
            key: ImageKey::Int(id as i64),
            boxes: image
                .boxes
                .iter()
                .map(|corners| BoxCorners {
                    corners: corners.map(f64::from),
                    float32: true,
                })
                .collect(),
            width: f64::from(image.width),
            height: f64::from(image.height),
        })
        .collect();
    let box_info = folder.join("vsua_box_info.pkl");
    cocoprep_base::output::write_atomic(&box_info, &vsua::box_info::to_pickle(&boxes)?)?;
    let jobs = context.global.jobs;
    let geometry = vsua::write_geometry(
        &box_info,
        &folder.join("geometry_feats"),
        false,
        context.progress,
    )?;
    report.add("VSUA geometry features (pickle)", &geometry.output);
    let graphs = vsua::write_graphs(
        &GraphSource::BoxInfo(box_info),
        &folder.join("geometry"),
        &GraphJobOptions {
            graph: GraphOptions::default(),
            jobs,
            overwrite: false,
        },
        context.progress,
    )?;
    report.add("VSUA geometry graphs (one .npy per image)", &graphs.output);
    Ok(format!(
        "{written} images, {} boxes: att/fc/box as files, LMDB and HDF5; {} geometry graphs ({} with the fallback edge)",
        boxes.iter().map(|image| image.boxes.len()).sum::<usize>(),
        graphs.images,
        graphs.fallback_edges
    ))
}
