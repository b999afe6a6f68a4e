#!/usr/bin/env python3
"""Compare two cocoprep binaries on the benchmark inputs: the figures of a change, before and after.

Runs the same commands with both binaries, alternating (A, B, A, B, ...) so that machine
noise hits both alike, checks that both wrote identical outputs, and prints medians (wall,
CPU, peak RSS) and the ratio B/A as a markdown table. Inputs are the other benchmarks' own:
the train2017-scale instances file of bench/gen_instances.py and the bottom-up TSV of
bench/butd.py (made here when missing).

usage: bench/compare_builds.py OLD_BINARY NEW_BINARY [--runs N] [--work DIR] [--tmpfs DIR]
"""
import argparse
import hashlib
import os
import pathlib
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import butd  # noqa: E402
import common  # noqa: E402


def tree_digest(path):
    """sha256 over every output file's relative path and bytes, in sorted order. Left out: job
    markers, and what names the output folder itself (`path:` of data.yaml, the butd report),
    which differs between the two builds' folders by design."""
    digest = hashlib.sha256()
    root = pathlib.Path(path)
    for file in sorted(p for p in root.rglob("*") if p.is_file() and ".cocoprep-jobs" not in p.parts):
        if file.name.endswith("_report.json"):
            continue
        data = file.read_bytes()
        if file.name == "data.yaml":
            data = b"".join(line for line in data.splitlines(True) if not line.startswith(b"path:"))
        digest.update(str(file.relative_to(root)).encode())
        digest.update(data)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=pathlib.Path)
    parser.add_argument("new", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/work/bench-data"))
    parser.add_argument("--tmpfs", type=pathlib.Path, default=pathlib.Path("/dev/shm/cocoprep-compare"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    instances = args.work / "instances_train2017_scale.json"
    if not instances.exists():
        shared = common.REPO.parent / "shared" / "data" / "coco-mini" / "annotations"
        subprocess.run([sys.executable, str(common.REPO / "bench/gen_instances.py"), str(instances),
                        "--copies", "745", str(shared / "instances_train2017.json"),
                        str(shared / "instances_val2017.json")], check=True)
    tsv = args.work / "features" / "butd_2000.tsv"
    if not tsv.exists():
        tsv.parent.mkdir(parents=True, exist_ok=True)
        partial = tsv.with_suffix(".partial")
        subprocess.run([common.bench_python(), "-c", butd.GENERATE, str(partial), "2000"], check=True)
        partial.rename(tsv)

    def jobs(binary, name):
        out = {"convert yolo --segments (tmpfs)": args.tmpfs / name / "yolo",
               "features butd (disk)": args.work / "compare" / name / "butd",
               "masks rle (tmpfs)": args.tmpfs / name / "rle"}
        return {
            "load + inspect": ([binary, "-q", "inspect", "--json", str(instances)], None),
            "convert yolo --segments (tmpfs)": (
                [binary, "-q", "convert", "yolo", str(instances), "-o", str(out["convert yolo --segments (tmpfs)"]),
                 "--segments", "--link", "none"], out["convert yolo --segments (tmpfs)"]),
            "features butd (disk)": (
                [binary, "-q", "features", "butd", str(tsv), "--output-dir", str(out["features butd (disk)"] / "cocobu")],
                out["features butd (disk)"]),
            "masks rle (tmpfs)": (
                [binary, "-q", "masks", "rle", str(instances), "-o", str(out["masks rle (tmpfs)"] / "rle.json"),
                 "--recompute-area", "--recompute-bbox"], out["masks rle (tmpfs)"]),
        }

    builds = {"old": jobs(str(args.old), "old"), "new": jobs(str(args.new), "new")}
    results = {(build, task): {"wall": [], "cpu": [], "rss": []} for build in builds for task in builds[build]}
    digests = {}
    for run in range(args.runs):
        for task in builds["old"]:
            for build in ("old", "new"):
                command, output = builds[build][task]
                if output is not None:
                    shutil.rmtree(output, ignore_errors=True)
                    output.mkdir(parents=True)
                subprocess.run(["sync"], check=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall, rss, stdout, _ = common.peak_rss_mib(command)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                entry = results[(build, task)]
                entry["wall"].append(wall)
                entry["cpu"].append(cpu)
                entry["rss"].append(rss)
                digests[(build, task)] = tree_digest(output) if output is not None else \
                    hashlib.sha256(stdout.encode()).hexdigest()
                print(f"run {run + 1}: {task:34} {build}: {wall:7.2f} s wall {cpu:7.2f} s CPU {rss:6.0f} MiB",
                      file=sys.stderr)
    rows = []
    for task in builds["old"]:
        old, new = results[("old", task)], results[("new", task)]
        same = "yes" if digests[("old", task)] == digests[("new", task)] else "NO"
        ow, nw = common.median(old["wall"]), common.median(new["wall"])
        oc, nc = common.median(old["cpu"]), common.median(new["cpu"])
        orss, nrss = common.median(old["rss"]), common.median(new["rss"])
        rows.append([task, f"{ow:.2f}", f"{nw:.2f}", f"{nw / ow:.3f}", f"{oc:.2f}", f"{nc:.2f}",
                     f"{orss:.0f}", f"{nrss:.0f}", same])
    print(f"median of {args.runs} alternating runs, {common.machine()}\n")
    print(common.table(["task", "old wall (s)", "new wall (s)", "new/old", "old CPU (s)", "new CPU (s)",
                        "old RSS (MiB)", "new RSS (MiB)", "same output"], rows))
    print("\nload average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    shutil.rmtree(args.tmpfs, ignore_errors=True)


if __name__ == "__main__":
    main()
