//! The tree check: a complete synthetic tree has no problem; a broken one names each
//! problem with its fix; `init` and `clean_caches` do what they say.

use std::path::Path;
use std::time::{Duration, SystemTime};

use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::tree::report::{ProblemKind, Report, Status};
use cocoprep_datasets::tree::{self, CheckOptions};
use cocoprep_datasets::video_classes::{self, VideoDataset};
use cocoprep_datasets::{DataRoot, bookswiki, glue, imagenet, msrvtt, msvd};

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const PICKLE: &[u8] = b"\x80\x04N.";

/// Every file and folder the configs read, small but in the right formats.
fn complete_tree(data_path: &Path) {
    let root = DataRoot::resolve(data_path);
    tree::init(&root, &[]).unwrap();
    let osd = root.dataset_folder();
    let o = |relative: &str| osd.join(relative);
    for name in [
        "vocabulary",
        "imagenet_class_name",
        "imagenet_22k_class_name",
        "k400_class_name",
        "k700_class_name",
        "MiT_class_name",
        "VQA_Answers",
    ] {
        write(&o(&format!("{name}_CLIP_with_endoftext.pkl")), PICKLE);
    }
    for task in ["SST-2", "CoLA", "RTE", "MRPC", "QQP", "QNLI", "MNLI"] {
        write(
            &o(&format!(
                "GLUE_classnames/{task}_class_name_CLIP_with_endoftext.pkl"
            )),
            PICKLE,
        );
        for split in glue::splits(task) {
            write(
                &o(&format!(
                    "bert_pretrain_data/glue_data/{task}/processed/{split}.tsv"
                )),
                "a\tb\n",
            );
        }
    }
    let coco_captions = r#"{"images": [{"file_name": "COCO_val2014_000000000042.jpg", "file_path": "val2014", "id": 42}], "annotations": [{"image_id": 42, "id": 1, "caption": "a dog"}], "info": {}}"#;
    for split in ["train113k", "val5k", "test5k"] {
        write(
            &o(&format!(
                "mscoco_dataset/new_annotations/captions_{split}.json"
            )),
            coco_captions,
        );
    }
    write(
        &o("mscoco_dataset/new_annotations/dataset_coco.json"),
        r#"{"images": [{"filepath": "val2014", "sentids": [1], "filename": "COCO_val2014_000000000042.jpg", "imgid": 0, "split": "test", "sentences": [], "cocoid": 42}], "dataset": "coco"}"#,
    );
    write(
        &o("mscoco_dataset/coco_origin/train2014/COCO_train2014_000000000009.jpg"),
        b"jpg",
    );
    write(
        &o("mscoco_dataset/coco_origin/val2014/COCO_val2014_000000000042.jpg"),
        b"jpg",
    );
    write(
        &o("visual_genome/annotations/vg_captions_128filter.json"),
        r#"{"phrase": {"1": ["a tree"]}, "subset": {"1": "VG_100K_2/1.jpg"}}"#,
    );
    write(&o("visual_genome/images/VG_100K/2.jpg"), b"jpg");
    write(&o("visual_genome/images/VG_100K_2/1.jpg"), b"jpg");
    for name in ["train_2014", "val_set0_2014", "test_set0_2014"] {
        write(
            &o(&format!("flickr30k/all_data_final_{name}.jsonline")),
            "{\"sentences\": [\"a man\"], \"id\": 1000092795, \"img_path\": \"1000092795.jpg\"}\n",
        );
    }
    for split in ["train", "val", "test"] {
        write(
            &o(&format!("flickr30k/captions_{split}.json")),
            r#"{"images": [{"filename": "1000092795.jpg", "id": 1000092795}], "annotations": [{"image_id": 1000092795, "id": 0, "caption": "a man"}], "info": {}}"#,
        );
    }
    write(
        &o("flickr30k_images/flickr30k_images/flickr30k_images/1000092795.jpg"),
        b"jpg",
    );
    write(
        &o("sbucaption/annotations/subcaption.json"),
        r#"{"4385058960_b0f291553e.jpg": "a view"}"#,
    );
    write(&o("sbucaption/4385058960_b0f291553e.jpg"), b"jpg");
    let line = |split: &str| {
        format!(
            "{{\"image\": \"{split}_image.zip@/00000000.jpg\", \"caption\": [\"a\", \"very\", \"typical\", \"bus\", \"station\"]}}\n"
        )
    };
    write(&o("cc3m/train_spacy.json"), line("train"));
    write(&o("cc3m/train_image/00000000.jpg"), b"jpg");
    write(&o("cc3m/val_spacy.json"), line("val"));
    write(&o("cc3m/val_image.zip"), b"PK");
    write(&o("c12m/train_available.json"), line("train"));
    write(&o("c12m/train_image/00000000.jpg"), b"jpg");

    write(&o("imagenet/train/n01440764/n01440764_10026.JPEG"), b"jpg");
    write(
        &o("imagenet/val/n01440764/ILSVRC2012_val_00000293.JPEG"),
        b"jpg",
    );
    imagenet::prepare(&o("imagenet"), None).unwrap();
    write(&o("imagenet_22k_filelist_short.txt"), "n00004475 15 0\n");
    write(&o("imagenet22k/n00004475/n00004475_15.JPEG"), b"jpg");

    write(
        &o("yfcc/yfcc100m_subset_available_untokenized.json"),
        "{\"image\": \"images/1.jpg\", \"caption\": \"a b\", \"title\": \"a\", \"description\": \"b\"}\n",
    );
    write(&o("yfcc/images/1.jpg"), b"jpg");

    let wiki = data_path.join("wiki.doc");
    write(&wiki, "a sentence.\n");
    bookswiki::prepare(&[wiki], &o(bookswiki::BOOKSWIKI_DIR)).unwrap();

    for (dataset, label) in [
        (VideoDataset::Kinetics400, "abseiling"),
        (VideoDataset::Kinetics700, "abseiling"),
        (VideoDataset::MomentsInTime, "adult+female+singing"),
    ] {
        let dir = o(dataset.dir());
        write(&dir.join("training").join(label).join("x.mp4"), b"");
        write(&dir.join("validation").join(label).join("y.mp4"), b"");
        video_classes::prepare(dataset, &dir, None).unwrap();
    }

    let labels = data_path.join("txt_labels");
    write(
        &labels.join("youtube_mapping.txt"),
        "-4wsuPCjDBc_5_15 vid1\nbQJQGoJF7_k_162_169 vid2\n",
    );
    write(
        &labels.join("sents_train_lc_nopunc.txt"),
        "vid1\ta squirrel\n",
    );
    write(&labels.join("sents_val_lc_nopunc.txt"), "vid2\ta man\n");
    write(
        &labels.join("sents_test_lc_nopunc.txt"),
        "vid2\ta man again\n",
    );
    msvd::prepare(&labels, &o("msvd_dataset/new_annotations"), InfoKey::Add).unwrap();
    write(&o("msvd_dataset/YouTubeClips/-4wsuPCjDBc_5_15.avi"), b"");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msrvtt");
    msrvtt::prepare(
        &msrvtt::MsrvttInputs::in_folder(&fixture),
        &o("msrvtt_dataset/annotations_new"),
        InfoKey::Add,
    )
    .unwrap();
    write(&o("msrvtt_dataset/videos/video0.mp4"), b"");

    for name in [
        "trainval_ans2label",
        "trainval_label2ans",
        "train_target",
        "val_target",
        "vg_target",
    ] {
        write(&o(&format!("VQA/{name}.pkl")), PICKLE);
    }
    for name in [
        "v2_OpenEnded_mscoco_train2014_questions",
        "v2_OpenEnded_mscoco_val2014_questions",
        "v2_OpenEnded_mscoco_test2015_questions",
        "VG_questions2",
        "coco_map",
    ] {
        write(&o(&format!("VQA/{name}.json")), "{}");
    }
}

fn check(data_path: &Path) -> Report {
    tree::check(&DataRoot::resolve(data_path), &CheckOptions::default()).unwrap()
}

fn describe(report: &Report) -> String {
    let mut text = String::new();
    for dataset in &report.datasets {
        for problem in &dataset.problems {
            text.push_str(&format!(
                "{}: {:?} {} — {} — fix: {}\n",
                dataset.name, problem.kind, problem.path, problem.detail, problem.fix
            ));
        }
    }
    text
}

#[test]
fn complete_synthetic_tree_has_no_problem() {
    let data = cocoprep_test::temp_dir();
    complete_tree(data.path());
    let report = check(data.path());
    assert_eq!(report.problem_count(), 0, "{}", describe(&report));
    assert_eq!(report.datasets.len(), 18);
    assert!(
        report
            .datasets
            .iter()
            .all(|dataset| dataset.status == Status::Ok)
    );
    assert_eq!(report.data_path, data.path());
    // Passing open_source_dataset itself is corrected, with a note.
    let report = check(&data.path().join("open_source_dataset"));
    assert_eq!(report.problem_count(), 0);
    assert_eq!(report.data_path, data.path());
    assert!(report.notes[0].contains("DATA_PATH is its parent"));
}

fn problem<'a>(report: &'a Report, dataset: &str, path: &str) -> &'a tree::report::Problem {
    report
        .datasets
        .iter()
        .find(|entry| entry.name == dataset)
        .and_then(|entry| entry.problems.iter().find(|problem| problem.path == path))
        .unwrap_or_else(|| panic!("no problem for {dataset} {path}:\n{}", describe(report)))
}

#[test]
fn broken_tree_names_each_problem_with_its_fix() {
    let data = cocoprep_test::temp_dir();
    complete_tree(data.path());
    let osd = data.path().join("open_source_dataset");
    let root = data.path().display().to_string();
    // A missing file.
    std::fs::remove_file(osd.join("msvd_dataset/new_annotations/caption_msvd_val_cocostyle.json"))
        .unwrap();
    // The script's name instead of the config's.
    std::fs::rename(
        osd.join("cc3m/train_spacy.json"),
        osd.join("cc3m/train.json"),
    )
    .unwrap();
    // CC12M written with the columns swapped (the reference scripts' bug).
    write(
        &osd.join("c12m/train_available.json"),
        "{\"image\": \"train_image.zip@/00000000.jpg\", \"caption\": [\"https://example.com/a.jpg\"]}\n",
    );
    // Kinetics label folders in cvdfoundation's space form.
    std::fs::rename(
        osd.join("K400_official/training/abseiling"),
        osd.join("K400_official/training/air drumming"),
    )
    .unwrap();
    // A loader cache older than the annotations it was built from.
    let cache = osd.join("mscoco_dataset/new_annotations/cache/mscoco_caption_w_testcap_train.pkl");
    write(&cache, PICKLE);
    std::fs::File::options()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    // GLUE class pickles where the notebook writes them.
    std::fs::rename(
        osd.join("GLUE_classnames/SST-2_class_name_CLIP_with_endoftext.pkl"),
        osd.join("bert_pretrain_data/glue_data/SST-2_class_name_CLIP_with_endoftext.pkl"),
    )
    .unwrap();
    // The loader path workaround missing; ImageNet's list broken.
    std::fs::remove_file(osd.join("msvd_dataset/YouTubeClips/MSVD_ResNet152_test.hdf5")).unwrap();
    write(
        &osd.join("imagenet/meta/val.txt"),
        "n01440764/ILSVRC2012_val_00000293.JPEG\t0\n",
    );

    let report = check(data.path());
    let text = describe(&report);
    assert_eq!(report.problem_count(), 9, "{text}");
    // Every record of annotation.json is checked: the renamed folder's videos are gone.
    let moved = problem(
        &report,
        "kinetics400",
        "K400_official/training/abseiling/x.mp4",
    );
    assert_eq!(moved.kind, ProblemKind::Missing);

    let missing = problem(
        &report,
        "msvd",
        "msvd_dataset/new_annotations/caption_msvd_val_cocostyle.json",
    );
    assert_eq!(missing.kind, ProblemKind::Missing);
    assert_eq!(
        missing.fix,
        format!("cocoprep dataset msvd --root {root} <txt_labels folder>")
    );

    let renamed = problem(&report, "cc3m", "cc3m/train.json");
    assert_eq!(renamed.kind, ProblemKind::WrongName);
    assert_eq!(
        renamed.fix,
        format!(
            "mv {0}/cc3m/train.json {0}/cc3m/train_spacy.json",
            osd.display()
        )
    );

    let swapped = problem(&report, "cc12m", "c12m/train_available.json");
    assert_eq!(swapped.kind, ProblemKind::WrongFormat);
    assert!(
        swapped.detail.contains("URL as its caption"),
        "{}",
        swapped.detail
    );
    assert!(swapped.fix.starts_with("cocoprep dataset cc12m"));

    let spaced = problem(&report, "kinetics400", "K400_official/training");
    assert_eq!(spaced.kind, ProblemKind::WrongFormat);
    assert!(
        spaced.detail.contains("`air drumming`"),
        "{}",
        spaced.detail
    );
    assert_eq!(
        spaced.fix,
        format!(
            "cocoprep dataset kinetics --version 400 --root {root} [--videos <download folder>]"
        )
    );

    let stale = problem(
        &report,
        "coco",
        "mscoco_dataset/new_annotations/cache/mscoco_caption_w_testcap_train.pkl",
    );
    assert_eq!(stale.kind, ProblemKind::StaleCache);
    assert_eq!(
        stale.fix,
        format!("cocoprep tree {root} --clean-caches --dataset coco")
    );

    let glue_pickle = problem(
        &report,
        "targets",
        "bert_pretrain_data/glue_data/SST-2_class_name_CLIP_with_endoftext.pkl",
    );
    assert_eq!(glue_pickle.kind, ProblemKind::WrongName);
    assert!(
        glue_pickle
            .fix
            .ends_with("/GLUE_classnames/SST-2_class_name_CLIP_with_endoftext.pkl")
    );

    let link = problem(
        &report,
        "msvd",
        "msvd_dataset/YouTubeClips/MSVD_ResNet152_test.hdf5",
    );
    assert_eq!(
        link.fix,
        format!(
            "ln -s . {}/msvd_dataset/YouTubeClips/MSVD_ResNet152_test.hdf5",
            osd.display()
        )
    );

    let list = problem(&report, "imagenet", "imagenet/meta/val.txt");
    assert!(list.detail.contains("one space"), "{}", list.detail);

    // --clean-caches removes the stale pickle.
    let deleted =
        tree::clean_caches(&DataRoot::resolve(data.path()), &["coco".to_owned()]).unwrap();
    assert_eq!(deleted, std::slice::from_ref(&cache));
    assert!(!cache.exists());
}

#[test]
fn known_wrong_folder_names_and_data_path_are_reported() {
    let data = cocoprep_test::temp_dir();
    let osd = data.path().join("open_source_dataset");
    write(&osd.join("K400/training/abseiling/x.mp4"), b"");
    write(
        &osd.join("msvd_dataset/new_annotations/caption_msvd_train_cocostyle"),
        "{}",
    );
    write(&osd.join("cc12m/train_available.json"), "{}\n");
    let report = tree::check(
        &DataRoot::resolve(data.path()),
        &CheckOptions {
            datasets: vec![
                "kinetics400".to_owned(),
                "msvd".to_owned(),
                "cc12m".to_owned(),
            ],
            data_path_env: Some(osd.clone()),
        },
    )
    .unwrap();
    let text = describe(&report);
    let k400 = problem(&report, "kinetics400", "K400");
    assert_eq!(k400.kind, ProblemKind::WrongName, "{text}");
    assert_eq!(
        k400.fix,
        format!("mv {0}/K400 {0}/K400_official", osd.display())
    );
    // Nothing under K400_official/ is reported missing on top of the folder's name.
    assert!(!text.contains("kinetics400: Missing"), "{text}");
    let msvd = problem(
        &report,
        "msvd",
        "msvd_dataset/new_annotations/caption_msvd_train_cocostyle",
    );
    assert_eq!(msvd.kind, ProblemKind::WrongName);
    let cc12m = problem(&report, "cc12m", "cc12m");
    assert_eq!(cc12m.fix, format!("mv {0}/cc12m {0}/c12m", osd.display()));
    // `init` leaves the right name alone while a wrong one is there; beside an empty `c12m/`
    // (made by hand or an older tool), `mv` alone would nest the folder: remove it first.
    tree::init(&DataRoot::resolve(data.path()), &["cc12m".to_owned()]).unwrap();
    assert!(!osd.join("c12m").exists());
    std::fs::create_dir(osd.join("c12m")).unwrap();
    let options = CheckOptions {
        datasets: vec!["cc12m".to_owned()],
        data_path_env: None,
    };
    let again = tree::check(&DataRoot::resolve(data.path()), &options).unwrap();
    assert_eq!(
        problem(&again, "cc12m", "cc12m").fix,
        format!("rmdir {0}/c12m && mv {0}/cc12m {0}/c12m", osd.display())
    );
    assert!(report.problems[0].detail.contains("one level too deep"));
    assert_eq!(
        report.problems[0].fix,
        format!("export DATA_PATH={}", data.path().display())
    );
}

#[test]
fn init_creates_the_folders_and_an_empty_tree_lists_each_dataset_once() {
    let data = cocoprep_test::temp_dir();
    let root = DataRoot::resolve(data.path());
    let created = tree::init(&root, &[]).unwrap();
    let osd = data.path().join("open_source_dataset");
    assert!(created.contains(&osd));
    for folder in [
        "K400_official/training",
        "msvd_dataset/new_annotations",
        "GLUE_classnames",
        "c12m",
        "imagenet/meta",
    ] {
        assert!(osd.join(folder).is_dir(), "{folder}");
    }
    assert!(
        osd.join("msvd_dataset/YouTubeClips/MSVD_ResNet152_train.hdf5")
            .is_dir()
    );
    let report = check(data.path());
    // Every dataset absent: one problem each, with the commands that make it.
    assert!(
        report
            .datasets
            .iter()
            .all(|dataset| dataset.status == Status::Absent && dataset.problems.len() == 1),
        "{}",
        describe(&report)
    );
    let targets = &report.datasets[0].problems[0];
    assert!(
        targets.fix.contains("cocoprep targets vocab -o"),
        "{}",
        targets.fix
    );
    assert!(
        targets.fix.contains("cocoprep targets glue -o"),
        "{}",
        targets.fix
    );
    // Running init again creates nothing.
    assert!(tree::init(&root, &[]).unwrap().is_empty());
}

#[test]
fn video_annotation_with_space_form_labels_is_a_wrong_format() {
    let data = cocoprep_test::temp_dir();
    let k400 = data.path().join("open_source_dataset/K400_official");
    write(&k400.join("training/air_drumming/a.mp4"), b"");
    write(&k400.join("validation/air_drumming/b.mp4"), b"");
    video_classes::prepare(VideoDataset::Kinetics400, &k400, None).unwrap();
    let options = CheckOptions {
        datasets: vec!["kinetics400".to_owned()],
        data_path_env: None,
    };
    let root = DataRoot::resolve(data.path());
    assert_eq!(tree::check(&root, &options).unwrap().problem_count(), 0);
    // An annotation.json written from the space-form folders (the loader's assertion fails).
    write(
        &k400.join("annotation.json"),
        r#"{"database": {"b.mp4": {"subset": "validation", "annotations": {"label": "air drumming"}}}}"#,
    );
    let report = tree::check(&root, &options).unwrap();
    let problem = problem(&report, "kinetics400", "K400_official/annotation.json");
    assert_eq!(problem.kind, ProblemKind::WrongFormat);
    assert!(
        problem
            .detail
            .contains("not a Kinetics-400 class in the loader's form, e.g. `air drumming`"),
        "{}",
        problem.detail
    );
}

#[test]
fn video_annotation_is_checked_record_by_record_not_only_the_first() {
    let data = cocoprep_test::temp_dir();
    let k400 = data.path().join("open_source_dataset/K400_official");
    write(&k400.join("training/air_drumming/a.mp4"), b"");
    write(&k400.join("validation/air_drumming/b.mp4"), b"");
    video_classes::prepare(VideoDataset::Kinetics400, &k400, None).unwrap();
    write(
        &k400.join("annotation.json"),
        r#"{"database": {"a.mp4": {"subset": "training", "annotations": {"label": "air_drumming"}}, "c.mp4": {"subset": "training", "annotations": {"label": "abseiling"}}, "d.mp4": {"subset": "validation", "annotations": {"label": "abseiling"}}}}"#,
    );
    let options = CheckOptions {
        datasets: vec!["kinetics400".to_owned()],
        data_path_env: None,
    };
    let report = tree::check(&DataRoot::resolve(data.path()), &options).unwrap();
    let missing = problem(
        &report,
        "kinetics400",
        "K400_official/training/abseiling/c.mp4",
    );
    assert_eq!(missing.kind, ProblemKind::Missing);
    assert!(
        missing.detail.starts_with("2 of 3 videos"),
        "{}",
        missing.detail
    );
}

#[test]
fn yfcc_lines_without_title_or_with_a_missing_image_are_named() {
    let data = cocoprep_test::temp_dir();
    complete_tree(data.path());
    let osd = data.path().join("open_source_dataset");
    let annotations = osd.join("yfcc/yfcc100m_subset_available_untokenized.json");
    write(
        &annotations,
        "{\"image\": \"images/1.jpg\", \"caption\": [\"a\"], \"description\": \"b\"}\n",
    );
    let report = check(data.path());
    let untitled = problem(
        &report,
        "yfcc",
        "yfcc/yfcc100m_subset_available_untokenized.json",
    );
    assert!(
        untitled.detail.starts_with("line 1 has no `title` string"),
        "{}",
        untitled.detail
    );
    write(
        &annotations,
        "{\"image\": \"images/2.jpg\", \"caption\": \"a\", \"title\": \"\", \"description\": \"b\"}\n",
    );
    let report = check(data.path());
    assert_eq!(
        problem(&report, "yfcc", "yfcc/images/2.jpg").kind,
        ProblemKind::Missing
    );
}

#[test]
fn bookswiki_v2_of_the_wrong_length_and_a_22k_list_without_its_images_are_named() {
    let data = cocoprep_test::temp_dir();
    complete_tree(data.path());
    let osd = data.path().join("open_source_dataset");
    // The v2 files are optional: absent, the complete tree has no problem.
    assert_eq!(check(data.path()).problem_count(), 0);
    let corpus = data.path().join("corpus.txt");
    write(&corpus, "a line\nanother\n");
    bookswiki::prepare_v2(&[corpus], &osd.join(bookswiki::BOOKSWIKI_DIR)).unwrap();
    write(
        &osd.join("imagenet_22k_filelist_short.txt"),
        "n00004475 16 0\n",
    );
    let report = check(data.path());
    assert_eq!(report.problem_count(), 2, "{}", describe(&report));
    let v2 = problem(
        &report,
        "bookswiki",
        "bert_pretrain_data/bookswiki/bookswiki_v2.txt",
    );
    assert_eq!(v2.kind, ProblemKind::WrongFormat);
    assert!(
        v2.detail
            .starts_with("2 non-empty lines, but the v2 loader hard-codes 244208263"),
        "{}",
        v2.detail
    );
    assert_eq!(
        v2.fix,
        format!(
            "cocoprep dataset bookswiki --v2 --root {} <corpus files>",
            data.path().display()
        )
    );
    let list = problem(
        &report,
        "imagenet22k",
        "imagenet22k/n00004475/n00004475_16.JPEG",
    );
    assert_eq!(list.kind, ProblemKind::Missing);
}
