//! VSUA geometry features and graphs against the reference scripts' real outputs, loaded
//! back with pickle and NumPy in Python.

use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_features::vsua::{self, GraphJobOptions, GraphOptions, GraphSource};
use cocoprep_test::{run_python, shared_golden, temp_dir};

/// Compares a geometry pickle with the reference's: same keys in the same order, float64
/// arrays of the same shapes, values within rtol 1e-6 (the reference ran under NumPy 2,
/// which rounds parts of the chain to float32; we follow NumPy 1's float64 chain).
const COMPARE_GEOMETRY: &str = r#"
import sys, pickle, numpy as np
expected = pickle.load(open(sys.argv[1], "rb"))
actual = pickle.load(open(sys.argv[2], "rb"))
assert list(expected) == list(actual), (list(expected)[:5], list(actual)[:5])
for key in expected:
    e, a = expected[key], actual[key]
    assert type(key) is int and a.dtype == np.float64 and a.shape == e.shape, (key, a.dtype, a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=1e-6, atol=0)
print(len(expected))
"#;

/// Compares two folders of graph files: same files, same dict keys, identical int64
/// edges, float64 feats within rtol 1e-6.
const COMPARE_GRAPHS: &str = r#"
import sys, os, numpy as np
expected, actual = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(expected))
assert names == sorted(os.listdir(actual)), (names, sorted(os.listdir(actual)))
for name in names:
    e = np.load(os.path.join(expected, name), allow_pickle=True)[()]
    a = np.load(os.path.join(actual, name), allow_pickle=True)[()]
    assert list(e) == list(a) == ["edges", "feats"], (name, list(a))
    assert a["edges"].dtype == e["edges"].dtype and np.array_equal(a["edges"], e["edges"]), (name, a["edges"], e["edges"])
    assert a["feats"].dtype == e["feats"].dtype and a["feats"].shape == e["feats"].shape, name
    np.testing.assert_allclose(a["feats"], e["feats"], rtol=1e-6, atol=0)
print(len(names))
"#;

fn golden() -> Option<PathBuf> {
    let golden = shared_golden().map(|g| g.join("vsua"));
    if golden.is_none() {
        eprintln!("skipping: ../shared/golden is absent");
    }
    golden
}

fn graphs(source: GraphSource, prefix: &Path) -> vsua::GraphReport {
    let options = GraphJobOptions {
        graph: GraphOptions::default(),
        jobs: 2,
        overwrite: false,
    };
    vsua::write_graphs(&source, prefix, &options, &NoReporter).expect("graphs are built")
}

#[test]
fn golden_geometry_pickle_and_graphs_equal_the_reference() {
    let Some(golden) = golden() else { return };
    let out = temp_dir();
    let box_info = golden.join("vsua_box_info.pkl");
    let report = vsua::write_geometry(
        &box_info,
        &out.path().join("geometry_feats"),
        false,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(report.images, 20);
    let compared = run_python(
        COMPARE_GEOMETRY,
        &[
            &golden.join("expected/geometry_feats-undirected.pkl"),
            &report.output,
        ],
    );
    assert_eq!(compared.trim(), "20");

    let expected_graphs = golden.join("expected/geometry-iou0.2-dist0.5-undirected");
    // From the geometry pickle, as build_geometry_graph.py does ...
    let from_geometry = graphs(
        GraphSource::Geometry(report.output.clone()),
        &out.path().join("geometry"),
    );
    assert_eq!(
        (from_geometry.written, from_geometry.fallback_edges),
        (20, 10)
    );
    let compared = run_python(COMPARE_GRAPHS, &[&expected_graphs, &from_geometry.output]);
    assert_eq!(compared.trim(), "20");
    // ... and straight from the box info.
    let direct = graphs(GraphSource::BoxInfo(box_info), &out.path().join("direct"));
    let compared = run_python(COMPARE_GRAPHS, &[&expected_graphs, &direct.output]);
    assert_eq!(compared.trim(), "20");
}

/// Writes the box-info pickle as Python 2 would have: `str` (not unicode) keys and array
/// data, `numpy.core.multiarray`, with protocol 0 (Python 2's default) or 2.
const WRITE_PYTHON2_PICKLES: &str = r#"
import sys, io, pickle, numpy as np
source, out0, out2 = sys.argv[1], sys.argv[2], sys.argv[3]
box_info = pickle.load(open(source, "rb"), encoding="latin1")

def py2_repr(data):
    out = []
    for b in data:
        c = chr(b)
        if c == "\\": out.append("\\\\")
        elif c == "'": out.append("\\'")
        elif c == "\n": out.append("\\n")
        elif 32 <= b < 127: out.append(c)
        else: out.append("\\x%02x" % b)
    return "'" + "".join(out) + "'"

class Python2Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)
    def save_py2_str(self, data):
        if self.proto == 0:
            self.write(b"S" + py2_repr(data).encode("ascii") + b"\n")
        elif len(data) < 256:
            self.write(b"U" + bytes([len(data)]) + data)
        else:
            self.write(b"T" + len(data).to_bytes(4, "little") + data)
        self.memoize(data)
    dispatch[bytes] = save_py2_str

# Python 2 keys were str: make them bytes so they pickle as str.
converted = {k: {b"boxes": v["boxes"], b"image_w": v["image_w"], b"image_h": v["image_h"]} for k, v in box_info.items()}
for protocol, path in [(0, out0), (2, out2)]:
    buffer = io.BytesIO()
    Python2Pickler(buffer, protocol).dump(converted)
    data = buffer.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"_codecs" not in data and b"X\x05\x00\x00\x00boxes" not in data
    open(path, "wb").write(data)
    assert pickle.loads(data, encoding="latin1").keys() == box_info.keys()
print("ok")
"#;

#[test]
fn python2_box_info_pickles_are_read() {
    let Some(golden) = golden() else { return };
    let out = temp_dir();
    let protocol0 = out.path().join("box_info_p0.pkl");
    let protocol2 = out.path().join("box_info_p2.pkl");
    run_python(
        WRITE_PYTHON2_PICKLES,
        &[&golden.join("vsua_box_info.pkl"), &protocol0, &protocol2],
    );
    let expected_graphs = golden.join("expected/geometry-iou0.2-dist0.5-undirected");
    for (name, path) in [("p0", protocol0), ("p2", protocol2)] {
        let report = vsua::write_geometry(
            &path,
            &out.path().join(format!("geometry_{name}")),
            false,
            &NoReporter,
        )
        .unwrap();
        let compared = run_python(
            COMPARE_GEOMETRY,
            &[
                &golden.join("expected/geometry_feats-undirected.pkl"),
                &report.output,
            ],
        );
        assert_eq!(compared.trim(), "20");
        let direct = graphs(GraphSource::BoxInfo(path), &out.path().join(name));
        let compared = run_python(COMPARE_GRAPHS, &[&expected_graphs, &direct.output]);
        assert_eq!(compared.trim(), "20");
    }
}

#[test]
fn single_box_and_empty_images_do_not_crash() {
    let out = temp_dir();
    let box_info = out.path().join("box_info.pkl");
    run_python(
        r#"
import sys, pickle, numpy as np
box_info = {
    1: {"boxes": np.array([[10, 20, 110, 220]], np.float32), "image_w": 640, "image_h": 480},
    2: {"boxes": np.zeros((0, 4), np.float32), "image_w": 640, "image_h": 480},
    3: {"boxes": np.array([[10, 20, 110, 220], [50, 60, 150, 160], [300, 300, 310, 330], [0, 0, 639, 479]], np.float32), "image_w": 640, "image_h": 480},
}
pickle.dump(box_info, open(sys.argv[1], "wb"), protocol=2)
"#,
        &[&box_info],
    );
    let report = graphs(
        GraphSource::BoxInfo(box_info.clone()),
        &out.path().join("g"),
    );
    assert_eq!(report.single_box, vec!["1"]);
    assert_eq!(report.no_boxes, vec!["2"]);
    let loaded = run_python(
        r#"
import sys, os, numpy as np
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    graph = np.load(os.path.join(folder, name), allow_pickle=True)[()]
    print(name, graph["edges"].tolist(), graph["edges"].dtype, graph["feats"].shape, graph["feats"].dtype)
"#,
        &[&report.output],
    );
    assert_eq!(
        loaded,
        "1.npy [[0, 0]] int64 (1, 8) float64\n\
         2.npy [] int64 (0, 8) float64\n\
         3.npy [[0, 1]] int64 (1, 8) float64\n"
    );
    // Resuming skips what is complete, redoes what is not.
    std::fs::write(report.output.join("3.npy"), b"\x93NUMPY").unwrap();
    let again = graphs(GraphSource::BoxInfo(box_info), &out.path().join("g"));
    assert_eq!((again.written, again.already_done), (1, 2));
}
