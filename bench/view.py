#!/usr/bin/env python3
"""`cocoprep view` at train2017 scale: load time and first-page time.

Starts the viewer (the release `view_server` example: the same `Viewer` and HTTP server
as `cocoprep view`) on a train2017-scale instances file and measures, as a browser would
fetch them (6 connections):
  * load: reading and indexing the file, until the URL is printed;
  * first page: /api/info + /api/images (page 1, 60 images) + the 60 thumbnails;
  * filtered pages: category + area filter, crowd filter, and a deep page (page 1000).
There are no image files for the generated file, so thumbnails are drawn on grey (masks
and boxes are still rasterised). Prints a markdown table of medians over --runs.

usage: bench/view.py [--file F] [--runs 5]
"""
import argparse
import concurrent.futures
import json
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402
from load_index import default_file  # noqa: E402


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


def timed(url):
    started = time.perf_counter()
    body = json.loads(fetch(url))
    return time.perf_counter() - started, body["total"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    file = args.file or default_file()
    release = common.cargo_build("-p", "cocoprep-render", "--example", "view_server")
    started = time.perf_counter()
    server = subprocess.Popen([str(release / "examples" / "view_server"), str(file)],
                              stdout=subprocess.PIPE, text=True)
    try:
        load_seconds = float(server.stdout.readline().split()[1])
        base = server.stdout.readline().strip()
        until_url = time.perf_counter() - started
        rows = []
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            first = [first_page(base, pool) for _ in range(args.runs)]
            rows.append(["first page: info + 60 images + 60 thumbnails",
                         f"{statistics.median(t for t, _, _ in first):.3f}", f"{first[0][1]:,}"])
            filtered = [first_page(base, pool, "page=0&per_page=60&category=1&min_area=10000")
                        for _ in range(args.runs)]
            rows.append(["filtered first page (person, area ≥ 10000) + thumbnails",
                         f"{statistics.median(t for t, _, _ in filtered):.3f}", f"{filtered[0][1]:,}"])
        for label, query in [("crowd = yes, page 1 (list only)", "crowd=yes"),
                             ("page 1000 (list only)", "page=1000&per_page=60"),
                             ("text search `000000001` (list only)", "q=000000001")]:
            runs = [timed(base + "api/images?" + query) for _ in range(args.runs)]
            rows.append([label, f"{statistics.median(t for t, _ in runs):.3f}", f"{runs[0][1]:,}"])
    finally:
        server.kill()
        server.wait()
    print(f"file: {file} ({file.stat().st_size / 1e6:.0f} MB)")
    print(f"machine: {common.machine()}")
    print(f"load + index: {load_seconds:.2f} s (URL printed after {until_url:.2f} s)\n")
    print(common.table(["request", "median seconds", "matching images"], rows))


if __name__ == "__main__":
    main()
