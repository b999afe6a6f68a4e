//! `cocoprep tree` and `cocoprep dataset ...`: the Uni-Perceiver tree end to end through the
//! binary, and the `info` key checked with real pycocotools.

use std::path::Path;
use std::time::{Duration, SystemTime};

use cocoprep_test::cli::{assert_exit, stderr, stdout};

use crate::{cocoprep, cocoprep_command};

fn slice() -> std::path::PathBuf {
    cocoprep_test::repo_root().join("fixtures/msvd-slice")
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

#[test]
fn msvd_from_absent_to_checked_with_init_prepare_and_stale_cache_removal() {
    let data = cocoprep_test::temp_dir();
    let root = data.path().as_os_str();
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--init".as_ref(),
        "--dataset".as_ref(),
        "msvd".as_ref(),
    ]);
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("DATA_PATH={}", data.path().display())),
        "{text}"
    );
    assert!(text.contains("msvd  MSVD"), "{text}");
    assert!(text.contains("not prepared"), "{text}");
    assert!(
        text.contains(&format!(
            "fix:          cocoprep dataset msvd --root {} <txt_labels folder>",
            data.path().display()
        )),
        "{text}"
    );

    // A cache the loader would have left from an earlier run.
    let osd = data.path().join("open_source_dataset");
    let cache =
        osd.join("msvd_dataset/new_annotations/cache/msvd_raw_caption_retrieval_clip_train_30.pkl");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    std::fs::write(&cache, b"\x80\x04N.").unwrap();

    let output = cocoprep([
        "dataset".as_ref(),
        "msvd".as_ref(),
        slice().as_os_str(),
        "--root".as_ref(),
        osd.as_os_str(),
    ]);
    assert_exit(&output, 0);
    let messages = stderr(&output);
    assert!(
        messages.contains("is the open_source_dataset folder itself"),
        "{messages}"
    );
    assert!(messages.contains("(12 videos, 60 captions)"), "{messages}");
    assert!(
        messages.contains("deleted stale loader cache"),
        "{messages}"
    );
    assert!(!cache.exists());

    // The clips (empty stand-ins) make the dataset complete.
    let clips = osd.join("msvd_dataset/YouTubeClips");
    std::fs::write(clips.join("-4wsuPCjDBc_5_15.avi"), b"").unwrap();
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--dataset".as_ref(),
        "msvd".as_ref(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    let report = json(&output);
    assert_eq!(report["schema"], 1);
    assert_eq!(report["datasets"][0]["status"], "ok");
    assert_eq!(
        report["datasets"][0]["present"].as_array().unwrap().len(),
        6
    );

    // A cache older than the annotations: stale, with its fix; --clean-caches removes it.
    std::fs::write(&cache, b"\x80\x04N.").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(600))
        .unwrap();
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--dataset".as_ref(),
        "msvd".as_ref(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 1);
    let problem = &json(&output)["datasets"][0]["problems"][0];
    assert_eq!(problem["kind"], "stale_cache");
    assert_eq!(
        problem["fix"],
        format!(
            "cocoprep tree {} --clean-caches --dataset msvd",
            data.path().display()
        )
    );
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--clean-caches".as_ref(),
        "--dataset".as_ref(),
        "msvd".as_ref(),
    ]);
    assert_exit(&output, 0);
    assert!(!cache.exists());
}

#[test]
fn msvd_info_key_lets_pycocotools_load_results_and_no_info_is_the_scripts_bytes() {
    let data = cocoprep_test::temp_dir();
    for (flag, expect_info) in [(None, true), (Some("--no-info"), false)] {
        let mut command = cocoprep_command();
        command
            .args(["dataset", "msvd"])
            .arg(slice())
            .arg("--root")
            .arg(data.path());
        if let Some(flag) = flag {
            command.arg(flag);
        }
        let output = command.output().unwrap();
        assert_exit(&output, 0);
        let test = data.path().join(
            "open_source_dataset/msvd_dataset/new_annotations/caption_msvd_test_cocostyle.json",
        );
        // `COCO.info()` reads `dataset['info']` in every pycocotools; `loadRes` did too in
        // 2.0.9 and 2.0.10 (2.0.11, installed here, falls back to `{}`).
        let script = "import sys\nfrom pycocotools.coco import COCO\ncoco = COCO(sys.argv[1])\nresults = coco.loadRes([{'image_id': 1301, 'caption': 'a boy plays'}])\nprint('loaded', len(results.anns))\ntry:\n    coco.info()\n    print('info ok')\nexcept KeyError as error:\n    print('KeyError', error)\n";
        let printed = cocoprep_test::run_python(script, &[&test]);
        assert!(printed.contains("loaded 1"), "{printed}");
        if expect_info {
            assert!(printed.contains("info ok"), "{printed}");
        } else {
            assert!(printed.contains("KeyError 'info'"), "{printed}");
        }
    }
}

fn touch(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"").unwrap();
}

#[test]
fn kinetics_space_form_labels_are_reported_then_renamed_by_the_command() {
    let data = cocoprep_test::temp_dir();
    let k400 = data.path().join("open_source_dataset/K400_official");
    touch(&k400.join("train/air drumming/a.mp4"));
    touch(&k400.join("val/air drumming/b.mp4"));
    let root = data.path().as_os_str();
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--dataset".as_ref(),
        "kinetics400".as_ref(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 1);
    let problems = json(&output)["datasets"][0]["problems"].clone();
    let wrong_names: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .filter(|problem| problem["kind"] == "wrong_name")
        .map(|problem| problem["path"].as_str().unwrap())
        .collect();
    assert_eq!(wrong_names, ["K400_official/train", "K400_official/val"]);

    let output = cocoprep([
        "dataset".as_ref(),
        "kinetics".as_ref(),
        "--version".as_ref(),
        "400".as_ref(),
        "--root".as_ref(),
        root,
    ]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("1 training and 1 validation videos in 1 classes"),
        "{}",
        stderr(&output)
    );
    assert!(k400.join("training/air_drumming/a.mp4").is_file());
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--dataset".as_ref(),
        "kinetics400".as_ref(),
    ]);
    assert_exit(&output, 0);

    // Space-form folders put back under training/: the check names them and the fix.
    std::fs::rename(
        k400.join("training/air_drumming"),
        k400.join("training/air drumming"),
    )
    .unwrap();
    let output = cocoprep([
        "tree".as_ref(),
        root,
        "--dataset".as_ref(),
        "kinetics400".as_ref(),
    ]);
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("1 label folders have spaces (e.g. `air drumming`)"),
        "{text}"
    );
    assert!(
        text.contains("fix:          cocoprep dataset kinetics --version 400 --root"),
        "{text}"
    );
}

#[test]
fn tree_names_unknown_datasets_and_a_data_path_one_level_too_deep() {
    let data = cocoprep_test::temp_dir();
    let output = cocoprep([
        "tree".as_ref(),
        data.path().as_os_str(),
        "--dataset".as_ref(),
        "k400".as_ref(),
    ]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("known: targets, coco,"),
        "{}",
        stderr(&output)
    );

    let osd = data.path().join("open_source_dataset");
    let output = cocoprep_command()
        .args(["tree", "--dataset", "glue"])
        .arg(data.path())
        .env("DATA_PATH", &osd)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(text.contains("one level too deep"), "{text}");
    assert!(
        text.contains(&format!("fix: export DATA_PATH={}", data.path().display())),
        "{text}"
    );
}

#[test]
fn bookswiki_without_init_passes_the_check_under_both_config_names() {
    let data = cocoprep_test::temp_dir();
    let wiki = data.path().join("wiki.doc");
    std::fs::write(&wiki, "first sentence.\n\nsecond sentence.\n").unwrap();
    let root = data.path().join("DATA");
    let output = cocoprep([
        "dataset".as_ref(),
        "bookswiki".as_ref(),
        wiki.as_os_str(),
        "--root".as_ref(),
        root.as_os_str(),
    ]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("3 lines, 2 non-empty"),
        "{}",
        stderr(&output)
    );
    // The pretraining configs read `text_corpus/`, the docs `bert_pretrain_data/bookswiki/`.
    let osd = root.join("open_source_dataset");
    assert_eq!(
        std::fs::read(osd.join("text_corpus/bookswiki-1000.doc")).unwrap(),
        b"first sentence.\nsecond sentence.\n"
    );
    let output = cocoprep([
        "tree".as_ref(),
        root.as_os_str(),
        "--dataset".as_ref(),
        "bookswiki".as_ref(),
    ]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("ok (3 present)"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn dataset_json_summary_lists_files_with_sizes_and_records_for_every_preparer() {
    let data = cocoprep_test::temp_dir();
    let output = cocoprep([
        "dataset".as_ref(),
        "msvd".as_ref(),
        slice().as_os_str(),
        "--root".as_ref(),
        data.path().as_os_str(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    let report = json(&output);
    assert_eq!(report["schema"], 1);
    assert_eq!(report["dataset"], "msvd");
    assert_eq!(report["problems"], serde_json::json!([]));
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for file in files {
        let path = Path::new(file["path"].as_str().unwrap());
        assert_eq!(
            file["bytes"].as_u64().unwrap(),
            std::fs::metadata(path).unwrap().len()
        );
        assert!(file["records"].as_u64().unwrap() > 0);
    }
}

#[test]
fn dataset_imagenet22k_writes_the_list_links_the_source_and_the_tree_accepts_it() {
    let data = cocoprep_test::temp_dir();
    let source = cocoprep_test::temp_dir();
    for name in [
        "n00000002/n00000002_3.JPEG",
        "n00000001/n00000001_12.JPEG",
        "n00000001/n00000001_2.JPEG",
    ] {
        let path = source.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"jpg").unwrap();
    }
    std::fs::write(source.path().join("n00000001/notes.txt"), b"").unwrap();
    let output = cocoprep([
        "dataset".as_ref(),
        "imagenet22k".as_ref(),
        "--source".as_ref(),
        source.path().as_os_str(),
        "--root".as_ref(),
        data.path().as_os_str(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    let report = json(&output);
    assert_eq!(report["files"][0]["records"], 3);
    assert_eq!(report["details"]["skipped"], 1);
    let osd = data.path().join("open_source_dataset");
    assert_eq!(
        std::fs::read_to_string(osd.join("imagenet_22k_filelist_short.txt")).unwrap(),
        "n00000001 2 0\nn00000001 12 0\nn00000002 3 1\n"
    );
    let output = cocoprep([
        "tree".as_ref(),
        data.path().as_os_str(),
        "--dataset".as_ref(),
        "imagenet22k".as_ref(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    assert_eq!(json(&output)["datasets"][0]["status"], "ok");
}
