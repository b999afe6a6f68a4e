#!/usr/bin/env python3
"""Bottom-up TSV -> att/fc/box files: cocoprep vs make_bu_data.py's algorithm in Python.

Generates (once) a TSV in the bottom-up-attention format with `--images` rows of 10-100
boxes (uniform), 2048-d float32 features (half exact zeros, the rest exponential, like
the ReLU'd pool5 features) and float32 boxes, base64-encoded, `\\r\\n` line ends. Then,
interleaved, `--runs` times each into fresh output folders:

* reference: make_bu_data.py's loop (self-critical, with `decodestring` -> `decodebytes`
  so it runs on Python >= 3.9): csv.DictReader + base64 + np.savez_compressed + np.save;
* cocoprep `features butd` (release build, all cores), default compression level 1;
* cocoprep with `--compression-level 6` (the level numpy's zlib uses).

Prints wall-time and CPU-time (user + sys) medians, speed-ups, peak RSS and the att folder
sizes as a markdown table, after checking that both outputs hold the same arrays. On a
shared machine the wall-time ratio depends on how many cores are free (cocoprep uses all
of them, the reference one); the CPU-time ratio does not.

usage: bench/butd.py [--images 2000] [--runs 3] [--dir /work/bench-data/features]
"""
import argparse
import base64
import os
import pathlib
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402

REFERENCE = r"""
# make_bu_data.py (ruotianluo/self-critical.pytorch scripts/make_bu_data.py), the loop
# body unchanged except base64.decodestring (removed in Python 3.9) -> decodebytes.
import base64, csv, os, sys
import numpy as np

csv.field_size_limit(sys.maxsize)
FIELDNAMES = ['image_id', 'image_w', 'image_h', 'num_boxes', 'boxes', 'features']
infiles, output_dir = sys.argv[1:-1], sys.argv[-1]
os.makedirs(output_dir + '_att')
os.makedirs(output_dir + '_fc')
os.makedirs(output_dir + '_box')
for infile in infiles:
    with open(infile, "r") as tsv_in_file:
        reader = csv.DictReader(tsv_in_file, delimiter='\t', fieldnames=FIELDNAMES)
        for item in reader:
            item['image_id'] = int(item['image_id'])
            item['num_boxes'] = int(item['num_boxes'])
            for field in ['boxes', 'features']:
                item[field] = np.frombuffer(base64.decodebytes(item[field].encode('ascii')),
                        dtype=np.float32).reshape((item['num_boxes'], -1))
            np.savez_compressed(os.path.join(output_dir + '_att', str(item['image_id'])), feat=item['features'])
            np.save(os.path.join(output_dir + '_fc', str(item['image_id'])), item['features'].mean(0))
            np.save(os.path.join(output_dir + '_box', str(item['image_id'])), item['boxes'])
"""

GENERATE = r"""
import base64, sys
import numpy as np
path, images = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(2024)
ids = rng.choice(np.arange(1, 581930), size=images, replace=False)
sizes = [(640, 480), (640, 427), (500, 375), (480, 640), (427, 640), (640, 426)]
with open(path, "w", newline="") as out:
    for image_id in ids:
        w, h = sizes[rng.integers(len(sizes))]
        k = int(rng.integers(10, 101))
        x1 = rng.uniform(0, w - 20, k); y1 = rng.uniform(0, h - 20, k)
        x2 = x1 + np.maximum(10, rng.uniform(0.1, 1.0, k) * (w - x1)); y2 = y1 + np.maximum(10, rng.uniform(0.1, 1.0, k) * (h - y1))
        boxes = np.stack([x1, y1, np.minimum(x2, w - 1), np.minimum(y2, h - 1)], 1).astype(np.float32)
        feats = np.where(rng.random((k, 2048)) < 0.5, 0.0, rng.exponential(2.35, (k, 2048))).astype(np.float32)
        out.write("\t".join([str(image_id), str(w), str(h), str(k),
                             base64.b64encode(boxes.tobytes()).decode(),
                             base64.b64encode(feats.tobytes()).decode()]) + "\r\n")
"""

CHECK = r"""
import os, sys
import numpy as np
reference, ours = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(reference + "_att"))
assert names == sorted(os.listdir(ours + "_att")), "different images"
for name in names[::10]:
    a = np.load(os.path.join(reference + "_att", name))["feat"]
    b = np.load(os.path.join(ours + "_att", name))["feat"]
    assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    stem = name[:-4] + ".npy"
    for kind in ("_fc", "_box"):
        assert open(os.path.join(reference + kind, stem), "rb").read() == open(os.path.join(ours + kind, stem), "rb").read(), (kind, stem)
print(len(names))
"""


def folder_bytes(path):
    return sum(entry.stat().st_size for entry in os.scandir(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/work/bench-data/features"))
    args = parser.parse_args()
    python = common.bench_python()
    args.dir.mkdir(parents=True, exist_ok=True)
    tsv = args.dir / f"butd_{args.images}.tsv"
    if not tsv.exists():
        print(f"generating {tsv} ...", file=sys.stderr)
        partial = tsv.with_suffix(".partial")
        subprocess.run([python, "-c", GENERATE, str(partial), str(args.images)], check=True)
        partial.rename(tsv)
    release = common.cargo_build("-p", "cocoprep")
    cocoprep = str(release / "cocoprep")
    outputs = {name: args.dir / f"out-{name}" for name in ("reference", "cocoprep", "cocoprep-level6")}
    commands = {
        "reference": [python, "-c", REFERENCE, str(tsv), str(outputs["reference"] / "cocobu")],
        "cocoprep": [cocoprep, "-q", "features", "butd", str(tsv), "--output-dir", str(outputs["cocoprep"] / "cocobu")],
        "cocoprep-level6": [cocoprep, "-q", "features", "butd", str(tsv), "--output-dir",
                            str(outputs["cocoprep-level6"] / "cocobu"), "--compression-level", "6"],
    }
    times = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    memory = {name: [] for name in commands}
    for run in range(args.runs):
        for name, command in commands.items():
            shutil.rmtree(outputs[name], ignore_errors=True)
            outputs[name].mkdir(parents=True)
            subprocess.run(["sync"], check=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, rss, _, _ = common.peak_rss_mib(command)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            times[name].append(elapsed)
            cpu[name].append(seconds)
            memory[name].append(rss)
            print(f"run {run + 1}: {name:16} {elapsed:8.2f} s wall {seconds:8.2f} s CPU {rss:8.0f} MiB",
                  file=sys.stderr)
    checked = subprocess.run([python, "-c", CHECK, str(outputs["reference"] / "cocobu"),
                              str(outputs["cocoprep"] / "cocobu")], check=True, capture_output=True, text=True)
    base = common.median(times["reference"])
    base_cpu = common.median(cpu["reference"])
    reference_att = folder_bytes(outputs["reference"] / "cocobu_att")
    rows = []
    labels = {"reference": "make_bu_data.py algorithm (Python, numpy)", "cocoprep": "cocoprep (level 1, default)",
              "cocoprep-level6": "cocoprep --compression-level 6"}
    for name in commands:
        t = common.median(times[name])
        att = folder_bytes(outputs[name] / "cocobu_att")
        c = common.median(cpu[name])
        rows.append([labels[name], f"{t:.2f}", f"{args.images / t:.0f}", f"{base / t:.1f}x", f"{c:.2f}",
                     f"{base_cpu / c:.1f}x", f"{common.median(memory[name]):.0f}",
                     f"{att / 1e6:.0f} ({att / reference_att:.3f}x)"])
    size = tsv.stat().st_size / 1e9
    print(f"`features butd` on a generated {size:.2f} GB TSV ({args.images} images, 10-100 boxes, 2048-d), "
          f"median of {args.runs} runs, {common.machine()}; outputs checked equal on {checked.stdout.strip()} images\n")
    print(common.table(["tool", "wall (s)", "images/s", "wall speed-up", "CPU (s)", "CPU-time ratio",
                        "peak RSS (MiB)", "att MB (vs reference)"], rows))
    print("\nload average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
