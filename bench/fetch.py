#!/usr/bin/env python3
"""Download and extraction benchmarks for `cocoprep get` (issue #4), one command:

    python3 bench/fetch.py [--runs 3] [--data /work/bench-data/fetch]

Generates its own inputs (random files, a >1 GB zip of real COCO JPEGs made by Info-ZIP
`zip`), starts a loopback HTTP server (`cocoprep-fetch` example `bench_server`, the same
server the tests use: sendfile when unthrottled, a per-connection rate cap when throttled),
and runs cocoprep and the reference tools on the same files in the same run:

1. rate-capped server: `cocoprep download --connections 1` vs `--connections 4` vs
   `aria2c -x4 -s4`;
2. unthrottled loopback: `cocoprep download` vs `curl`;
3. extraction of the JPEG zip: cocoprep's extractor (the `extract` example, the code `get`
   runs) vs Info-ZIP `unzip`.

Needs `aria2c`, `curl`, `zip`, `unzip` (Debian packages aria2, curl, zip, unzip).
"""
import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import REPO, cargo_build, machine, median, table  # noqa: E402


def timed(command, cwd=None):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def random_file(path, size):
    if path.exists() and path.stat().st_size == size:
        return
    with open(path, "wb") as out:
        left = size
        while left:
            chunk = min(left, 16 << 20)
            out.write(os.urandom(chunk))
            left -= chunk


def jpeg_zip(path, minimum_bytes):
    """A zip of real COCO JPEGs (coco-mini + the repository sample, copied under distinct
    names until the archive passes `minimum_bytes`), deflated by Info-ZIP like COCO's."""
    if path.exists() and path.stat().st_size >= minimum_bytes:
        return
    shared = pathlib.Path(os.environ.get("COCOPREP_SHARED", REPO.parent / "shared"))
    sources = sorted((shared / "data").rglob("*.jpg")) + sorted((REPO / "fixtures").rglob("*.jpg"))
    if not sources:
        raise SystemExit("no JPEGs found under ../shared/data or fixtures/")
    staging = path.parent / "zip-staging"
    shutil.rmtree(staging, ignore_errors=True)
    folder = staging / "images2017"
    folder.mkdir(parents=True)
    total, copy = 0, 0
    while total < minimum_bytes * 1.02:
        for index, source in enumerate(sources):
            target = folder / f"{copy:03d}_{index:04d}_{source.name}"
            os.link(source, target) if source.stat().st_dev == staging.stat().st_dev else shutil.copyfile(source, target)
            total += source.stat().st_size
        copy += 1
    if path.exists():
        path.unlink()
    subprocess.run(["zip", "-q", "-r", str(path), "images2017"], cwd=staging, check=True)
    shutil.rmtree(staging)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/bench-data/fetch"))
    parser.add_argument("--rate", type=int, default=5_000_000, help="per-connection cap, bytes/s")
    parser.add_argument("--throttled-mb", type=int, default=48)
    parser.add_argument("--fast-mb", type=int, default=1024)
    parser.add_argument("--zip-gb", type=float, default=1.05)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("/dev/shm/cocoprep-bench-fetch"),
                        help="where downloads and extractions are written (tmpfs by default, so that the "
                             "disk's writeback does not dominate the timings)")
    arguments = parser.parse_args()
    for tool in ["aria2c", "curl", "zip", "unzip"]:
        if shutil.which(tool) is None:
            raise SystemExit(f"`{tool}` is missing: apt-get install aria2 curl zip unzip")

    release = cargo_build("-p", "cocoprep", "--bin", "cocoprep")
    cargo_build("-p", "cocoprep-fetch", "--example", "bench_server", "--example", "extract")
    cocoprep = release / "cocoprep"
    server_binary = release / "examples" / "bench_server"
    extract_binary = release / "examples" / "extract"

    data = arguments.data
    served = data / "served"
    out = arguments.out
    served.mkdir(parents=True, exist_ok=True)
    throttled = served / "throttled.bin"
    fast = served / "fast.bin"
    random_file(throttled, arguments.throttled_mb << 20)
    random_file(fast, arguments.fast_mb << 20)
    archive = data / "jpegs.zip"
    jpeg_zip(archive, int(arguments.zip_gb * 1e9))
    fast_sha256 = hashlib.sha256(fast.read_bytes()).hexdigest()

    server = subprocess.Popen([str(server_binary), str(served), "--rate", str(arguments.rate)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    base = f"http://127.0.0.1:{port}"

    def fresh():
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)

    def run(command):
        fresh()
        return timed(command)

    results = {}
    try:
        url = f"{base}/throttled/throttled.bin"
        tools = {
            "cocoprep download --connections 1": [str(cocoprep), "download", "-q", url, "-o", str(out), "--connections", "1"],
            "cocoprep download --connections 4": [str(cocoprep), "download", "-q", url, "-o", str(out), "--connections", "4"],
            "aria2c -x4 -s4": ["aria2c", "-q", "-x4", "-s4", "-k1M", "--file-allocation=none", "--allow-overwrite=true",
                               "-d", str(out), "-o", "throttled.bin", url],
        }
        for name, command in tools.items():
            results[("throttled", name)] = [run(command) for _ in range(arguments.runs)]

        url = f"{base}/fast/fast.bin"
        tools = {
            "curl": ["curl", "-s", "-f", "-o", str(out / "fast.bin"), url],
            "cocoprep download --connections 1": [str(cocoprep), "download", "-q", url, "-o", str(out), "--connections", "1"],
            "cocoprep download (4 connections)": [str(cocoprep), "download", "-q", url, "-o", str(out)],
            "cocoprep download --sha256 (verified)": [str(cocoprep), "download", "-q", url, "-o", str(out), "--sha256", fast_sha256],
        }
        # Interleave the tools so that background load hits them alike.
        for _ in range(arguments.runs):
            for name, command in tools.items():
                results.setdefault(("fast", name), []).append(run(command))
    finally:
        server.stdin.close()
        server.wait()

    tools = {
        "unzip -q": lambda: ["unzip", "-q", "-o", str(archive), "-d", str(out)],
        "cocoprep extract (2 threads)": lambda: [str(extract_binary), str(archive), str(out)],
        "cocoprep extract (1 thread)": lambda: [str(extract_binary), str(archive), str(out), "1"],
    }
    for _ in range(arguments.runs):
        for name, command in tools.items():
            results.setdefault(("extract", name), []).append(run(command()))
    shutil.rmtree(out, ignore_errors=True)

    print(f"Machine: {machine()}; {arguments.runs} runs each (interleaved where noted), medians; "
          f"outputs written to {out}.\n")
    size = throttled.stat().st_size
    print(f"### Rate-capped server ({arguments.rate / 1e6:.0f} MB/s per connection), {size / 1e6:.0f} MB file\n")
    one = median(results[("throttled", "cocoprep download --connections 1")])
    rows = []
    for (kind, name), times in results.items():
        if kind == "throttled":
            t = median(times)
            rows.append([name, f"{t:.2f}", f"{size / t / 1e6:.1f}", f"{one / t:.2f}x"])
    print(table(["tool", "seconds", "MB/s", "speed-up vs 1 connection"], rows))
    aria = median(results[("throttled", "aria2c -x4 -s4")])
    four = median(results[("throttled", "cocoprep download --connections 4")])
    print(f"\ncocoprep (4 connections) vs aria2c -x4 -s4: {aria / four:.2f}x the speed\n")

    size = fast.stat().st_size
    print(f"### Unthrottled loopback, {size / 2**20:.0f} MiB file\n")
    curl = median(results[("fast", "curl")])
    rows = []
    for (kind, name), times in results.items():
        if kind == "fast":
            t = median(times)
            rows.append([name, f"{t:.2f}", f"{size / t / 1e6:.0f}", f"{curl / t:.2f}x"])
    print(table(["tool", "seconds", "MB/s", "throughput vs curl"], rows))

    size = archive.stat().st_size
    print(f"\n### Extraction of a {size / 1e9:.2f} GB zip of real COCO JPEGs (Info-ZIP deflate)\n")
    unzip = median(results[("extract", "unzip -q")])
    rows = []
    for (kind, name), times in results.items():
        if kind == "extract":
            t = median(times)
            rows.append([name, f"{t:.2f}", f"{unzip / t:.2f}x"])
    print(table(["tool", "seconds", "speed vs unzip"], rows))


if __name__ == "__main__":
    main()
