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
