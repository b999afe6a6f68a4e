//! `cocoprep features vsua-geometry` and `cocoprep features vsua-graph`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_features::vsua::{self, GraphJobOptions, GraphOptions, GraphSource};

use crate::cli::{VsuaGeometryArgs, VsuaGraphArgs};
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct GeometrySettings {
    pub box_info: PathBuf,
    pub save_prefix: PathBuf,
    pub directed: bool,
}

impl GeometrySettings {
    pub fn resolve(args: VsuaGeometryArgs) -> Self {
        let VsuaGeometryArgs {
            box_info,
            input_file,
            save_path,
            directed,
            num_feats: _,
        } = args;
        Self {
            box_info: box_info.or(input_file).unwrap_or_default(),
            save_prefix: save_path,
            directed,
        }
    }
}

pub fn run_geometry(
    settings: &GeometrySettings,
    global: &GlobalSettings,
) -> anyhow::Result<Outcome> {
    let GeometrySettings {
        box_info,
        save_prefix,
        directed,
    } = settings;
    input_kind::check(box_info, &expected::FEATURES_VSUA_GEOMETRY)?;
    let progress = Progress::new(global);
    let report =
        vsua::write_geometry(box_info, save_prefix, *directed, &progress).with_context(|| {
            format!(
                "cannot compute geometry features from `{}`",
                box_info.display()
            )
        })?;
    output::note(
        global,
        format!(
            "{} images, {} box pairs -> {}",
            report.images,
            report.pairs,
            report.output.display()
        ),
    );
    Ok(Outcome::Success)
}

#[derive(Clone, Debug)]
pub struct GraphSettings {
    pub source: GraphSource,
    pub save_prefix: PathBuf,
    pub graph: GraphOptions,
    pub overwrite: bool,
    pub json: bool,
}

impl GraphSettings {
    pub fn resolve(args: VsuaGraphArgs) -> Self {
        let VsuaGraphArgs {
            geometry_path,
            box_info,
            save_path,
            iou,
            dist,
            directed,
            overwrite,
            json,
        } = args;
        let source = match (box_info, geometry_path) {
            (Some(box_info), _) => GraphSource::BoxInfo(box_info),
            (None, Some(prefix)) => {
                // A prefix (as the reference takes it), or the pickle itself.
                let is_pickle = prefix.extension().is_some_and(|e| e == "pkl") && prefix.is_file();
                GraphSource::Geometry(if is_pickle {
                    prefix
                } else {
                    vsua::geometry_path(&prefix, directed)
                })
            }
            (None, None) => unreachable!("clap requires one source"),
        };
        Self {
            source,
            save_prefix: save_path,
            graph: GraphOptions {
                iou,
                distance: dist,
                directed,
            },
            overwrite,
            json,
        }
    }
}

pub fn run_graph(settings: &GraphSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let GraphSettings {
        source,
        save_prefix,
        graph,
        overwrite,
        json,
    } = settings;
    match source {
        GraphSource::BoxInfo(path) => {
            input_kind::check(path, &expected::FEATURES_VSUA_GRAPH_BOX_INFO)?
        }
        GraphSource::Geometry(path) => {
            input_kind::check(path, &expected::FEATURES_VSUA_GRAPH_GEOMETRY)?
        }
    }
    let progress = Progress::new(global);
    let options = GraphJobOptions {
        graph: *graph,
        jobs: global.jobs,
        overwrite: *overwrite,
    };
    let report = vsua::write_graphs(source, save_prefix, &options, &progress)
        .context("cannot build the geometry graphs")?;
    if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    }
    output::note(
        global,
        format!(
            "{} images: {} graphs written, {} already done, {} with the fallback edge [0, 1], {} single-box (self-loop), {} without boxes -> {}",
            report.images,
            report.written,
            report.already_done,
            report.fallback_edges,
            report.single_box.len(),
            report.no_boxes.len(),
            report.output.display()
        ),
    );
    Ok(Outcome::Success)
}
