#!/usr/bin/env python3
"""Benchmark `cocoprep eval captions` against pycocoevalcap 1.2 (BLEU + ROUGE-L + CIDEr-D).

Input: the real COCO val2017 captions (5,000 images, 25,014 references) and generated
results, one per image (bench/reference/make_caption_results.py). Each run, alternating:

* pycocoevalcap: bench/reference/pycocoevalcap_scores.py, i.e. COCOEvalCap.evaluate's
  steps (pycocotools loadRes, PTBTokenizer through Java twice, Bleu(4), Rouge, Cider);
  its own timers split tokenization from scoring;
* cocoprep (release build, all cores, `-v` prints its own phase times).

The corpus scores must be equal before any figure is printed. Prints a markdown table of
medians: wall time and peak RSS of the whole process, and the tokenizer and scoring phases
separately, with ratios.

usage: bench/eval_captions.py [--runs 5] [--data /work/bench-data/eval-captions]
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import REPO, bench_python, cargo_build, machine  # noqa: E402

REFERENCE = REPO.parent / "shared" / "data" / "coco-val2017-captions" / "captions_val2017.json"


def measure(command):
    """Runs `command`; returns (wall seconds, stdout, stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, command))}\n{err[-2000:]}")
    return elapsed, out, err


def peak_rss(command):
    """Peak RSS (MiB) of a command, under GNU time."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, command)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {command}\n{result.stderr[-2000:]}")
    return int(result.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", default="/work/bench-data/eval-captions")
    args = parser.parse_args()

    python = bench_python()
    binary = cargo_build("-p", "cocoprep") / "cocoprep"
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    results = data / "results.json"
    reference_scripts = REPO / "bench" / "reference"
    subprocess.run([python, reference_scripts / "make_caption_results.py", REFERENCE, results], check=True)

    reference_command = [python, reference_scripts / "pycocoevalcap_scores.py", REFERENCE, results, data / "expected.json"]
    cocoprep_command = [binary, "eval", "captions", REFERENCE, results, "--json", "-v"]

    rows = {"pycocoevalcap": [], "cocoprep": []}
    for _ in range(args.runs):
        wall, _, _ = measure(reference_command)
        seconds = json.load(open(data / "expected.json"))["seconds"]
        rows["pycocoevalcap"].append((wall, seconds["tokenize"], seconds["score"]))
        wall, out, err = measure(cocoprep_command)
        phases = re.search(r"tokenized ([0-9.]+) s, scored ([0-9.]+) s", err)
        rows["cocoprep"].append((wall, float(phases.group(1)), float(phases.group(2))))
        expected = json.load(open(data / "expected.json"))["corpus"]
        actual = json.loads(out)
        if actual != expected:
            sys.exit(f"scores differ:\n  cocoprep      {actual}\n  pycocoevalcap {expected}")

    memory = {
        "pycocoevalcap": peak_rss(reference_command),
        "cocoprep": peak_rss(cocoprep_command),
    }
    median = {name: [statistics.median(column) for column in zip(*values)] for name, values in rows.items()}
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}; {args.runs} runs, medians.")
    print("Corpus scores equal (all six, bit for bit):", json.dumps(expected))
    print()
    print("| | whole command (s) | tokenization (s) | BLEU+ROUGE-L+CIDEr (s) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for name in ("pycocoevalcap", "cocoprep"):
        wall, tokenize, score = median[name]
        print(f"| {name} | {wall:.2f} | {tokenize:.3f} | {score:.3f} | {memory[name]:.0f} |")
    ref, ours = median["pycocoevalcap"], median["cocoprep"]
    print(
        f"| ratio | {ref[0] / ours[0]:.1f}x | {ref[1] / ours[1]:.0f}x | {ref[2] / ours[2]:.0f}x | "
        f"{memory['pycocoevalcap'] / memory['cocoprep']:.1f}x less |"
    )


if __name__ == "__main__":
    main()
