#!/usr/bin/env python3
"""cocoprep's Python API vs pycocotools 2.0.11 and hotcoco in the same run.

1. `COCO(path)` on the train2017-scale file (bench/gen_instances.py, via load_index.py's
   default_file): load + index time inside the process and the process's peak RSS, each
   tool in its own process, interleaved, `--runs` times.
2. `mask.encode` / `mask.decode` / `mask.iou` on 100,000 masks (50×50 random rectangles; iou
   over 1,000 × 100 = 100,000 pairs), cocoprep.mask vs pycocotools.mask.

Builds the release wheel (scripts/build-wheel.sh) unless `--wheel` names one, and installs it
into bench/.venv next to the reference tools. usage: bench/python_api.py [--runs 5] [--file F]
"""
import argparse
import glob
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402
from load_index import default_file  # noqa: E402

LOAD = """
import sys, time, contextlib, io, resource
module = sys.argv[1]
if module == "pycocotools":
    from pycocotools.coco import COCO
elif module == "hotcoco":
    from hotcoco import COCO
else:
    from cocoprep import COCO
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    coco = COCO(sys.argv[2])
elapsed = time.perf_counter() - start
ids = coco.getAnnIds(catIds=[1], iscrowd=0)
print(f"seconds {elapsed:.4f} rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} person {len(ids)}")
"""

MASKS = """
import sys, time
import numpy as np
module = sys.argv[1]
if module == "pycocotools":
    from pycocotools import mask
else:
    from cocoprep import mask
rng = np.random.default_rng(0)
count, size = 100_000, 50
# Blobs: random rectangles, Fortran order as pycocotools needs.
masks = np.zeros((size, size, count), dtype=np.uint8, order="F")
corners = rng.integers(0, size, size=(count, 4))
for index, (a, b, c, d) in enumerate(corners):
    masks[min(a, b):max(a, b) + 1, min(c, d):max(c, d) + 1, index] = 1
timings = {}
start = time.perf_counter(); rles = mask.encode(masks); timings["encode"] = time.perf_counter() - start
start = time.perf_counter(); decoded = mask.decode(rles); timings["decode"] = time.perf_counter() - start
assert decoded.shape == masks.shape
start = time.perf_counter(); ious = mask.iou(rles[:1000], rles[1000:1100], [0] * 100); timings["iou"] = time.perf_counter() - start
print(" ".join(f"{k} {v:.4f}" for k, v in timings.items()), "check", float(np.asarray(ious).sum()))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wheel", type=pathlib.Path)
    args = parser.parse_args()
    file = args.file or default_file()
    python = common.bench_python()
    wheel = args.wheel
    if wheel is None:
        subprocess.run([str(common.REPO / "scripts" / "build-wheel.sh")], check=True)
        wheel = pathlib.Path(glob.glob(str(common.REPO / "dist" / "cocoprep-*.whl"))[0])
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel)], check=True)

    tools = ["cocoprep", "hotcoco", "pycocotools"]
    times = {name: [] for name in tools}
    memory = {name: [] for name in tools}
    for run in range(args.runs):
        for name in tools:
            output = subprocess.run([python, "-c", LOAD, name, str(file)], check=True, capture_output=True, text=True).stdout
            match = re.search(r"seconds ([0-9.]+) rss ([0-9.]+) person ([0-9]+)", output)
            times[name].append(float(match.group(1)))
            memory[name].append(float(match.group(2)))
            print(f"run {run + 1}: {name:12} {times[name][-1]:7.3f} s {memory[name][-1]:8.0f} MiB ({match.group(3)} person ids)", file=sys.stderr)
    base_time, base_memory = common.median(times["pycocotools"]), common.median(memory["pycocotools"])
    rows = []
    for name in tools:
        t, m = common.median(times[name]), common.median(memory[name])
        rows.append([name, f"{t:.3f}", f"{base_time / t:.1f}x", f"{m:.0f}", f"{m / base_memory:.2f}x"])
    size = file.stat().st_size / 1e6
    print(f"`COCO(path)` on `{file.name}` ({size:.0f} MB), median of {args.runs} runs, {common.machine()}\n")
    print(common.table(["Python API", "load + index (s)", "speed vs pycocotools", "peak RSS (MiB)", "memory vs pycocotools"], rows))
    print("\nruns (s): " + "; ".join(f"{name} " + ", ".join(f"{t:.3f}" for t in times[name]) for name in tools))

    mask_times = {name: [] for name in ["cocoprep", "pycocotools"]}
    for run in range(max(1, args.runs // 2)):
        for name in mask_times:
            output = subprocess.run([python, "-c", MASKS, name], check=True, capture_output=True, text=True).stdout
            values = dict(zip(output.split()[0::2], output.split()[1::2]))
            mask_times[name].append(values)
            print(f"masks run {run + 1}: {name:12} {output.strip()}", file=sys.stderr)
    checks = {values["check"] for runs in mask_times.values() for values in runs}
    assert len(checks) == 1, f"iou sums differ: {checks}"
    rows = []
    for operation in ["encode", "decode", "iou"]:
        ours = common.median([float(v[operation]) for v in mask_times["cocoprep"]])
        theirs = common.median([float(v[operation]) for v in mask_times["pycocotools"]])
        rows.append([operation, f"{ours:.3f}", f"{theirs:.3f}", f"{theirs / ours:.1f}x"])
    print("\n`mask` on 100,000 masks of 50×50 (iou: 1,000 × 100 pairs), median of {} runs\n".format(len(mask_times["cocoprep"])))
    print(common.table(["operation", "cocoprep (s)", "pycocotools (s)", "speed-up"], rows))


if __name__ == "__main__":
    main()
