//! `cocoprep captions karpathy`: build a Karpathy dataset file.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::convert::{
    BuiltDataset, ImageOrder, from_coco, from_flickr8k, read_image_list, write_karpathy_file,
};
use cocoprep_captions::karpathy::Split;

use crate::cli::{KarpathyArgs, OrderArg};
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub enum KarpathySource {
    /// COCO caption files with Karpathy's test and val lists.
    Coco {
        captions: Vec<PathBuf>,
        test_list: PathBuf,
        val_list: PathBuf,
    },
    /// The Flickr8k text release.
    Flickr8k { folder: PathBuf },
}

#[derive(Clone, Debug)]
pub struct KarpathySettings {
    pub source: KarpathySource,
    pub order: ImageOrder,
    pub output: PathBuf,
}

impl KarpathySettings {
    pub fn resolve(args: KarpathyArgs) -> Self {
        let KarpathyArgs {
            captions,
            test_list,
            val_list,
            flickr8k,
            order,
            output,
        } = args;
        // clap requires the lists unless --flickr8k is given, and forbids them with it.
        let source = match flickr8k {
            Some(folder) => KarpathySource::Flickr8k { folder },
            None => KarpathySource::Coco {
                captions,
                test_list: test_list.unwrap_or_default(),
                val_list: val_list.unwrap_or_default(),
            },
        };
        let order = match order {
            OrderArg::File => ImageOrder::File,
            OrderArg::Id => ImageOrder::Id,
        };
        Self {
            source,
            order,
            output,
        }
    }
}

/// Builds the dataset the settings describe.
pub fn build(
    settings: &KarpathySettings,
    global: &GlobalSettings,
    progress: &Progress,
) -> anyhow::Result<BuiltDataset> {
    let built = match &settings.source {
        KarpathySource::Coco {
            captions,
            test_list,
            val_list,
        } => {
            input_kind::check_all(captions, &expected::CAPTIONS_KARPATHY)?;
            input_kind::check(test_list, &expected::CAPTIONS_KARPATHY_LIST)?;
            input_kind::check(val_list, &expected::CAPTIONS_KARPATHY_LIST)?;
            let test = read_image_list(test_list)?;
            let val = read_image_list(val_list)?;
            from_coco(captions, &test, &val, settings.order, global.jobs, progress)?
        }
        KarpathySource::Flickr8k { folder } => {
            input_kind::check(folder, &expected::CAPTIONS_KARPATHY_FLICKR8K)?;
            from_flickr8k(folder, settings.order)?
        }
    };
    Ok(built)
}

pub fn run(settings: &KarpathySettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let progress = Progress::new(global);
    let built = build(settings, global, &progress).context("cannot build the Karpathy dataset")?;
    write_karpathy_file(&settings.output, &built)?;
    output::note(
        global,
        describe(&built, &settings.output.display().to_string()),
    );
    Ok(Outcome::Success)
}

/// What was built, for people.
pub fn describe(built: &BuiltDataset, output: &str) -> String {
    let mut message = format!(
        "{} images ({} train, {} restval, {} val, {} test), {} sentences in {output}",
        built.images.len(),
        built.count(&Split::Train),
        built.count(&Split::Restval),
        built.count(&Split::Val),
        built.count(&Split::Test),
        built.sentences(),
    );
    if built.empty_captions > 0 {
        message.push_str(&format!(
            "\nleft out {} captions with no words after tokenization",
            built.empty_captions
        ));
    }
    if built.images_without_captions > 0 {
        message.push_str(&format!(
            "\nleft out {} images without captions",
            built.images_without_captions
        ));
    }
    if built.listed_but_missing > 0 {
        message.push_str(&format!(
            "\n{} images of the split lists are not in the inputs",
            built.listed_but_missing
        ));
    }
    message
}
