//! `cocoprep features ...` end to end: exit status, reports, the reference scripts' flag
//! names, and the demo's feature outputs read back in Python.

use std::path::Path;
use std::process::Output;

use cocoprep_features::butd::row::encode_row;
use cocoprep_test::{run_python, shared_golden, temp_dir};

/// Runs cocoprep with words then paths.
fn cocoprep(args: &[&str], paths: &[&Path]) -> Output {
    let paths = paths.iter().map(|path| path.as_os_str());
    crate::cocoprep(args.iter().map(std::ffi::OsStr::new).chain(paths))
}

fn rows(ids: &[u64]) -> String {
    ids.iter()
        .map(|&id| {
            let boxes: Vec<[f32; 4]> = (0..3).map(|i| [i as f32, 0.0, 10.0, 10.0]).collect();
            let features: Vec<f32> = (0..3 * 16).map(|i| (i as f32 + id as f32) * 0.5).collect();
            encode_row(id, 640, 480, &boxes, &features)
        })
        .collect()
}

#[test]
fn undecodable_rows_give_exit_status_1_and_a_report() {
    let folder = temp_dir();
    let tsv = folder
        .path()
        .join("test2014_resnet101_faster_rcnn_genome.tsv.0");
    let broken = rows(&[300104]).replacen("\t3\t", "\t5\t", 1);
    std::fs::write(&tsv, format!("{}{broken}", rows(&[1, 2]))).unwrap();
    let prefix = folder.path().join("cocobu");
    let output = cocoprep(&["features", "butd", "--output-dir"], &[&prefix, &tsv]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("image 300104"), "{stderr}");
    assert!(stderr.contains("1 rows skipped as undecodable"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.path().join("cocobu_report.json")).unwrap())
            .unwrap();
    assert_eq!(report["written"], 2);
    assert_eq!(report["failures"][0]["image_id"], 300104);
    assert_eq!(report["failures"][0]["line"], 3);
    assert!(folder.path().join("cocobu_att/1.npz").is_file());
    // A rerun redoes nothing that is finished.
    let again = cocoprep(
        &["features", "butd", "--json", "--output-dir"],
        &[&prefix, &tsv],
    );
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (report["written"].as_u64(), report["already_done"].as_u64()),
        (Some(0), Some(2))
    );
}

#[test]
fn make_bu_data_flag_names_are_accepted() {
    let folder = temp_dir();
    let trainval = folder.path().join("bu_data/trainval");
    std::fs::create_dir_all(&trainval).unwrap();
    std::fs::write(
        trainval.join("karpathy_val_resnet101_faster_rcnn_genome.tsv"),
        rows(&[5, 6]),
    )
    .unwrap();
    let output = cocoprep(
        &["-q", "features", "butd", "--downloaded_feats"],
        &[
            &folder.path().join("bu_data"),
            Path::new("--output_dir"),
            &folder.path().join("data/cocobu"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(folder.path().join("data/cocobu_fc/6.npy").is_file());
}

#[test]
fn vsua_scripts_flag_names_are_accepted() {
    let Some(golden) = shared_golden() else {
        eprintln!("skipping: ../shared/golden is absent");
        return;
    };
    let folder = temp_dir();
    let geometry = folder.path().join("geometry_feats");
    let output = cocoprep(
        &["-q", "features", "vsua-geometry", "--input_file"],
        &[
            &golden.join("vsua/vsua_box_info.pkl"),
            Path::new("--save_path"),
            &geometry,
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = cocoprep(
        &["features", "vsua-graph", "--json", "--geometry_path"],
        &[
            &geometry,
            Path::new("--save_path"),
            &folder.path().join("geometry-iou"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["written"], 20);
    assert!(
        folder
            .path()
            .join("geometry-iou-iou0.2-dist0.5-undirected/139.npy")
            .is_file()
    );
}

#[test]
fn demo_feature_outputs_load_in_python() {
    let folder = temp_dir();
    let output = cocoprep(&["-q", "demo", "-o"], &[folder.path()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checked = run_python(
        r#"
import sys, os, io, pickle, h5py, lmdb, numpy as np
root = os.path.join(sys.argv[1], "features")
ids = sorted(int(n[:-4]) for n in os.listdir(os.path.join(root, "cocobu_att")))
assert len(ids) == 10, ids
env = lmdb.open(os.path.join(root, "cocobu_att.lmdb"), subdir=False, readonly=True, lock=False)
h5 = h5py.File(os.path.join(root, "cocobu_att.h5"), "r")
box_info = pickle.load(open(os.path.join(root, "vsua_box_info.pkl"), "rb"), encoding="latin1")
geometry = pickle.load(open(os.path.join(root, "geometry_feats-undirected.pkl"), "rb"))
with env.begin() as txn:
    for i in ids:
        feat = np.load(os.path.join(root, "cocobu_att", f"{i}.npz"))["feat"]
        fc = np.load(os.path.join(root, "cocobu_fc", f"{i}.npy"))
        boxes = np.load(os.path.join(root, "cocobu_box", f"{i}.npy"))
        assert feat.shape[1] == 2048 and 10 <= feat.shape[0] <= 100 and boxes.shape == (feat.shape[0], 4)
        assert fc.tobytes() == feat.mean(0).tobytes()
        assert np.array_equal(np.load(io.BytesIO(txn.get(str(i).encode())))["feat"], feat)
        assert np.array_equal(np.array(h5[str(i)]), feat)
        assert np.array_equal(box_info[i]["boxes"], boxes)
        assert geometry[i].shape == (feat.shape[0], feat.shape[0], 8)
        graph = np.load(os.path.join(root, "geometry-iou0.2-dist0.5-undirected", f"{i}.npy"), allow_pickle=True)[()]
        assert graph["edges"].dtype == np.int64 and graph["feats"].shape == (len(graph["edges"]), 8)
print(len(ids))
"#,
        &[folder.path()],
    );
    assert_eq!(checked.trim(), "10");
}

/// A `.pth` of a small random-weight ResNet (1 block per layer, 8 stem channels: 256
/// output channels), written by the library in torch's legacy format.
fn small_resnet_weights(path: &Path) {
    let tensors = cocoprep_features::resnet::random_state_dict([1, 1, 1, 1], 8, 1);
    let mut bytes = Vec::new();
    cocoprep_features::resnet::weights::write_state_dict(&mut bytes, &tensors).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn resnet_features_with_prepro_feats_flag_names_resume_and_list_bad_images() {
    let folder = temp_dir();
    let weights = folder.path().join("imagenet_weights/resnet101.pth");
    std::fs::create_dir_all(weights.parent().unwrap()).unwrap();
    small_resnet_weights(&weights);
    let images_root = cocoprep_test::fixtures().join("coco-sample");
    let dataset = folder.path().join("dataset_coco.json");
    std::fs::write(
        &dataset,
        r#"{"images": [
            {"filepath": "val2017", "filename": "000000000139.jpg", "cocoid": 139, "sentences": []},
            {"filepath": "train2017", "filename": "000000000790.jpg", "cocoid": 790, "sentences": []},
            {"filepath": "val2017", "filename": "missing.jpg", "cocoid": 5, "sentences": []}
        ]}"#,
    )
    .unwrap();
    let prefix = folder.path().join("cocotalk");
    let model_root = folder.path().join("imagenet_weights");
    // The dry run counts the work and estimates the disk space, writing nothing.
    let dry = crate::cocoprep([
        "features".into(),
        "resnet".into(),
        "--dry-run".into(),
        "--json".into(),
        "--images_root".into(),
        images_root.clone().into_os_string(),
        "--input_json".into(),
        dataset.clone().into_os_string(),
    ] as [std::ffi::OsString; 8]);
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let estimate: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(estimate["pending"], 3);
    assert_eq!(estimate["missing_image_files"], 1);
    // prepro_feats.py's flag names; weights found as MODEL_ROOT/resnet101.pth.
    let args = |json: bool| {
        let mut words = vec!["features", "resnet", "--att_size", "7"];
        if json {
            words.push("--json");
        }
        words
    };
    let run = |json: bool| {
        crate::cocoprep(args(json).into_iter().map(std::ffi::OsString::from).chain([
            "--input_json".into(),
            dataset.clone().into_os_string(),
            "--images_root".into(),
            images_root.clone().into_os_string(),
            "--output_dir".into(),
            prefix.clone().into_os_string(),
            "--model_root".into(),
            model_root.clone().into_os_string(),
        ]))
    };
    let output = run(false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("image 5"), "{stderr}");
    for id in [139, 790] {
        let fc = std::fs::read(folder.path().join(format!("cocotalk_fc/{id}.npy"))).unwrap();
        let (header, _) = cocoprep_formats::npy::NpyHeader::parse(&fc).unwrap();
        assert_eq!(header.shape, [256]);
        let att = std::fs::read(folder.path().join(format!("cocotalk_att/{id}.npz"))).unwrap();
        let members = cocoprep_formats::npz::read_members(&att).unwrap();
        assert_eq!(members[0].0, "feat");
        let (header, _) = cocoprep_formats::npy::NpyHeader::parse(&members[0].1).unwrap();
        assert_eq!(header.shape, [7, 7, 256]);
    }
    // A rerun does only what is left (the missing image, which fails again).
    let again = run(true);
    assert_eq!(again.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["written"], 0);
    assert_eq!(report["already_done"], 2);
    assert_eq!(report["failures"][0]["image_id"], 5);
}

/// Reads `PREFIX_{fc,att}.lmdb` or `.h5` as self-critical's `HybridLoader` does and checks
/// every array against the files store's; prints the number of arrays compared.
const READ_RESNET_STORE: &str = r#"
import io, os, sys
import numpy as np
files, store, kind = sys.argv[1], sys.argv[2], sys.argv[3]
count = 0
for part, ext in [("fc", ".npy"), ("att", ".npz")]:
    names = sorted(n[:-4] for n in os.listdir(files + "_" + part))
    if kind == "lmdb":
        from lmdbdict import lmdbdict
        db = lmdbdict(store + "_" + part + ".lmdb", unsafe=True)
        db._key_dumps = lambda x: x.encode("ascii")
        db._value_loads = lambda x: x
        assert sorted(db._keys) == names, (db._keys, names)
        get = lambda key: np.load(io.BytesIO(db[key]))
    else:
        import h5py
        h5 = h5py.File(store + "_" + part + ".h5", "r")
        assert sorted(h5.keys()) == names, (list(h5.keys()), names)
        get = lambda key: np.array(h5[key]).astype("float32")
    for name in names:
        a, b = get(name), np.load(os.path.join(files + "_" + part, name + ext))
        if ext == ".npz":
            if kind == "lmdb":
                assert list(a.keys()) == ["feat"]
                a = a["feat"]
            b = b["feat"]
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape, (part, a.shape, b.shape)
        assert a.tobytes() == b.tobytes(), (part, name)
        count += 1
print(count)
"#;

#[test]
fn resnet_features_into_lmdb_and_hdf5_stores_read_back_like_the_files_and_resume() {
    let folder = temp_dir();
    let weights = folder.path().join("resnet.pth");
    small_resnet_weights(&weights);
    let images_root = cocoprep_test::fixtures().join("coco-sample");
    let dataset = folder.path().join("dataset_coco.json");
    std::fs::write(
        &dataset,
        r#"{"images": [
            {"filepath": "val2017", "filename": "000000000139.jpg", "cocoid": 139, "sentences": []},
            {"filepath": "train2017", "filename": "000000000790.jpg", "cocoid": 790, "sentences": []}
        ]}"#,
    )
    .unwrap();
    let run = |prefix: &Path, store: &str, extra: &[&str]| {
        let mut words = vec!["features", "resnet", "--json", "--att-size", "3"];
        words.extend(["--store", store]);
        words.extend(extra);
        let output = cocoprep(
            &words,
            &[
                Path::new("--weights"),
                &weights,
                Path::new("--images-root"),
                &images_root,
                Path::new("--output-dir"),
                prefix,
                &dataset,
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let files = folder.path().join("files");
    assert_eq!(run(&files, "files", &[])["written"], 2);
    for (store, extension) in [("lmdb", ".lmdb"), ("hdf5", ".h5")] {
        let prefix = folder.path().join(store);
        let report = run(&prefix, store, &[]);
        assert_eq!(report["written"], 2, "{report}");
        assert_eq!(
            report["outputs"][1],
            format!("{}_att{extension}", prefix.display())
        );
        // Only the final stores are left: no partial store, no stray lock file.
        let mut names: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(store) || name.starts_with('.'))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                format!("{store}_att{extension}"),
                format!("{store}_fc{extension}")
            ]
        );
        let checked = run_python(READ_RESNET_STORE, &[&files, &prefix, Path::new(store)]);
        assert_eq!(checked.trim(), "4", "{store}");
        // Finished ids are skipped, in the dry run's count and in the run.
        assert_eq!(run(&prefix, store, &["--dry-run"])["pending"], 0);
        let again = run(&prefix, store, &[]);
        assert_eq!(
            (&again["written"], &again["already_done"]),
            (&0.into(), &2.into())
        );
    }
    // One writer per database: parallel shards are refused before any work.
    let sharded = cocoprep(
        &["features", "resnet", "--store", "lmdb", "--shard", "1/2"],
        &[&dataset],
    );
    assert_eq!(sharded.status.code(), Some(2), "{sharded:?}");
    assert!(
        String::from_utf8_lossy(&sharded.stderr).contains("parallel shards cannot share"),
        "{sharded:?}"
    );
}
