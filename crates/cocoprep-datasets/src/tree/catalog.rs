//! Everything the tree check knows, in one table: for each dataset of Uni-Perceiver's
//! configs, the files and folders they read (relative to `open_source_dataset/`), the format
//! each must have, the names people get wrong, the loader caches built from them, and the
//! command that fixes each.
//!
//! Sources: `shared/specs/multi-dataset-and-web-scale.md` §1.1 (tree), §1.4 (formats and
//! caches, from `uniperceiver/datasets/task_dataset/*.py`), §1.5 (known wrong names).
//! Fix commands use `{root}` (the `DATA_PATH`) and `{osd}` (`{root}/open_source_dataset`).

use crate::video_classes::VideoDataset;
use crate::{bookswiki, glue, imagenet, msrvtt, msvd};

/// One dataset's entry.
#[derive(Clone, Debug)]
pub struct DatasetEntry {
    /// The name `--dataset` takes (and the `cocoprep dataset` command's name).
    pub name: &'static str,
    /// How people call it.
    pub title: &'static str,
    /// Its main folder (empty for files directly in `open_source_dataset/`).
    pub folder: &'static str,
    /// What the configs read.
    pub items: Vec<Item>,
    /// Names people (or the scripts, or the docs) use instead of the right ones.
    pub wrong_names: Vec<WrongName>,
    /// The loader's cache pickles and what they are built from.
    pub caches: Vec<CacheRule>,
    /// Folders `--init` creates (besides each item's parent folder).
    pub folders: Vec<String>,
}

/// One file or folder the configs read.
#[derive(Clone, Debug)]
pub struct Item {
    /// Relative to `open_source_dataset/`.
    pub path: String,
    /// What must be there.
    pub kind: ItemKind,
    /// The command (or action) that creates it.
    pub fix: String,
    /// Read only by some configs (the v2 corpus): checked when present, never missing.
    pub optional: bool,
}

/// What kind of thing an [`Item`] is.
#[derive(Clone, Debug)]
pub enum ItemKind {
    /// A file with this format.
    File(Format),
    /// A folder holding at least one entry (images, videos).
    Folder,
    /// A split folder of video label folders, named as the loader asserts.
    LabelFolders(VideoDataset),
    /// A symbolic link a config path needs, to this target (relative to the link's folder):
    /// `.` works around the video loaders' path bug, a folder name gives a dataset the second
    /// name some configs read it under.
    Link(&'static str),
}

/// The formats the check recognises (reading only the head of big files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `{"images": [...], "annotations": [...]}` with these keys in the first image, and the
    /// `info` key pycocotools needs.
    CocoCaptions(&'static [&'static str]),
    /// Karpathy's `dataset_coco.json`.
    Karpathy,
    /// JSON lines `{"image": "<prefix>.zip@/00000000.jpg", "caption": [tokens]}`.
    CaptionLines {
        /// `train_image` or `val_image`.
        image_prefix: &'static str,
    },
    /// SBU's `{"<name>.jpg": "<caption>", ...}`.
    SbuDict,
    /// `{"phrase": {...}, "subset": {...}}`.
    VgCaptions,
    /// ViLBERT jsonlines `{"sentences": [...], "id": N, "img_path": "N.jpg"}`.
    FlickrLines,
    /// `<class name>\t<index>` lines, this many.
    CategoryMapping(usize),
    /// `{"database": {"<file>": {"subset": ..., "annotations": {"label": ...}}}}`, labels
    /// of this dataset in the loader's form.
    VideoAnnotation(VideoDataset),
    /// ImageNet's `<relative path> <class id>` lines, images under `imagenet/<stage>/`.
    ImageList(&'static str),
    /// ImageNet-22k's `<wnid> <num> <class id>` lines.
    Imagenet22kList,
    /// A fairseq-processed GLUE TSV (no header line).
    GlueTsv,
    /// A pickle (protocol 2 or later).
    Pickle,
    /// A JSON document.
    Json,
    /// YFCC's JSON lines `{"image": ..., "caption": ..., "title": "...", "description": "..."}`
    /// (`RANDOM_CAPTION: True` reads title and description as strings).
    YfccLines,
    /// The v2 Books & Wiki corpus: its non-empty line count (recorded by cocoprep when it
    /// wrote it) must be the loader's hard-coded length.
    BookswikiV2,
    /// A non-empty text file.
    Text,
}

/// A name used instead of the right one.
#[derive(Clone, Debug)]
pub struct WrongName {
    /// The wrong path (relative to `open_source_dataset/`).
    pub found: String,
    /// The path the configs read.
    pub expected: String,
    /// Where the wrong name comes from.
    pub origin: &'static str,
}

/// The cache pickles a loader writes into `folder` (names starting with `prefix`, ending
/// in `.pkl`), built from `sources`; the loader never rebuilds them.
#[derive(Clone, Debug)]
pub struct CacheRule {
    /// Relative to `open_source_dataset/`.
    pub folder: String,
    /// The file names' start.
    pub prefix: &'static str,
    /// The annotation files the cache is built from.
    pub sources: Vec<String>,
}

/// `train2014/, val2014/` for a fix string.
fn folder_list(folders: &[&str]) -> String {
    folders
        .iter()
        .map(|folder| format!("{folder}/"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn file(path: impl Into<String>, format: Format, fix: impl Into<String>) -> Item {
    Item {
        path: path.into(),
        kind: ItemKind::File(format),
        fix: fix.into(),
        optional: false,
    }
}

fn folder(path: impl Into<String>, fix: impl Into<String>) -> Item {
    Item {
        path: path.into(),
        kind: ItemKind::Folder,
        fix: fix.into(),
        optional: false,
    }
}

fn link(path: String, target: &'static str) -> Item {
    let fix = format!("ln -s {target} {{osd}}/{path}");
    Item {
        path,
        kind: ItemKind::Link(target),
        fix,
        optional: false,
    }
}

fn wrong(found: impl Into<String>, expected: impl Into<String>, origin: &'static str) -> WrongName {
    WrongName {
        found: found.into(),
        expected: expected.into(),
        origin,
    }
}

fn cache(folder: impl Into<String>, prefix: &'static str, sources: &[&str]) -> CacheRule {
    CacheRule {
        folder: folder.into(),
        prefix,
        sources: sources.iter().map(|source| (*source).to_owned()).collect(),
    }
}

const TARGET_FILES: [(&str, &str); 7] = [
    ("vocabulary_CLIP_with_endoftext.pkl", "vocab"),
    ("imagenet_class_name_CLIP_with_endoftext.pkl", "imagenet1k"),
    (
        "imagenet_22k_class_name_CLIP_with_endoftext.pkl",
        "imagenet22k --input <imagenet-22k class names.txt>",
    ),
    ("k400_class_name_CLIP_with_endoftext.pkl", "k400"),
    ("k700_class_name_CLIP_with_endoftext.pkl", "k700"),
    ("MiT_class_name_CLIP_with_endoftext.pkl", "mit"),
    (
        "VQA_Answers_CLIP_with_endoftext.pkl",
        "vqa --input {osd}/VQA/trainval_label2ans.pkl",
    ),
];

/// The GLUE tasks the configs train (each with a class-name target set).
pub const GLUE_TASKS: [&str; 7] = ["SST-2", "CoLA", "RTE", "MRPC", "QQP", "QNLI", "MNLI"];

fn targets() -> DatasetEntry {
    let mut items: Vec<Item> = TARGET_FILES
        .iter()
        .map(|(name, preset)| {
            file(
                *name,
                Format::Pickle,
                format!("cocoprep targets {preset} -o {{osd}}"),
            )
        })
        .collect();
    let mut wrong_names = Vec::new();
    for task in GLUE_TASKS {
        let name = format!("{task}_class_name_CLIP_with_endoftext.pkl");
        items.push(file(
            format!("GLUE_classnames/{name}"),
            Format::Pickle,
            "cocoprep targets glue -o {osd}",
        ));
        wrong_names.push(wrong(
            format!("{}/{name}", glue::GLUE_DIR),
            format!("GLUE_classnames/{name}"),
            "tools/generate_target_sets.ipynb writes the GLUE class pickles next to the data",
        ));
    }
    DatasetEntry {
        name: "targets",
        title: "CLIP target sets",
        folder: "",
        items,
        wrong_names,
        caches: Vec::new(),
        folders: vec!["GLUE_classnames".to_owned()],
    }
}

fn coco() -> DatasetEntry {
    let fix = &format!(
        "cocoprep dataset coco <{}> --images <COCO folder with {}> --root {{root}}",
        crate::coco::KARPATHY_FILE,
        folder_list(&crate::coco::IMAGE_FOLDERS)
    );
    let annotations = "mscoco_dataset/new_annotations";
    let captions = |name: &str| {
        file(
            format!("{annotations}/{name}"),
            Format::CocoCaptions(&["file_name", "file_path", "id"]),
            fix,
        )
    };
    DatasetEntry {
        name: "coco",
        title: "MSCOCO captions (Karpathy splits)",
        folder: "mscoco_dataset",
        items: vec![
            captions("captions_train113k.json"),
            captions("captions_val5k.json"),
            captions("captions_test5k.json"),
            file(
                format!("{annotations}/dataset_coco.json"),
                Format::Karpathy,
                fix,
            ),
            folder("mscoco_dataset/coco_origin/train2014", fix),
            folder("mscoco_dataset/coco_origin/val2014", fix),
        ],
        wrong_names: Vec::new(),
        caches: vec![cache(
            format!("{annotations}/cache"),
            "mscoco_caption_w_testcap_",
            &[
                "mscoco_dataset/new_annotations/captions_train113k.json",
                "mscoco_dataset/new_annotations/captions_val5k.json",
                "mscoco_dataset/new_annotations/captions_test5k.json",
            ],
        )],
        folders: Vec::new(),
    }
}

fn visual_genome() -> DatasetEntry {
    let fix = &format!(
        "cocoprep dataset visual-genome <region_descriptions.json> --images <folder with {}> --root {{root}}",
        folder_list(&crate::visual_genome::IMAGE_FOLDERS)
    );
    let source = "visual_genome/annotations/vg_captions_128filter.json";
    DatasetEntry {
        name: "visual-genome",
        title: "Visual Genome region captions",
        folder: "visual_genome",
        items: vec![
            file(source, Format::VgCaptions, fix),
            folder("visual_genome/images/VG_100K", fix),
            folder("visual_genome/images/VG_100K_2", fix),
        ],
        wrong_names: Vec::new(),
        caches: vec![cache(
            "visual_genome/annotations/cache",
            "vg_caption_spe_raw_",
            &[source],
        )],
        folders: Vec::new(),
    }
}

fn flickr30k() -> DatasetEntry {
    let fix = "cocoprep dataset flickr30k <folder with the ViLBERT all_data_final_*.jsonline> --images <flickr30k_images> --root {root}";
    let lines = [
        "flickr30k/all_data_final_train_2014.jsonline",
        "flickr30k/all_data_final_val_set0_2014.jsonline",
        "flickr30k/all_data_final_test_set0_2014.jsonline",
    ];
    let mut items: Vec<Item> = lines
        .iter()
        .map(|path| file(*path, Format::FlickrLines, fix))
        .collect();
    for split in ["train", "val", "test"] {
        items.push(file(
            format!("flickr30k/captions_{split}.json"),
            Format::CocoCaptions(&["filename", "id"]),
            fix,
        ));
    }
    items.push(folder(
        "flickr30k_images/flickr30k_images/flickr30k_images",
        fix,
    ));
    DatasetEntry {
        name: "flickr30k",
        title: "Flickr30k",
        folder: "flickr30k",
        items,
        wrong_names: Vec::new(),
        caches: vec![cache("flickr30k/cache", "RetrievalFlickr30k_raw_", &lines)],
        folders: Vec::new(),
    }
}

fn sbu() -> DatasetEntry {
    let fix = &format!(
        "cocoprep dataset sbu <{}> <{}> --images <downloaded images> --root {{root}}",
        crate::sbu::URLS_FILE,
        crate::sbu::CAPTIONS_FILE
    );
    let source = "sbucaption/annotations/subcaption.json";
    DatasetEntry {
        name: "sbu",
        title: "SBU Captions",
        folder: "sbucaption",
        items: vec![file(source, Format::SbuDict, fix)],
        wrong_names: vec![
            wrong(
                "sbucaption/annotations/sbucaptions.json",
                source,
                "data/prepare_data.md names it sbucaptions.json",
            ),
            wrong(
                "sbucaption/sbucaptions.json",
                source,
                "data/prepare_data.md names it sbucaptions.json",
            ),
        ],
        caches: vec![cache("sbucaption/cache", "spe_cache_", &[source])],
        folders: Vec::new(),
    }
}

fn cc3m() -> DatasetEntry {
    let train = "cc3m/train_spacy.json";
    let val = "cc3m/val_spacy.json";
    DatasetEntry {
        name: "cc3m",
        title: "Conceptual Captions 3M",
        folder: "cc3m",
        items: vec![
            file(
                train,
                Format::CaptionLines {
                    image_prefix: "train_image",
                },
                format!(
                    "cocoprep dataset cc3m <{}> --split train --images <downloaded images> --root {{root}}",
                    crate::cc3m::TRAIN_TSV
                ),
            ),
            file(
                val,
                Format::CaptionLines {
                    image_prefix: "val_image",
                },
                format!(
                    "cocoprep dataset cc3m <{}> --split val --images <downloaded images> --root {{root}}",
                    crate::cc3m::VAL_TSV
                ),
            ),
        ],
        wrong_names: vec![
            wrong(
                "cc3m/train.json",
                train,
                "make_cc3m_train_json.py writes train.json",
            ),
            wrong(
                "cc3m/val.json",
                val,
                "make_cc3m_val_json.py writes val.json",
            ),
        ],
        caches: vec![cache("cc3m/cache", "spe_cache_", &[train, val])],
        folders: Vec::new(),
    }
}

fn cc12m() -> DatasetEntry {
    let source = "c12m/train_available.json";
    let origin = "Uni-Perceiver's CC12M scripts (copies of the CC3M ones) write cc12m/train.json";
    DatasetEntry {
        name: "cc12m",
        title: "Conceptual 12M",
        folder: "c12m",
        items: vec![file(
            source,
            Format::CaptionLines {
                image_prefix: "train_image",
            },
            format!(
                "cocoprep dataset cc12m <{}> --images <downloaded images> --root {{root}}",
                crate::cc12m::TSV
            ),
        )],
        wrong_names: vec![
            wrong("cc12m", "c12m", origin),
            wrong("c12m/train.json", source, origin),
        ],
        caches: vec![cache("c12m/cache", "spe_cache_", &[source])],
        folders: Vec::new(),
    }
}

fn video(dataset: VideoDataset, name: &'static str) -> DatasetEntry {
    let dir = dataset.dir();
    let version = match dataset {
        VideoDataset::Kinetics400 => "kinetics --version 400",
        VideoDataset::Kinetics700 => "kinetics --version 700",
        VideoDataset::MomentsInTime => "moments-in-time",
    };
    let fix = format!("cocoprep dataset {version} --root {{root}} [--videos <download folder>]");
    let classes = dataset.class_names().len();
    let mut items = vec![
        file(
            format!("{dir}/annotation.json"),
            Format::VideoAnnotation(dataset),
            &fix,
        ),
        file(
            format!("{dir}/category_mapping.txt"),
            Format::CategoryMapping(classes),
            &fix,
        ),
        Item {
            path: format!("{dir}/training"),
            kind: ItemKind::LabelFolders(dataset),
            fix: fix.clone(),
            optional: false,
        },
    ];
    if dataset != VideoDataset::MomentsInTime {
        items.push(Item {
            path: format!("{dir}/validation"),
            kind: ItemKind::LabelFolders(dataset),
            fix: fix.clone(),
            optional: false,
        });
    }
    let mut wrong_names = vec![
        wrong(
            format!("{dir}/train"),
            format!("{dir}/training"),
            "cvdfoundation's arrange_by_classes.py names the splits train/val",
        ),
        wrong(
            format!("{dir}/val"),
            format!("{dir}/validation"),
            "cvdfoundation's arrange_by_classes.py names the splits train/val",
        ),
    ];
    if dataset == VideoDataset::Kinetics400 {
        wrong_names.push(wrong(
            "K400",
            dir,
            "data/prepare_data.md names the folder K400/; the configs read K400_official/",
        ));
    }
    DatasetEntry {
        name,
        title: dataset.title(),
        folder: dir,
        items,
        wrong_names,
        caches: Vec::new(),
        folders: Vec::new(),
    }
}

fn msvd() -> DatasetEntry {
    let fix = "cocoprep dataset msvd --root {root} <txt_labels folder>";
    let annotations = format!("{}/{}", msvd::DATASET_DIR, msvd::ANNOTATIONS_DIR);
    let sources: Vec<String> = msvd::SPLITS
        .iter()
        .map(|split| format!("{annotations}/{}", msvd::output_name(split)))
        .collect();
    let mut items: Vec<Item> = sources
        .iter()
        .map(|path| {
            file(
                path.clone(),
                Format::CocoCaptions(&["id", "file_name"]),
                fix,
            )
        })
        .collect();
    let clips = format!("{}/YouTubeClips", msvd::DATASET_DIR);
    items.push(folder(
        &clips,
        "extract YouTubeClips.tar into {osd}/msvd_dataset/",
    ));
    // `msvd.py` opens FEATS_FOLDER/MSVD_ResNet152_<stage>.hdf5/<clip>.avi.
    for stage in ["train", "test"] {
        items.push(link(format!("{clips}/MSVD_ResNet152_{stage}.hdf5"), "."));
    }
    let wrong_names = sources
        .iter()
        .map(|path| {
            wrong(
                path.trim_end_matches(".json"),
                path.clone(),
                "data/prepare_data.md lists the MSVD files without .json",
            )
        })
        .collect();
    let source_refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    DatasetEntry {
        name: "msvd",
        title: "MSVD",
        folder: msvd::DATASET_DIR,
        items,
        wrong_names,
        caches: vec![cache(
            format!("{annotations}/cache"),
            "msvd_raw_caption_retrieval_",
            &source_refs,
        )],
        folders: vec![format!("{}/txt_labels", msvd::DATASET_DIR)],
    }
}

fn msrvtt() -> DatasetEntry {
    let fix = "cocoprep dataset msrvtt --root {root} <folder with the MSR-VTT info JSONs and CLIP4Clip's msrvtt_data/>";
    let annotations = format!("{}/{}", msrvtt::DATASET_DIR, msrvtt::ANNOTATIONS_DIR);
    let sources = [
        format!("{annotations}/{}", msrvtt::TRAINVAL_FILE),
        format!("{annotations}/{}", msrvtt::TEST_FILE),
    ];
    let mut items: Vec<Item> = sources
        .iter()
        .map(|path| {
            file(
                path.clone(),
                Format::CocoCaptions(&["id", "file_name"]),
                fix,
            )
        })
        .collect();
    let videos = format!("{}/videos", msrvtt::DATASET_DIR);
    items.push(folder(
        &videos,
        "put MSR-VTT's video<N>.mp4 files into {osd}/msrvtt_dataset/videos/",
    ));
    for stage in ["train", "test"] {
        items.push(link(format!("{videos}/MSRVTT_ResNet152_{stage}.hdf5"), "."));
    }
    let source_refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    DatasetEntry {
        name: "msrvtt",
        title: "MSR-VTT (1k-A)",
        folder: msrvtt::DATASET_DIR,
        items,
        wrong_names: Vec::new(),
        caches: vec![cache(
            format!("{annotations}/cache"),
            "msrvtt_raw_caption_retrieval_",
            &source_refs,
        )],
        folders: Vec::new(),
    }
}

fn imagenet() -> DatasetEntry {
    let fix = "cocoprep dataset imagenet --root {root} [--val-labels <val ground truth>]";
    let dir = imagenet::IMAGENET_DIR;
    DatasetEntry {
        name: "imagenet",
        title: "ImageNet-1k",
        folder: dir,
        items: vec![
            file(
                format!("{dir}/meta/train.txt"),
                Format::ImageList("train"),
                fix,
            ),
            file(format!("{dir}/meta/val.txt"), Format::ImageList("val"), fix),
            folder(
                format!("{dir}/train"),
                "extract ILSVRC2012_img_train.tar into {osd}/imagenet/train/<wnid>/",
            ),
            folder(
                format!("{dir}/val"),
                "extract ILSVRC2012_img_val.tar into {osd}/imagenet/val/",
            ),
        ],
        wrong_names: Vec::new(),
        caches: Vec::new(),
        folders: Vec::new(),
    }
}

/// YFCC (undocumented; `configs/BERT_L12_H192_experiments/4tasks_training.yaml`): the
/// caption and retrieval tasks read `yfcc/yfcc100m_subset_available_untokenized.json` with
/// `FEATS_FOLDER: open_source_dataset/yfcc/`, `ZIP_MODE: False`, `RANDOM_CAPTION: True`;
/// `image_text_pair.py:load_database` caches into `yfcc/cache/spe_cache_random_caption_*`.
fn yfcc() -> DatasetEntry {
    let annotations = "yfcc/yfcc100m_subset_available_untokenized.json";
    DatasetEntry {
        name: "yfcc",
        title: "YFCC100M subset",
        folder: "yfcc",
        items: vec![file(
            annotations,
            Format::YfccLines,
            "not made by cocoprep (the spec does not pin the metadata subset it comes from): \
             put the JSON lines in {osd}/yfcc/yfcc100m_subset_available_untokenized.json and the \
             images under {osd}/yfcc/ at the paths their `image` keys name",
        )],
        wrong_names: Vec::new(),
        caches: vec![cache("yfcc/cache", "spe_cache_", &[annotations])],
        folders: Vec::new(),
    }
}

fn imagenet22k() -> DatasetEntry {
    let fix = "cocoprep dataset imagenet22k --root {root} --source <ImageNet-22k folder of <wnid>/ folders>";
    DatasetEntry {
        name: "imagenet22k",
        title: "ImageNet-22k",
        folder: "imagenet22k",
        items: vec![
            file(
                "imagenet_22k_filelist_short.txt",
                Format::Imagenet22kList,
                fix,
            ),
            folder("imagenet22k", fix),
        ],
        wrong_names: Vec::new(),
        caches: Vec::new(),
        folders: Vec::new(),
    }
}

fn bookswiki() -> DatasetEntry {
    let fix = "cocoprep dataset bookswiki --root {root} <wiki.doc> <bc1g.doc>";
    let v2_fix = "cocoprep dataset bookswiki --v2 --root {root} <corpus files>";
    let dir = bookswiki::BOOKSWIKI_DIR;
    let corpus = format!("{dir}/{}", bookswiki::CORPUS_FILE);
    let sample = format!("{dir}/{}", bookswiki::SAMPLE_FILE);
    DatasetEntry {
        name: "bookswiki",
        title: "Books & Wiki corpus",
        folder: dir,
        // The shipped pretraining configs read the corpus from `text_corpus/` (the doc's
        // folder is commented out next to it): one folder, two names.
        items: vec![
            file(&corpus, Format::Text, fix),
            file(&sample, Format::Text, fix),
            Item {
                optional: true,
                ..file(
                    format!("{dir}/{}", bookswiki::V2_CORPUS_FILE),
                    Format::BookswikiV2,
                    v2_fix,
                )
            },
            Item {
                optional: true,
                ..file(
                    format!("{dir}/{}", bookswiki::V2_SAMPLE_FILE),
                    Format::Text,
                    v2_fix,
                )
            },
            link("text_corpus".to_owned(), dir),
        ],
        wrong_names: Vec::new(),
        caches: vec![
            cache(dir, "cache_block", &[&corpus, &sample]),
            cache(format!("{dir}/cache"), "cache_block", &[&corpus, &sample]),
        ],
        folders: Vec::new(),
    }
}

fn glue_data() -> DatasetEntry {
    let fix = "cocoprep dataset glue --root {root} <GLUE download folder>";
    let mut items = Vec::new();
    let mut caches = Vec::new();
    for task in GLUE_TASKS {
        let processed = format!("{}/{task}/processed", glue::GLUE_DIR);
        let files: Vec<String> = glue::splits(task)
            .iter()
            .map(|split| format!("{processed}/{split}.tsv"))
            .collect();
        for path in &files {
            items.push(file(path.clone(), Format::GlueTsv, fix));
        }
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        caches.push(cache(processed, "cache_GLUE_raw_", &refs));
    }
    DatasetEntry {
        name: "glue",
        title: "GLUE",
        folder: glue::GLUE_DIR,
        items,
        wrong_names: Vec::new(),
        caches,
        folders: Vec::new(),
    }
}

fn vqa() -> DatasetEntry {
    // `dataset vqa` writes coco_map.json and checks the rest, which come from the VQA v2 /
    // ViLBERT downloads.
    let fix = "put the VQA v2 files (questions, ViLBERT targets and label maps) into {osd}/VQA/, then check: cocoprep dataset vqa --root {root}";
    let mut items: Vec<Item> = [
        "trainval_ans2label.pkl",
        "trainval_label2ans.pkl",
        "train_target.pkl",
        "val_target.pkl",
        "vg_target.pkl",
    ]
    .iter()
    .map(|name| file(format!("VQA/{name}"), Format::Pickle, fix))
    .collect();
    for name in [
        "v2_OpenEnded_mscoco_train2014_questions.json",
        "v2_OpenEnded_mscoco_val2014_questions.json",
        "v2_OpenEnded_mscoco_test2015_questions.json",
        "VG_questions2.json",
    ] {
        items.push(file(format!("VQA/{name}"), Format::Json, fix));
    }
    items.push(file(
        "VQA/coco_map.json",
        Format::Json,
        format!(
            "cocoprep dataset vqa --coco-images <folder with {}> --root {{root}}",
            folder_list(&crate::vqa::COCO_FOLDERS)
        ),
    ));
    DatasetEntry {
        name: "vqa",
        title: "VQA v2",
        folder: "VQA",
        items,
        wrong_names: Vec::new(),
        caches: vec![cache(
            "VQA/cache",
            "VQA_sep_",
            &[
                "VQA/train_target.pkl",
                "VQA/val_target.pkl",
                "VQA/vg_target.pkl",
            ],
        )],
        folders: Vec::new(),
    }
}

/// Every dataset, in the order the report lists them.
pub fn catalog() -> Vec<DatasetEntry> {
    vec![
        targets(),
        coco(),
        visual_genome(),
        flickr30k(),
        sbu(),
        cc3m(),
        cc12m(),
        yfcc(),
        imagenet(),
        imagenet22k(),
        bookswiki(),
        glue_data(),
        video(VideoDataset::Kinetics400, "kinetics400"),
        video(VideoDataset::Kinetics700, "kinetics700"),
        video(VideoDataset::MomentsInTime, "moments-in-time"),
        msvd(),
        msrvtt(),
        vqa(),
    ]
}

/// The names `--dataset` accepts.
pub fn dataset_names() -> Vec<&'static str> {
    catalog().iter().map(|entry| entry.name).collect()
}
