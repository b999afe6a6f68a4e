//! `cocoprep webdata`: URL lists to image folders, WebDataset shards or Parquet, and
//! `cocoprep webdata status`.

mod download;
mod settings;
mod status;

pub use settings::WebdataSettings;

use super::Outcome;
use crate::cli::{WebdataArgs, WebdataCommand};
use crate::settings::GlobalSettings;

pub fn run(args: WebdataArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let WebdataArgs { command, download } = args;
    match command {
        Some(WebdataCommand::Status(args)) => {
            status::run(&status::StatusSettings::resolve(args), global)
        }
        None => {
            WebdataSettings::resolve(download).and_then(|settings| download::run(&settings, global))
        }
    }
}
