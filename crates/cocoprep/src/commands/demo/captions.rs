//! Demo step for captioning data: a Karpathy file from the sample's captions, then labels,
//! n-grams, the evaluation reference, the Uni-Perceiver split files and a subsample.

use cocoprep_captions::convert::{ImageOrder, from_coco, read_image_list, write_karpathy_file};
use cocoprep_captions::labels::{LabelsOptions, LabelsOutputs, prepare_labels};
use cocoprep_captions::ngrams::{SplitSelection, prepare_ngrams};
use cocoprep_captions::reference::prepare_reference;
use cocoprep_captions::splits::prepare_splits;
use cocoprep_captions::subsample::{DEFAULT_SEED, subsample};

use super::{DemoContext, DemoReport};

/// Karpathy's lists name val2014 images, none of which is in the sample, so the demo
/// makes lists of the same format naming two of the sample's val2017 images.
const VAL_LIST: &str = "val2017/000000397133.jpg 397133\n";
const TEST_LIST: &str = "val2017/000000229358.jpg 229358\n";

pub fn captions(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("captions")?;
    let jobs = context.global.jobs;
    let progress = context.progress;

    let val_list = folder.join("karpathy_val_images.txt");
    let test_list = folder.join("karpathy_test_images.txt");
    cocoprep_base::output::write_atomic(&val_list, VAL_LIST.as_bytes())?;
    cocoprep_base::output::write_atomic(&test_list, TEST_LIST.as_bytes())?;
    let built = from_coco(
        &[
            context.annotation("captions_train2017.json"),
            context.annotation("captions_val2017.json"),
        ],
        &read_image_list(&test_list)?,
        &read_image_list(&val_list)?,
        ImageOrder::File,
        jobs,
        progress,
    )?;
    let dataset = folder.join("dataset_coco.json");
    write_karpathy_file(&dataset, &built)?;
    report.add("Karpathy dataset file", &dataset);

    let outputs = LabelsOutputs::new(&folder.join("cocotalk.json"), &folder.join("cocotalk"));
    let options = LabelsOptions {
        word_count_threshold: 2,
        images_root: Some(context.sample.clone()),
        jobs,
        ..LabelsOptions::default()
    };
    let labels = prepare_labels(&dataset, &outputs, &options, progress)?;
    report.add("vocabulary and images (prepro_labels)", &outputs.json);
    report.add("caption labels, HDF5 (prepro_labels)", &outputs.hdf5);

    let ngrams = prepare_ngrams(
        &dataset,
        &outputs.json,
        &folder.join("coco-train"),
        &SplitSelection::from_name("train"),
        jobs,
        progress,
    )?;
    report.add("CIDEr-D document frequencies (pickle)", &ngrams.idxs_path);

    let reference_path = folder.join("coco_reference.json");
    let reference = prepare_reference(&dataset, &reference_path, jobs, progress)?;
    report.add("coco-caption evaluation reference", &reference_path);

    let split_files = prepare_splits(&dataset, &folder, jobs, progress)?;
    report.add("Uni-Perceiver split files", &folder);

    let subsample_path = folder.join("dataset_coco_50.json");
    let sampled = subsample(&dataset, &subsample_path, 0.5, DEFAULT_SEED, jobs, progress)?;
    report.add("half of the training images (coco_splits)", &subsample_path);

    Ok(format!(
        "{} images, {} captions; vocabulary of {} words; {} word n-grams over {} training images; \
         reference of {} images; {} split files; subsample keeps {} of {} training images",
        labels.images,
        labels.captions,
        labels.vocabulary,
        ngrams.word_ngrams,
        ngrams.images,
        reference.images,
        split_files.len(),
        sampled.sampled,
        sampled.training_images
    ))
}
