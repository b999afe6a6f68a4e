#!/usr/bin/env python3
"""Benchmark `cocoprep captions labels` and `captions ngrams` against the reference scripts.

One command re-runs everything: it builds cocoprep (release), generates a Karpathy-scale
dataset file from the real val2017 captions if it is missing (bench/gen_karpathy.py:
125,000 images, 625,350 captions), then runs cocoprep and the reference implementation
(bench/reference/prepro_labels.py and prepro_ngrams.py: the scripts' code, json +
collections + numpy + h5py) on the same input, alternating, `--runs` times each. Wall time
and peak RSS are measured per process (os.wait4). Outputs are checked equal before any
figure is printed: cocotalk.json byte for byte, the label arrays with h5py, the n-gram
pickles as Python objects. Prints a markdown table of medians and ratios.

usage: bench/captions.py [--runs 3] [--data /work/bench-data/captions] [--jobs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COCOPREP = os.path.join(ROOT, "target", "release", "cocoprep")


def measure(command, log):
    """Runs `command`; returns (wall seconds, peak RSS in MiB).

    Linux counts the parent's resident memory at exec in the child's peak, so this script
    keeps its own memory small: outputs are checked and the input counted in subprocesses.
    """
    started = time.perf_counter()
    with open(log, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit("failed (%d): %s\nsee %s" % (status, " ".join(command), log))
    return elapsed, usage.ru_maxrss / 1024.0


CHECK_LABELS = """
import sys, h5py, numpy as np
ours, reference = sys.argv[1:]
with open(ours + '.json', 'rb') as a, open(reference + '.json', 'rb') as b:
    assert a.read() == b.read(), 'cocotalk.json differs'
with h5py.File(ours + '_label.h5', 'r') as a, h5py.File(reference + '_label.h5', 'r') as b:
    assert sorted(a) == sorted(b)
    for name in b:
        assert a[name].dtype == b[name].dtype and np.array_equal(a[name][:], b[name][:]), name
"""

CHECK_NGRAMS = """
import sys, pickle
ours, reference = sys.argv[1:]
for suffix in ('-words.p', '-idxs.p'):
    with open(ours + suffix, 'rb') as a, open(reference + suffix, 'rb') as b:
        mine, theirs = pickle.load(a), pickle.load(b)
    assert mine == theirs and type(mine['document_frequency']) is type(theirs['document_frequency']), suffix
"""

COUNT = """
import sys, json
images = json.load(open(sys.argv[1]))['images']
print(len(images), sum(len(image['sentences']) for image in images))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default="/work/bench-data/captions")
    parser.add_argument("--jobs", type=int, default=0, help="cocoprep --jobs (0 = all cores)")
    parser.add_argument("--python", default=os.path.join(ROOT, ".venv", "bin", "python"))
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cocoprep"], cwd=ROOT, check=True)
    os.makedirs(args.data, exist_ok=True)
    dataset = os.path.join(args.data, "dataset_coco_scale.json")
    if not os.path.exists(dataset):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_karpathy.py"), dataset], check=True)
    out = os.path.join(args.data, "out")
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "bench.log")
    open(log, "w").close()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    reference_script = lambda name: os.path.join(HERE, "reference", name)

    ours_talk, reference_talk = os.path.join(out, "ours_talk"), os.path.join(out, "reference_talk")
    ours_ngrams, reference_ngrams = os.path.join(out, "ours-train"), os.path.join(out, "reference-train")
    tasks = [
        (
            "captions labels",
            [COCOPREP, "-q", *jobs, "captions", "labels", dataset, "--output-json", ours_talk + ".json", "--output-h5", ours_talk],
            [args.python, reference_script("prepro_labels.py"), "--input_json", dataset, "--output_json", reference_talk + ".json", "--output_h5", reference_talk],
            [args.python, "-c", CHECK_LABELS, ours_talk, reference_talk],
        ),
        (
            "captions ngrams --split train",
            [COCOPREP, "-q", *jobs, "captions", "ngrams", dataset, "--dict-json", reference_talk + ".json", "--output-pkl", ours_ngrams, "--split", "train"],
            [args.python, reference_script("prepro_ngrams.py"), "--input_json", dataset, "--dict_json", reference_talk + ".json", "--output_pkl", reference_ngrams, "--split", "train"],
            [args.python, "-c", CHECK_NGRAMS, ours_ngrams, reference_ngrams],
        ),
    ]
    rows = []
    for name, ours, reference, check in tasks:
        times = {"ours": [], "reference": []}
        memory = {"ours": [], "reference": []}
        for run in range(args.runs):
            for label, command in (("reference", reference), ("ours", ours)):
                elapsed, peak = measure(command, log)
                times[label].append(elapsed)
                memory[label].append(peak)
                print("%s, %s, run %d: %.2f s, %.0f MiB" % (name, label, run + 1, elapsed, peak), file=sys.stderr)
            if run == 0:
                subprocess.run(check, check=True)
        rows.append((name, statistics.median(times["ours"]), statistics.median(times["reference"]),
                     statistics.median(memory["ours"]), statistics.median(memory["reference"])))

    images, captions = map(int, subprocess.run([args.python, "-c", COUNT, dataset], check=True,
                                               capture_output=True, text=True).stdout.split())
    print("Input: %s (%d images, %d captions, %.0f MB); %d runs each, medians; cores: %d; load average before: %s"
          % (dataset, images, captions, os.path.getsize(dataset) / 1e6, args.runs, os.cpu_count(),
             " ".join("%.1f" % x for x in os.getloadavg())))
    print()
    print("| job | cocoprep | reference (Python) | speed-up | cocoprep peak RSS | reference peak RSS | memory ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, ours_time, reference_time, ours_memory, reference_memory in rows:
        print("| `%s` | %.2f s | %.2f s | %.1f× | %.0f MiB | %.0f MiB | %.2f |" % (
            name, ours_time, reference_time, reference_time / ours_time,
            ours_memory, reference_memory, ours_memory / reference_memory))


if __name__ == "__main__":
    main()
