//! `features butd` against make_bu_data.py's real outputs, read back with NumPy, LMDB and
//! lmdbdict in Python.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use cocoprep_base::progress::NoReporter;
use cocoprep_features::butd::{self, ButdOptions, ButdReport, StoreKind};
use cocoprep_test::{run_python, shared_golden, temp_dir};

/// Compares two make_bu_data output prefixes with NumPy: same ids, same npz keys, same
/// dtypes and shapes, bit-identical arrays; `.npy` files byte-identical.
const COMPARE_PREFIXES: &str = r#"
import sys, os, numpy as np
expected, actual = sys.argv[1], sys.argv[2]
count = 0
for kind, ext in [("att", ".npz"), ("fc", ".npy"), ("box", ".npy")]:
    names = sorted(os.listdir(expected + "_" + kind))
    assert names == sorted(os.listdir(actual + "_" + kind)), kind
    for name in names:
        e = np.load(os.path.join(expected + "_" + kind, name))
        a = np.load(os.path.join(actual + "_" + kind, name))
        if ext == ".npz":
            assert list(e.keys()) == list(a.keys()), (name, list(e.keys()), list(a.keys()))
            e, a = e["feat"], a["feat"]
        else:
            eb = open(os.path.join(expected + "_" + kind, name), "rb").read()
            ab = open(os.path.join(actual + "_" + kind, name), "rb").read()
            assert eb == ab, ("npy bytes differ", kind, name)
        assert e.dtype == a.dtype and e.shape == a.shape, (kind, name, e.dtype, a.dtype, e.shape, a.shape)
        assert e.tobytes() == a.tobytes(), (kind, name)
        count += 1
print(count)
"#;

fn golden() -> Option<PathBuf> {
    let golden = shared_golden().map(|g| g.join("butd"));
    if golden.is_none() {
        eprintln!("skipping: ../shared/golden is absent");
    }
    golden
}

fn convert(input: &Path, prefix: &Path, store: StoreKind) -> ButdReport {
    let options = ButdOptions {
        output_prefix: prefix.to_owned(),
        store,
        jobs: 2,
        ..ButdOptions::default()
    };
    butd::convert(&[input.to_owned()], &options, &NoReporter).expect("conversion runs")
}

#[test]
fn golden_trainval_outputs_equal_make_bu_data() {
    let Some(golden) = golden() else { return };
    let out = temp_dir();
    let prefix = out.path().join("cocobu");
    let report = convert(&golden.join("trainval"), &prefix, StoreKind::Files);
    assert_eq!((report.rows, report.written), (12, 12));
    assert!(report.failures.is_empty() && report.duplicate_ids.is_empty());
    let compared = run_python(
        COMPARE_PREFIXES,
        &[&golden.join("expected/cocobu"), &prefix],
    );
    assert_eq!(compared.trim(), "36");
}

#[test]
fn downloaded_zip_is_read_in_place() {
    let Some(golden) = golden() else { return };
    let out = temp_dir();
    // trainval.zip's layout: the four TSVs under `trainval/`, deflated.
    let archive_path = out.path().join("trainval.zip");
    let mut archive = zip::ZipWriter::new(std::fs::File::create(&archive_path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    archive.add_directory("trainval/", options).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(golden.join("trainval"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy();
        archive
            .start_file(format!("trainval/{name}"), options)
            .unwrap();
        archive.write_all(&std::fs::read(path).unwrap()).unwrap();
    }
    archive.finish().unwrap();

    let prefix = out.path().join("cocobu");
    let report = convert(&archive_path, &prefix, StoreKind::Files);
    assert_eq!(report.sources.len(), 4);
    assert!(
        report.sources[0]
            .ends_with("trainval.zip:trainval/karpathy_test_resnet101_faster_rcnn_genome.tsv")
    );
    assert_eq!(report.written, 12);
    let compared = run_python(
        COMPARE_PREFIXES,
        &[&golden.join("expected/cocobu"), &prefix],
    );
    assert_eq!(compared.trim(), "36");
}

/// A TSV row as generate_tsv.py writes it.
fn tsv_row(image_id: u64, boxes: &[[f32; 4]], features: &[f32]) -> String {
    let encode = |values: &[f32]| {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let flat: Vec<f32> = boxes.iter().flatten().copied().collect();
    format!(
        "{image_id}\t640\t480\t{}\t{}\t{}\r\n",
        boxes.len(),
        encode(&flat),
        encode(features)
    )
}

/// Deterministic values over many orders of magnitude, so that the order of summation
/// shows in the last bits of the means; a third are exact zeros, as after a ReLU.
fn wide_range_values(count: usize, seed: u64) -> Vec<f32> {
    let mut random = cocoprep_test::Xorshift::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..count)
        .map(|_| {
            let state = random.next();
            if state.is_multiple_of(3) {
                return 0.0;
            }
            let mantissa = (state >> 40) as f32 / (1u64 << 24) as f32;
            let exponent = ((state >> 8) % 13) as i32 - 6;
            mantissa * 10f32.powi(exponent)
        })
        .collect()
}

fn synthetic_rows(ids_and_counts: &[(u64, usize)], columns: usize) -> String {
    ids_and_counts
        .iter()
        .map(|&(id, count)| {
            let boxes: Vec<[f32; 4]> = (0..count)
                .map(|i| [i as f32, 2.0 * i as f32, 10.0 + i as f32, 20.5 + i as f32])
                .collect();
            tsv_row(id, &boxes, &wide_range_values(count * columns, id))
        })
        .collect()
}

#[test]
fn mean_is_bit_identical_to_numpy() {
    let out = temp_dir();
    let tsv = out.path().join("wide.tsv");
    std::fs::write(
        &tsv,
        synthetic_rows(&[(1, 1), (2, 7), (3, 36), (4, 100), (5, 129)], 2048),
    )
    .unwrap();
    let prefix = out.path().join("wide");
    let report = convert(&tsv, &prefix, StoreKind::Files);
    assert_eq!(report.written, 5);
    let checked = run_python(
        r#"
import sys, os, numpy as np
prefix = sys.argv[1]
for name in sorted(os.listdir(prefix + "_att")):
    feat = np.load(os.path.join(prefix + "_att", name))["feat"]
    fc = np.load(os.path.join(prefix + "_fc", name.replace(".npz", ".npy")))
    assert fc.dtype == np.float32 and fc.tobytes() == feat.mean(0).tobytes(), name
print("ok")
"#,
        &[&prefix],
    );
    assert_eq!(checked.trim(), "ok");
}

#[test]
fn single_column_mean_follows_numpy_pairwise_summation() {
    // With one feature column NumPy reduces along the contiguous axis, pairwise.
    let out = temp_dir();
    let tsv = out.path().join("narrow.tsv");
    let counts = [1, 5, 8, 9, 17, 100, 128, 129, 300, 1000, 9000, 20000];
    let ids: Vec<(u64, usize)> = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| (i as u64 + 1, count))
        .collect();
    std::fs::write(&tsv, synthetic_rows(&ids, 1)).unwrap();
    let prefix = out.path().join("narrow");
    let report = convert(&tsv, &prefix, StoreKind::Files);
    assert_eq!(report.written, counts.len() as u64);
    let checked = run_python(
        r#"
import sys, os, numpy as np
prefix = sys.argv[1]
names = sorted(os.listdir(prefix + "_att"))
for name in names:
    feat = np.load(os.path.join(prefix + "_att", name))["feat"]
    fc = np.load(os.path.join(prefix + "_fc", name.replace(".npz", ".npy")))
    assert feat.shape[1] == 1 and fc.tobytes() == feat.mean(0).tobytes(), (name, feat.shape, fc, feat.mean(0))
print(len(names))
"#,
        &[&prefix],
    );
    assert_eq!(checked.trim(), counts.len().to_string());
}

#[test]
fn undecodable_rows_are_skipped_and_reported() {
    let out = temp_dir();
    let good = synthetic_rows(&[(10, 3), (11, 2)], 8);
    let short = tsv_row(12, &[[1.0, 2.0, 3.0, 4.0]], &[1.0; 8]);
    // test2014's broken rows fail with "Incorrect padding": a field cut short.
    let fields: Vec<&str> = short.trim_end().split('\t').collect();
    let cut = format!(
        "{}\t{}\t{}\t{}\t{}\t{}\r\n",
        fields[0],
        fields[1],
        fields[2],
        fields[3],
        fields[4],
        &fields[5][..fields[5].len() - 5]
    );
    let wrong_count = tsv_row(13, &[[1.0, 2.0, 3.0, 4.0]], &[1.0; 8]).replacen("\t1\t", "\t3\t", 1);
    let tsv = out.path().join("test2014.tsv");
    std::fs::write(
        &tsv,
        format!("{good}{cut}{wrong_count}14\t640\t480\t1\tAAAA\r\n\r\n"),
    )
    .unwrap();
    let prefix = out.path().join("bu");
    let report = convert(&tsv, &prefix, StoreKind::Files);
    assert_eq!((report.rows, report.written), (5, 2));
    let failed: Vec<(u64, Option<u64>)> = report
        .failures
        .iter()
        .map(|failure| (failure.line, failure.image_id))
        .collect();
    assert_eq!(failed, vec![(3, Some(12)), (4, Some(13)), (5, Some(14))]);
    assert!(
        report.failures[2]
            .error
            .to_string()
            .contains("6 tab-separated fields")
    );
    for id in [10, 11] {
        assert!(prefix.with_file_name(format!("bu_att/{id}.npz")).is_file());
    }
    assert!(!prefix.with_file_name("bu_att/12.npz").exists());
}

#[test]
fn rerun_skips_finished_images_and_redoes_damaged_ones() {
    let out = temp_dir();
    let tsv = out.path().join("rows.tsv");
    std::fs::write(&tsv, synthetic_rows(&[(1, 3), (2, 4), (3, 5)], 16)).unwrap();
    let prefix = out.path().join("bu");
    assert_eq!(convert(&tsv, &prefix, StoreKind::Files).written, 3);
    let fc = prefix.with_file_name("bu_fc/2.npy");
    let original = std::fs::read(&fc).unwrap();
    let again = convert(&tsv, &prefix, StoreKind::Files);
    assert_eq!((again.written, again.already_done), (0, 3));
    // A truncated file (another tool, a full disk) is not "done".
    std::fs::write(&fc, &original[..original.len() - 4]).unwrap();
    let att = prefix.with_file_name("bu_att/3.npz");
    let bytes = std::fs::read(&att).unwrap();
    std::fs::write(&att, &bytes[..bytes.len() / 2]).unwrap();
    // A run killed with SIGKILL leaves its temporary files behind; the next run removes them.
    std::fs::write(prefix.with_file_name("bu_att/.3.npz.tmp-1-2"), b"partial").unwrap();
    let repaired = convert(&tsv, &prefix, StoreKind::Files);
    assert_eq!((repaired.written, repaired.already_done), (2, 1));
    assert_eq!(std::fs::read(&fc).unwrap(), original);
    // No temporary files are left behind.
    for kind in ["att", "fc", "box"] {
        let folder = prefix.with_file_name(format!("bu_{kind}"));
        for entry in std::fs::read_dir(folder).unwrap() {
            let name = entry.unwrap().file_name();
            assert!(!name.to_string_lossy().starts_with('.'), "{name:?}");
        }
    }
}

#[test]
fn duplicate_ids_keep_the_last_row() {
    let out = temp_dir();
    let tsv = out.path().join("rows.tsv");
    // Id 7 three times with different box counts; the last (5 boxes) must win.
    std::fs::write(
        &tsv,
        synthetic_rows(&[(7, 2), (8, 1), (7, 3), (9, 1), (7, 5)], 4),
    )
    .unwrap();
    for _ in 0..3 {
        let prefix = out.path().join("bu");
        let report = convert(&tsv, &prefix, StoreKind::Files);
        assert_eq!(report.duplicate_ids, vec![7]);
        let boxes = std::fs::read(prefix.with_file_name("bu_box/7.npy")).unwrap();
        let array = cocoprep_formats::npy::NpyArray::parse(&boxes).unwrap();
        assert_eq!(array.header.shape, vec![5, 4]);
    }
}

/// Three images converted to per-image files under `files` from the TSV `tsv`, in a
/// folder that also holds `store` for the store under test.
struct StoreCase {
    _folder: tempfile::TempDir,
    tsv: PathBuf,
    files: PathBuf,
    store: PathBuf,
}

fn store_case() -> StoreCase {
    let folder = temp_dir();
    let tsv = folder.path().join("rows.tsv");
    std::fs::write(&tsv, synthetic_rows(&[(139, 10), (802, 3), (5, 1)], 64)).unwrap();
    let files = folder.path().join("files");
    convert(&tsv, &files, StoreKind::Files);
    let store = folder.path().join("store");
    StoreCase {
        _folder: folder,
        tsv,
        files,
        store,
    }
}

#[test]
fn lmdb_store_reads_back_like_the_files() {
    let StoreCase {
        _folder,
        tsv,
        files,
        store,
    } = store_case();
    let report = convert(&tsv, &store, StoreKind::Lmdb);
    assert_eq!(report.written, 3);
    let checked = run_python(
        r#"
import sys, os, io, lmdb, numpy as np
from lmdbdict import lmdbdict
files, store = sys.argv[1], sys.argv[2]
count = 0
for kind, ext in [("att", ".npz"), ("fc", ".npy"), ("box", ".npy")]:
    env = lmdb.open(store + "_" + kind + ".lmdb", subdir=False, readonly=True, lock=False)
    with env.begin() as txn:
        keys = sorted(k for k, _ in txn.cursor() if not k.startswith(b"__"))
        assert keys == sorted(n[:-4].encode() for n in os.listdir(files + "_" + kind)), keys
        for key in keys:
            a = np.load(io.BytesIO(txn.get(key)))
            b = np.load(os.path.join(files + "_" + kind, key.decode() + ext))
            if ext == ".npz":
                assert list(a.keys()) == ["feat"]
                a, b = a["feat"], b["feat"]
            assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
            count += 1
    env.close()
    # self-critical's HybridLoader opens stores like this.
    db = lmdbdict(store + "_" + kind + ".lmdb", unsafe=True)
    db._key_dumps = lambda x: x.encode("ascii")
    db._value_loads = lambda x: x
    assert sorted(db._keys) == sorted(k.decode() for k in keys), db._keys
    x = np.load(io.BytesIO(db["139"]))
    count += 1
print(count)
"#,
        &[&files, &store],
    );
    assert_eq!(checked.trim(), "12");
    // Resuming a store skips what it holds.
    let again = convert(&tsv, &store, StoreKind::Lmdb);
    assert_eq!((again.written, again.already_done), (0, 3));
}

#[test]
fn hdf5_store_reads_back_like_the_files() {
    let StoreCase {
        _folder,
        tsv,
        files,
        store,
    } = store_case();
    let report = convert(&tsv, &store, StoreKind::Hdf5);
    assert_eq!(report.written, 3);
    let checked = run_python(
        r#"
import sys, os, h5py, numpy as np
files, store = sys.argv[1], sys.argv[2]
count = 0
for kind, ext in [("att", ".npz"), ("fc", ".npy"), ("box", ".npy")]:
    # self-critical's HybridLoader: h5py.File(path, 'r')[key], then np.array(x).astype('float32').
    with h5py.File(store + "_" + kind + ".h5", "r") as h5:
        assert sorted(h5.keys()) == sorted(n[:-4] for n in os.listdir(files + "_" + kind)), list(h5.keys())
        for key in h5.keys():
            dataset = h5[key]
            assert dataset.dtype == np.float32, dataset.dtype
            a = np.array(dataset).astype("float32")
            b = np.load(os.path.join(files + "_" + kind, key + ext))
            if ext == ".npz":
                b = b["feat"]
            assert a.shape == b.shape and a.tobytes() == b.tobytes(), (kind, key)
            count += 1
print(count)
"#,
        &[&files, &store],
    );
    assert_eq!(checked.trim(), "9");
    let again = convert(&tsv, &store, StoreKind::Hdf5);
    assert_eq!((again.written, again.already_done), (0, 3));
}
