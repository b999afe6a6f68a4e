//! `cocoprep features ...`: region features for captioning models.

pub mod butd;
pub mod resnet;
pub mod vsua;

use cocoprep_features::store::StoreKind;

use super::Outcome;
use super::cluster::{ClusterMode, ClusterSettings};
use crate::cli::{FeaturesArgs, FeaturesCommand, StoreArg};
use crate::settings::GlobalSettings;

/// `--store` of `features butd` and `features resnet`.
fn store_kind(store: StoreArg) -> StoreKind {
    match store {
        StoreArg::Files => StoreKind::Files,
        StoreArg::Lmdb => StoreKind::Lmdb,
        StoreArg::Hdf5 => StoreKind::Hdf5,
    }
}

/// The databases have one writer each: parallel shards cannot share them.
fn ensure_store_can_shard(store: StoreKind, cluster: &ClusterSettings) -> anyhow::Result<()> {
    if cluster.shard().is_some() || matches!(cluster.mode, ClusterMode::Emit { .. }) {
        anyhow::ensure!(
            store == StoreKind::Files,
            "--store {} writes one file per kind, which parallel shards cannot share; \
             shard with --store files (the default), or run in one process",
            store.name()
        );
    }
    Ok(())
}

pub fn run(args: FeaturesArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let FeaturesArgs { command } = args;
    match command {
        FeaturesCommand::Butd(args) => {
            butd::ButdSettings::resolve(args).and_then(|settings| butd::run(&settings, global))
        }
        FeaturesCommand::VsuaGeometry(args) => {
            vsua::run_geometry(&vsua::GeometrySettings::resolve(args), global)
        }
        FeaturesCommand::Resnet(args) => resnet::ResnetSettings::resolve(args)
            .and_then(|settings| resnet::run(&settings, global)),
        FeaturesCommand::VsuaGraph(args) => {
            vsua::run_graph(&vsua::GraphSettings::resolve(args), global)
        }
    }
}
