#!/usr/bin/env python3
"""VSUA geometry graphs: cocoprep vs cal_geometry_feats.py + build_geometry_graph.py.

Generates (once) a box-info pickle {image_id: {'boxes': float32 (N, 4), 'image_w',
'image_h'}} with `--images` images of 10-100 boxes, then runs, interleaved, `--runs` times:

* reference: the two VSUA scripts' algorithms in Python (geometry on multiprocessing.Pool(20)
  as cal_geometry_feats.py does, the all-pairs pickle written and read back, then the graph
  loop of build_geometry_graph.py);
* cocoprep `features vsua-geometry` then `features vsua-graph --geometry-path` (same pipeline);
* cocoprep `features vsua-graph --box-info` (direct: no all-pairs pickle).

Prints wall and CPU (user + sys, children included) medians, peak RSS and the size of the
all-pairs pickle, after checking that every graph matches the reference's (edges identical,
feats within rtol 1e-6).

usage: bench/vsua.py [--images 1000] [--runs 1] [--dir /work/bench-data/features]
"""
import argparse
import os
import pathlib
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402

REFERENCE = r"""
# cal_geometry_feats.py (VSUA / Delphboy) and build_geometry_graph.py, algorithms as published.
import math, os, pickle, sys
import numpy as np
from multiprocessing import Pool

box_info_path, prefix = sys.argv[1], sys.argv[2]
NumFeats, Directed, Iou, Dist = 8, False, 0.2, 0.5
box_info = pickle.load(open(box_info_path, "rb"), encoding="latin1")

def get_cwh(box):
    x_min, y_min, x_max, y_max = box
    cx = (x_min + x_max) * 0.5
    cy = (y_min + y_max) * 0.5
    w = (x_max - x_min) + 1.
    h = (y_max - y_min) + 1.
    return cx, cy, w, h

def cal_geometry_feats(id):
    boxes = box_info[id]['boxes']
    num_boxes = boxes.shape[0]
    w, h = box_info[id]['image_w'], box_info[id]['image_h']
    diag_len = np.sqrt(w ** 2 + h ** 2)
    feats = np.zeros([num_boxes, num_boxes, NumFeats], dtype='float')
    for i in range(num_boxes):
        start = 0 if Directed else i
        for j in range(start, num_boxes):
            box1, box2 = boxes[i], boxes[j]
            cx1, cy1, w1, h1 = get_cwh(box1)
            cx2, cy2, w2, h2 = get_cwh(box2)
            x_min1, y_min1, x_max1, y_max1 = box1
            x_min2, y_min2, x_max2, y_max2 = box2
            scale1 = w1 * h1
            scale2 = w2 * h2
            i_w = max(min(x_max1, x_max2) - max(x_min1, x_min2) + 1, 0)
            i_h = max(min(y_max1, y_max2) - max(y_min1, y_min2) + 1, 0)
            area_i = i_w * i_h
            area_u = scale1 + scale2 - area_i
            dist = np.sqrt((cx1 - cx2) ** 2 + (cy1 - cy2) ** 2)
            feats[i][j] = np.array([(cx2 - cx1) / np.sqrt(scale1), (cy2 - cy1) / np.sqrt(scale1),
                                    np.sqrt(scale2 / scale1), area_i / area_u, w1 / h1, w2 / h2,
                                    dist / diag_len, math.atan2(cy2 - cy1, cx2 - cx1)])
    return feats

if __name__ == "__main__":
    ids = list(box_info.keys())
    with Pool(20) as pool:
        results = pool.map(cal_geometry_feats, ids)
    geometry_path = prefix + "_feats-undirected.pkl"
    pickle.dump(dict(zip(ids, results)), open(geometry_path, "wb"))
    del results
    geometry = pickle.load(open(geometry_path, "rb"))
    folder = prefix + "-iou0.2-dist0.5-undirected"
    os.makedirs(folder)
    for id, feats in geometry.items():
        n = feats.shape[0]
        edges, relas = [], []
        for i in range(n):
            for j in range(0 if Directed else i, n):
                if i == j or feats[i][j][3] < Iou or feats[i][j][6] > Dist:
                    continue
                edges.append([i, j])
                relas.append(feats[i][j])
        if len(edges) == 0:
            edges.append([0, 1])
            relas.append(feats[0][1])
        np.save(os.path.join(folder, str(id)), {'edges': np.array(edges), 'feats': np.array(relas)})
"""

GENERATE = r"""
import pickle, sys
import numpy as np
path, images = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
ids = rng.choice(np.arange(1, 581930), size=images, replace=False)
sizes = [(640, 480), (640, 427), (500, 375), (480, 640), (427, 640)]
box_info = {}
for image_id in ids:
    w, h = sizes[rng.integers(len(sizes))]
    k = int(rng.integers(10, 101))
    x1 = rng.uniform(0, w - 20, k); y1 = rng.uniform(0, h - 20, k)
    x2 = np.minimum(x1 + np.maximum(10, rng.uniform(0.05, 0.8, k) * w), w - 1)
    y2 = np.minimum(y1 + np.maximum(10, rng.uniform(0.05, 0.8, k) * h), h - 1)
    box_info[int(image_id)] = {"boxes": np.stack([x1, y1, x2, y2], 1).astype(np.float32), "image_w": w, "image_h": h}
pickle.dump(box_info, open(path, "wb"), protocol=2)
"""

CHECK = r"""
import os, sys
import numpy as np
expected, actual = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(expected))
assert names == sorted(os.listdir(actual))
edges = 0
for name in names:
    e = np.load(os.path.join(expected, name), allow_pickle=True)[()]
    a = np.load(os.path.join(actual, name), allow_pickle=True)[()]
    assert np.array_equal(e["edges"], a["edges"]), (name, e["edges"], a["edges"])
    np.testing.assert_allclose(a["feats"], e["feats"], rtol=1e-6, atol=0)
    edges += len(e["edges"])
print(len(names), edges)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/work/bench-data/features"))
    args = parser.parse_args()
    python = common.bench_python()
    args.dir.mkdir(parents=True, exist_ok=True)
    box_info = args.dir / f"vsua_box_info_{args.images}.pkl"
    if not box_info.exists():
        subprocess.run([python, "-c", GENERATE, str(box_info), str(args.images)], check=True)
    cocoprep = str(common.cargo_build("-p", "cocoprep") / "cocoprep")
    out = {name: args.dir / f"vsua-{name}" for name in ("reference", "cocoprep", "direct")}
    commands = {
        "reference": [[python, "-c", REFERENCE, str(box_info), str(out["reference"] / "geometry")]],
        "cocoprep": [
            [cocoprep, "-q", "features", "vsua-geometry", str(box_info), "--save-path",
             str(out["cocoprep"] / "geometry_feats")],
            [cocoprep, "-q", "features", "vsua-graph", "--geometry-path", str(out["cocoprep"] / "geometry_feats"),
             "--save-path", str(out["cocoprep"] / "geometry")],
        ],
        "direct": [[cocoprep, "-q", "features", "vsua-graph", "--box-info", str(box_info), "--save-path",
                    str(out["direct"] / "geometry")]],
    }
    times = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    memory = {name: [] for name in commands}
    for run in range(args.runs):
        for name, steps in commands.items():
            shutil.rmtree(out[name], ignore_errors=True)
            out[name].mkdir(parents=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            total, peak = 0.0, 0.0
            for command in steps:
                elapsed, rss, _, _ = common.peak_rss_mib(command)
                total += elapsed
                peak = max(peak, rss)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append(total)
            cpu[name].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
            memory[name].append(peak)
            print(f"run {run + 1}: {name:10} {total:8.2f} s wall {cpu[name][-1]:8.2f} s CPU {peak:8.0f} MiB",
                  file=sys.stderr)
    folders = {name: out[name] / "geometry-iou0.2-dist0.5-undirected" for name in commands}
    checks = [subprocess.run([python, "-c", CHECK, str(folders["reference"]), str(folders[name])], check=True,
                             capture_output=True, text=True).stdout.split() for name in ("cocoprep", "direct")]
    pickle_mb = (out["reference"] / "geometry_feats-undirected.pkl").stat().st_size / 1e6
    ours_mb = (out["cocoprep"] / "geometry_feats-undirected.pkl").stat().st_size / 1e6
    labels = {"reference": "cal_geometry_feats + build_geometry_graph (Python)",
              "cocoprep": "cocoprep vsua-geometry + vsua-graph --geometry-path",
              "direct": "cocoprep vsua-graph --box-info (no all-pairs pickle)"}
    base, base_cpu = common.median(times["reference"]), common.median(cpu["reference"])
    rows = []
    for name in commands:
        t, c = common.median(times[name]), common.median(cpu[name])
        rows.append([labels[name], f"{t:.2f}", f"{base / t:.1f}x", f"{c:.2f}", f"{base_cpu / c:.1f}x",
                     f"{common.median(memory[name]):.0f}"])
    print(f"VSUA graphs for {args.images} generated images (10-100 boxes), median of {args.runs} runs, "
          f"{common.machine()}; all {checks[0][0]} graphs ({checks[0][1]} edges) equal the reference's in both "
          f"cocoprep modes; all-pairs pickle {pickle_mb:.0f} MB (reference, protocol 4) / {ours_mb:.0f} MB (cocoprep, "
          f"protocol 3)\n")
    print(common.table(["pipeline", "wall (s)", "wall speed-up", "CPU (s)", "CPU-time ratio", "peak RSS (MiB)"], rows))
    print("\nload average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
