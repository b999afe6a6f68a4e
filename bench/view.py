#!/usr/bin/env python3
"""`cocoprep view` at train2017 scale: load time and first-page time.

Starts the viewer (the release `view_server` example: the same `Viewer` and HTTP server
as `cocoprep view`) on a train2017-scale instances file and measures, as a browser would
fetch them (6 connections):
  * load: reading and indexing the file, until the URL is printed;
  * first page: /api/info + /api/images (page 1, 60 images) + the 60 thumbnails;
  * filtered pages: category + area filter, crowd filter, and a deep page (page 1000).
The generated file repeats the coco-mini images' file names, so by default
its thumbnails are drawn over the real JPEGs of ../shared/data/coco-mini (linked
into one folder); with `--no-photos` they are drawn on grey. Prints a markdown table of
medians over --runs.

usage: bench/view.py [--file F] [--runs 5] [--no-photos]
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402
from load_index import default_file  # noqa: E402


def photo_folder():
    """The coco-mini train2017 and val2017 images linked into one folder."""
    folder = common.REPO / "bench" / "out" / "view-photos"
    folder.mkdir(parents=True, exist_ok=True)
    mini = common.REPO.parent / "shared" / "data" / "coco-mini"
    for split in ("train2017", "val2017"):
        for image in (mini / split).glob("*.jpg"):
            link = folder / image.name
            if not link.exists():
                link.symlink_to(image.resolve())
    return folder


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def first_page(base, pool, query="page=0&per_page=60"):
    started = time.perf_counter()
    fetch(base + "api/info")
    page = json.loads(fetch(base + "api/images?" + query))
    thumbnails = [base + f"thumb/{image['id']}.jpg" for image in page["images"]]
    list(pool.map(fetch, thumbnails))
    return time.perf_counter() - started, page["total"], len(thumbnails)


def cpu_seconds(pid):
    """User + system CPU seconds the process has used (/proc/PID/stat)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(url):
    started = time.perf_counter()
    body = json.loads(fetch(url))
    return time.perf_counter() - started, body["total"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-photos", dest="photos", action="store_false")
    args = parser.parse_args()
    file = args.file or default_file()
    release = common.cargo_build("-p", "cocoprep-render", "--example", "view_server")
    command = [str(release / "examples" / "view_server"), str(file)]
    if args.photos:
        command.append(str(photo_folder()))
    load_before = f"{os.getloadavg()[0]:.1f}"
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        load_seconds = float(server.stdout.readline().split()[1])
        base = server.stdout.readline().strip()
        until_url = time.perf_counter() - started
        rows = []
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            cpu_before = cpu_seconds(server.pid)
            first = [first_page(base, pool) for _ in range(args.runs)]
            first_cpu = (cpu_seconds(server.pid) - cpu_before) / args.runs
            rows.append(["first page: info + 60 images + 60 thumbnails",
                         f"{statistics.median(t for t, _, _ in first):.3f}", f"{first_cpu:.3f}",
                         f"{first[0][1]:,}"])
            cpu_before = cpu_seconds(server.pid)
            filtered = [first_page(base, pool, "page=0&per_page=60&category=1&min_area=10000")
                        for _ in range(args.runs)]
            filtered_cpu = (cpu_seconds(server.pid) - cpu_before) / args.runs
            rows.append(["filtered first page (person, area ≥ 10000) + thumbnails",
                         f"{statistics.median(t for t, _, _ in filtered):.3f}", f"{filtered_cpu:.3f}",
                         f"{filtered[0][1]:,}"])
        for label, query in [("crowd = yes, page 1 (list only)", "crowd=yes"),
                             ("page 1000 (list only)", "page=1000&per_page=60"),
                             ("text search `000000001` (list only)", "q=000000001")]:
            cpu_before = cpu_seconds(server.pid)
            runs = [timed(base + "api/images?" + query) for _ in range(args.runs)]
            cpu = (cpu_seconds(server.pid) - cpu_before) / args.runs
            rows.append([label, f"{statistics.median(t for t, _ in runs):.3f}", f"{cpu:.3f}",
                         f"{runs[0][1]:,}"])
    finally:
        server.kill()
        server.wait()
    print(f"file: {file} ({file.stat().st_size / 1e6:.0f} MB)")
    print(f"machine: {common.machine()}")
    print(f"load + index: {load_seconds:.2f} s (URL printed after {until_url:.2f} s)")
    print(f"thumbnails drawn over: {'the real coco-mini JPEGs' if args.photos else 'grey'}")
    print(f"load average before: {load_before}, after: {os.getloadavg()[0]:.1f}\n")
    print(common.table(["request", "median wall seconds", "server CPU seconds (mean)", "matching images"],
                       rows))


if __name__ == "__main__":
    main()
