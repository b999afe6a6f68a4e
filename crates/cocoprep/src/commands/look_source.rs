//! What `show`, `view` and `inspect --html` look at: a COCO annotation file, a YOLO
//! dataset (its `data.yaml`) or a Karpathy captions file, read into one indexed COCO
//! dataset, and the folder its images are in.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cocoprep_captions::karpathy::{Fields, ReadOptions as KarpathyReadOptions, read_karpathy};
use cocoprep_coco::{
    Annotation, AnnotationId, Coco, Dataset, Image, ImageId, ReadOptions, read_dataset,
};
use cocoprep_convert::dataset::SplitImages;
use cocoprep_convert::to_coco::{CategoryIds, split_to_coco};
use cocoprep_formats::dataset_yaml::DatasetYaml;

use crate::input_kind::{Kind, sniff};
use crate::progress::Progress;
use crate::settings::GlobalSettings;

/// A dataset ready to be looked at.
pub struct LookSource {
    /// The annotations, indexed.
    pub coco: Coco,
    /// Where the images named by `file_name` are, when known.
    pub images_dir: Option<PathBuf>,
    /// The file (and split) it came from, for titles.
    pub title: String,
}

/// Reads `path`: a `.yaml`/`.yml` is a YOLO dataset (its `split`, default `val`, else the
/// first), a Karpathy file becomes images with their captions, anything else is read as
/// COCO. `images` overrides the image folder, which is otherwise guessed.
pub fn open(
    path: &Path,
    images: Option<&Path>,
    split: Option<&str>,
    global: &GlobalSettings,
) -> anyhow::Result<LookSource> {
    let progress = Progress::new(global);
    let is_yaml = path
        .extension()
        .is_some_and(|extension| extension == "yaml" || extension == "yml");
    if is_yaml {
        return open_yolo(path, images, split, &progress);
    }
    anyhow::ensure!(
        split.is_none(),
        "--split chooses a split of a YOLO dataset; `{}` is not a YAML file",
        path.display()
    );
    let kind = sniff(path).map(|sniffed| sniffed.kind).ok();
    let dataset = if kind == Some(Kind::KarpathyDataset) {
        karpathy_dataset(path, global, &progress)?
    } else {
        read_dataset(path, &ReadOptions { jobs: global.jobs }, &progress)
            .with_context(|| format!("cannot read `{}`", path.display()))?
    };
    let images_dir = match images {
        Some(dir) => Some(dir.to_owned()),
        None => guess_images_dir(path, &dataset),
    };
    Ok(LookSource {
        coco: Coco::new(dataset),
        images_dir,
        title: path.display().to_string(),
    })
}

fn open_yolo(
    yaml: &Path,
    images: Option<&Path>,
    split: Option<&str>,
    progress: &Progress,
) -> anyhow::Result<LookSource> {
    let description = DatasetYaml::read(yaml)?;
    let root = description
        .path
        .clone()
        .map(|root| {
            if root.is_absolute() {
                root
            } else {
                yaml.parent().unwrap_or(Path::new(".")).join(root)
            }
        })
        .unwrap_or_else(|| yaml.parent().unwrap_or(Path::new(".")).to_owned());
    let entries = description.split_entries();
    let wanted = split.unwrap_or("val");
    let (key, entry) = entries
        .iter()
        .find(|(key, _)| *key == wanted)
        .or_else(|| {
            if split.is_none() {
                entries.first()
            } else {
                None
            }
        })
        .with_context(|| format!("`{}` has no `{wanted}` split", yaml.display()))?;
    let split_images = SplitImages::read(&root, entry)
        .with_context(|| format!("cannot list the `{key}` images of `{}`", yaml.display()))?;
    let dataset = split_to_coco(
        &split_images,
        &description.names,
        description.kpt_shape,
        CategoryIds::Sequential,
        progress,
    )
    .with_context(|| format!("cannot read the `{key}` labels of `{}`", yaml.display()))?;
    Ok(LookSource {
        coco: Coco::new(dataset),
        images_dir: Some(images.map_or_else(|| split_images.base.clone(), Path::to_owned)),
        title: format!("{} ({key})", yaml.display()),
    })
}

/// A Karpathy file as COCO: one image per record (`cocoid`, else its position + 1;
/// `file_name` = `filepath/filename`) and one caption annotation per sentence.
fn karpathy_dataset(
    path: &Path,
    global: &GlobalSettings,
    progress: &Progress,
) -> anyhow::Result<Dataset> {
    let options = KarpathyReadOptions {
        jobs: global.jobs,
        fields: Fields {
            tokens: false,
            raw: true,
            sentids: false,
        },
    };
    let karpathy = read_karpathy(path, &options, progress)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut dataset = Dataset::default();
    let mut next_id = 1;
    for (index, record) in karpathy.images().iter().enumerate() {
        let id = ImageId(
            record
                .cocoid
                .and_then(|id| u64::try_from(id).ok())
                .unwrap_or(index as u64 + 1),
        );
        let file_name = match (&record.filepath, &record.filename) {
            (Some(folder), Some(name)) => Some(format!("{folder}/{name}")),
            (None, name) => name.clone(),
            (Some(_), None) => None,
        };
        dataset.images.push(Image {
            id,
            file_name,
            ..Image::default()
        });
        for sentence in karpathy.sentences(record) {
            let mut annotation = Annotation::new(id);
            annotation.id = Some(AnnotationId(next_id));
            next_id += 1;
            annotation.caption = sentence.raw().map(str::to_owned);
            dataset.annotations.push(annotation);
        }
    }
    Ok(dataset)
}

/// Where the images probably are: the first folder among the annotation file's folder,
/// its parent, and the parent's `<split>` folder (`annotations/instances_val2017.json` →
/// `val2017/`) that holds the first image's `file_name`.
pub fn guess_images_dir(annotations: &Path, dataset: &Dataset) -> Option<PathBuf> {
    let first = dataset
        .images
        .iter()
        .find_map(|image| image.file_name.as_deref())?;
    let folder = annotations.parent().unwrap_or(Path::new("."));
    let parent = folder.parent().unwrap_or(Path::new("."));
    let stem = annotations.file_stem()?.to_string_lossy().into_owned();
    let split = stem.rsplit('_').next().unwrap_or(&stem).to_owned();
    let candidates = [
        folder.to_owned(),
        parent.to_owned(),
        parent.join(&split),
        folder.join(&split),
        parent.join("images").join(&split),
    ];
    candidates
        .into_iter()
        .find(|candidate| candidate.join(first).is_file())
}
