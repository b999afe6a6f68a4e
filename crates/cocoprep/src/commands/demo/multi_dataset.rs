//! Demo step for Uni-Perceiver's data tree: MSVD captions from a real slice of `txt_labels`,
//! Kinetics-400 from a synthetic download (empty videos in cvdfoundation's layout, labels
//! with spaces), CC3M from a real slice of the validation list and its downloaded images,
//! written under `<demo>/uniperceiver/open_source_dataset/`, then the tree
//! check on the result.

use cocoprep_base::progress::NoReporter;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::cc3m::{self, Cc3mSplit};
use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::image_check::ImageCheckLevel;
use cocoprep_datasets::tree::{self, CheckOptions, report::Status};
use cocoprep_datasets::video_classes::{self, VideoDataset};
use cocoprep_datasets::{DataRoot, msvd};

use super::{DemoContext, DemoReport};

macro_rules! msvd_file {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/msvd-slice/",
                $name
            )) as &[u8],
        )
    };
}

/// The MSVD slice (`fixtures/msvd-slice`, 16 videos).
const MSVD_FILES: [(&str, &[u8]); 4] = [
    msvd_file!("youtube_mapping.txt"),
    msvd_file!("sents_train_lc_nopunc.txt"),
    msvd_file!("sents_val_lc_nopunc.txt"),
    msvd_file!("sents_test_lc_nopunc.txt"),
];

/// The first 40 rows of Conceptual Captions' validation list
/// (`shared/data/cc3m/Validation_GCC-1.1.0-Validation.tsv`, as in `fixtures/uni-perceiver/cc3m`).
const CC3M_TSV: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/uni-perceiver/cc3m/",
    "Validation_GCC-1.1.0-Validation.tsv"
));

macro_rules! cc3m_image {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/uni-perceiver/cc3m/val_image/",
                $name
            )) as &[u8],
        )
    };
}

/// The images the downloader saved for those rows (`<row:08>.jpg`; 6 rows have none,
/// as in a real download where some URLs are dead).
const CC3M_IMAGES: [(&str, &[u8]); 34] = [
    cc3m_image!("00000000.jpg"),
    cc3m_image!("00000001.jpg"),
    cc3m_image!("00000002.jpg"),
    cc3m_image!("00000004.jpg"),
    cc3m_image!("00000005.jpg"),
    cc3m_image!("00000006.jpg"),
    cc3m_image!("00000007.jpg"),
    cc3m_image!("00000008.jpg"),
    cc3m_image!("00000009.jpg"),
    cc3m_image!("00000011.jpg"),
    cc3m_image!("00000012.jpg"),
    cc3m_image!("00000013.jpg"),
    cc3m_image!("00000014.jpg"),
    cc3m_image!("00000015.jpg"),
    cc3m_image!("00000016.jpg"),
    cc3m_image!("00000018.jpg"),
    cc3m_image!("00000019.jpg"),
    cc3m_image!("00000020.jpg"),
    cc3m_image!("00000021.jpg"),
    cc3m_image!("00000022.jpg"),
    cc3m_image!("00000023.jpg"),
    cc3m_image!("00000025.jpg"),
    cc3m_image!("00000026.jpg"),
    cc3m_image!("00000027.jpg"),
    cc3m_image!("00000028.jpg"),
    cc3m_image!("00000029.jpg"),
    cc3m_image!("00000030.jpg"),
    cc3m_image!("00000032.jpg"),
    cc3m_image!("00000033.jpg"),
    cc3m_image!("00000034.jpg"),
    cc3m_image!("00000035.jpg"),
    cc3m_image!("00000036.jpg"),
    cc3m_image!("00000037.jpg"),
    cc3m_image!("00000039.jpg"),
];

/// A synthetic Kinetics-400 download: `<split>/<label as in the CSVs>/<video>`, empty files.
const KINETICS_VIDEOS: [&str; 6] = [
    "train/abseiling/_4YTwq0-73Y_000044_000054.mp4",
    "train/abseiling/0347ZoDXyP0_000095_000105.mp4",
    "train/air drumming/-VtLx-mcPds_000012_000022.mp4",
    "train/passing American football (in game)/-L3l6MGuhTI_000010_000020.mp4",
    "val/abseiling/3E7Jib8Yq5M_000118_000128.mp4",
    "val/air drumming/2cPLjY5AWXU_000001_000011.mp4",
];

/// The datasets this step prepares (the tree check's names).
const PREPARED: [&str; 3] = ["msvd", "kinetics400", "cc3m"];

pub fn multi_dataset(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    // The step moves the synthetic download's folders into the tree, so a second run
    // starts from scratch rather than find them moved.
    let previous = context.root.join("uniperceiver");
    if previous.exists() {
        fs_err::remove_dir_all(&previous)?;
    }
    let folder = context.output_dir("uniperceiver")?;
    let root = DataRoot::resolve(&folder);
    let downloads = folder.join("downloads");
    tree::init(&root, &[])?;

    // MSVD: caption files from the real txt_labels slice; empty stand-ins for the clips.
    let txt_labels = downloads.join("msvd/txt_labels");
    fs_err::create_dir_all(&txt_labels)?;
    for (name, bytes) in MSVD_FILES {
        cocoprep_base::output::write_atomic(&txt_labels.join(name), bytes)?;
    }
    let annotations = root.path(msvd::DATASET_DIR).join(msvd::ANNOTATIONS_DIR);
    let written = msvd::prepare(&txt_labels, &annotations, InfoKey::Add)?;
    let clips = root.path(msvd::DATASET_DIR).join("YouTubeClips");
    let mapping = String::from_utf8_lossy(MSVD_FILES[0].1).into_owned();
    for line in mapping.lines() {
        if let Some(clip) = line.split_whitespace().next() {
            fs_err::write(clips.join(format!("{clip}.avi")), b"")?;
        }
    }
    report.add("MSVD caption files (msvd_preprocess)", &annotations);

    // Kinetics-400: the download's label folders moved in under the loader's names.
    let download = downloads.join("kinetics400");
    for video in KINETICS_VIDEOS {
        let path = download.join(video);
        fs_err::create_dir_all(path.parent().unwrap_or(&download))?;
        fs_err::write(&path, b"")?;
    }
    let k400 = root.path(VideoDataset::Kinetics400.dir());
    let kinetics = video_classes::prepare(VideoDataset::Kinetics400, &k400, Some(&download))?;
    report.add("Kinetics-400 CSVs, annotation.json, mapping", &k400);

    // CC3M: the validation slice and its downloaded images, prepared as `dataset cc3m`
    // does. No slice of the training list ships with cocoprep, so the same rows stand in
    // for it (the configs read both files; the format is the same).
    let cc3m_download = downloads.join("cc3m");
    let cc3m_tsv = cc3m_download.join(cc3m::VAL_TSV);
    fs_err::create_dir_all(&cc3m_download)?;
    cocoprep_base::output::write_atomic(&cc3m_tsv, CC3M_TSV)?;
    let mut cc3m_summaries = Vec::new();
    for split in [Cc3mSplit::Val, Cc3mSplit::Train] {
        let images = cc3m_download.join(split.image_folder());
        fs_err::create_dir_all(&images)?;
        for (name, bytes) in CC3M_IMAGES {
            cocoprep_base::output::write_atomic(&images.join(name), bytes)?;
        }
        cc3m_summaries.push(cc3m::prepare_cc3m(
            root.data_path(),
            split,
            &cc3m_tsv,
            Some(&images),
            LinkMode::Hard,
            ImageCheckLevel::Header,
            &NoReporter,
        )?);
    }
    report.add(
        "CC3M val_spacy.json / train_spacy.json (make_cc3m_*_json)",
        &root.path(cc3m::DIR),
    );

    let check = tree::check(
        &root,
        &CheckOptions {
            datasets: PREPARED.iter().map(|name| (*name).to_owned()).collect(),
            data_path_env: None,
        },
    )?;
    let report_path = folder.join("tree-report.json");
    let mut json = serde_json::to_string_pretty(&check)?;
    json.push('\n');
    cocoprep_base::output::write_atomic(&report_path, json.as_bytes())?;
    report.add("tree check report (cocoprep tree --json)", &report_path);
    let ok = check
        .datasets
        .iter()
        .filter(|dataset| dataset.status == Status::Ok)
        .count();
    anyhow::ensure!(
        check.problem_count() == 0,
        "the tree check found problems in the demo tree:\n{}",
        crate::commands::datasets::tree::human(&check)
    );
    let [training, validation] = kinetics.counts;
    let cc3m_val = &cc3m_summaries[0];
    Ok(format!(
        "MSVD {} captions of {} videos in 3 files; Kinetics-400 {training}+{validation} videos, {} label folders renamed; \
         CC3M {} of {} rows with a usable image; tree check: {ok}/{} datasets ok, {} problems (DATA_PATH={})",
        written.iter().map(|split| split.captions).sum::<usize>(),
        written.iter().map(|split| split.videos).sum::<usize>(),
        kinetics.renamed.len(),
        cc3m_val.written,
        cc3m_val.rows,
        check.datasets.len(),
        check.problem_count(),
        root.data_path().display()
    ))
}
