//! `cocoprep targets PRESET -o DIR` and `cocoprep targets names NAMES.txt -o OUT.pkl`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cocoprep_targets::ClipTokenizer;
use cocoprep_targets::targets::{self, Preset, TargetFile};
use cocoprep_targets::torch_pickle::TargetEntry;

use super::Outcome;
use crate::cli::{NamesArgs, PresetArg, TargetsArgs, TargetsCommand};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub enum TargetsSettings {
    Preset {
        preset: Preset,
        output: PathBuf,
        input: Option<PathBuf>,
        json: bool,
    },
    Names {
        names: PathBuf,
        output: PathBuf,
        json: Option<PathBuf>,
    },
}

impl TargetsSettings {
    pub fn resolve(args: TargetsArgs) -> anyhow::Result<Self> {
        let TargetsArgs {
            command,
            preset,
            output,
            input,
            json,
        } = args;
        if let Some(TargetsCommand::Names(NamesArgs {
            names,
            output,
            json,
        })) = command
        {
            return Ok(Self::Names {
                names,
                output,
                json,
            });
        }
        let preset = match preset.context("a target set is required")? {
            PresetArg::Imagenet1k => Preset::Imagenet1k,
            PresetArg::K400 => Preset::K400,
            PresetArg::K700 => Preset::K700,
            PresetArg::Mit => Preset::Mit,
            PresetArg::Vocab => Preset::Vocab,
            PresetArg::Glue => Preset::Glue,
            PresetArg::Imagenet22k => Preset::Imagenet22k,
            PresetArg::Vqa => Preset::Vqa,
        };
        let needs_input = matches!(preset, Preset::Imagenet22k | Preset::Vqa);
        anyhow::ensure!(
            needs_input == input.is_some(),
            "{}",
            if needs_input {
                "this target set is built from --input FILE"
            } else {
                "--input is only for imagenet22k and vqa"
            }
        );
        Ok(Self::Preset {
            preset,
            output: output.context("--output DIR is required")?,
            input,
            json,
        })
    }
}

pub fn run(settings: &TargetsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let shared_tokenizer = || ClipTokenizer::shared().map_err(|error| anyhow::anyhow!("{error}"));
    match settings {
        TargetsSettings::Preset {
            preset,
            output,
            input,
            json,
        } => {
            let files = targets::build(shared_tokenizer()?, *preset, input.as_deref())?;
            for TargetFile { path, data } in files {
                let path = output.join(path);
                let json_path = json.then(|| path.with_extension("json"));
                write(&path, &data, json_path.as_deref(), global)?;
            }
        }
        TargetsSettings::Names {
            names,
            output,
            json,
        } => {
            create_parent(output)?;
            let count = cocoprep_targets::names::write_names_file(names, output, json.as_deref())?;
            output::note(
                global,
                format_args!("wrote {} ({count} entries)", output.display()),
            );
        }
    }
    Ok(Outcome::Success)
}

fn write(
    path: &Path,
    data: &[TargetEntry],
    json: Option<&Path>,
    global: &GlobalSettings,
) -> anyhow::Result<()> {
    create_parent(path)?;
    targets::write_with_json(path, data, json)?;
    output::note(
        global,
        format_args!("wrote {} ({} entries)", path.display(), data.len()),
    );
    Ok(())
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent)?;
    }
    Ok(())
}
