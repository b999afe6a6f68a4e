#!/usr/bin/env python3
"""Benchmark `cocoprep webdata` against img2dataset 1.47.0 on a loopback HTTP server.

The server serves the real JPEGs of ../shared/data/coco-mini behind N URLs:
`/img/<i>/<j>.jpg` answers JPEG number j = i mod 159, `/missing/<i>.jpg` answers 404, and
`/text/<i>.jpg` answers 200 with an HTML body that is no image. It is nginx (Debian's
`nginx-light`, `apt-get install nginx-light`; one worker process, HTTP/1.1 keep-alive, access
log off, started by the bench on loopback with a generated config), because the server shares
the machine's cores with both tools and must cost little per request (img2dataset's urllib
opens a new connection for every URL). Without nginx (or with `--server asyncio`) this script
serves the same answers itself with asyncio, which costs ~1 ms of CPU per request. The same URL list (a txt
file, one URL a line) goes to both tools, with the same settings: webdataset output,
resize_mode keep_ratio, image_size 384, JPEG quality 95, 1,000 rows per shard, 10 s timeout,
no retries; img2dataset with processes_count=2 (multiprocessing distributor) and
thread_count=T, cocoprep with --thread-count T (no per-host cap, as img2dataset has none).
The runs alternate (img2dataset, cocoprep, img2dataset, ...), each into a fresh folder.

For each run: wall time, images/s (successful rows / wall time), CPU seconds (user + system
of the tool and all its child processes, from wait4) per successful image, peak RSS of the whole
process tree (img2dataset forks its workers: the tree's RSS is summed every 0.1 s) and the
success / failure counts. The per-row outcome (success or not, by key) of both tools is
compared: a row that differs is listed with both tools' reasons.

`--encode-format webp` (or png) runs both tools with that format instead of JPEG (img2dataset
through `cv2.imencode(".webp", IMWRITE_WEBP_QUALITY)`, cocoprep through libwebp's same simple
API); for every format the bench also sums the bytes of the image members of the last run's
tars of both tools and prints the ratio.

usage: bench/webdata.py [--rows 10000] [--runs 3] [--threads 64] [--server nginx|asyncio]
                        [--encode-format jpg|png|webp] [--encode-quality 95]
                        [--binary target/release/cocoprep] [--data /work/bench-data/webdata]
"""
import argparse
import asyncio
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import REPO, bench_python, cargo_build, machine  # noqa: E402

IMAGES = REPO.parent / "shared" / "data" / "coco-mini"
NOT_AN_IMAGE = b"<html><body>this page moved</body></html>\n"


# ---------------------------------------------------------------------------------------
# The server


def serve(port_file):
    jpegs = [path.read_bytes() for path in sorted(IMAGES.rglob("*.jpg"))]
    if not jpegs:
        sys.exit(f"no JPEGs under {IMAGES}")

    def answer(path):
        parts = path.split("?")[0].strip("/").split("/")
        if len(parts) >= 2 and parts[-1].endswith(".jpg") and parts[-1][:-4].isdigit():
            number = int(parts[-1][:-4])
            if parts[0] == "img":
                return b"200 OK", b"image/jpeg", jpegs[number % len(jpegs)]
            if parts[0] == "text":
                return b"200 OK", b"text/html", NOT_AN_IMAGE
        return b"404 Not Found", b"text/plain", b"not found\n"

    async def handle(reader, writer):
        try:
            while True:
                request = await reader.readline()
                if not request:
                    break
                close = False
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    if header.lower().startswith(b"connection:") and b"close" in header.lower():
                        close = True
                fields = request.split()
                if len(fields) < 2:
                    break
                status, content_type, body = answer(fields[1].decode("latin-1"))
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                    % (status, content_type, len(body))
                )
                writer.write(body)
                await writer.drain()
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        pathlib.Path(port_file + ".tmp").write_text(str(port))
        os.rename(port_file + ".tmp", port_file)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


NGINX_CONFIG = """
worker_processes 1;
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log error;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-temp;
    proxy_temp_path {folder}/nginx-temp;
    fastcgi_temp_path {folder}/nginx-temp;
    uwsgi_temp_path {folder}/nginx-temp;
    scgi_temp_path {folder}/nginx-temp;
    keepalive_requests 100000;
    sendfile on;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location ~ ^/img/[0-9]+/([0-9]+[.]jpg)$ {{
            default_type image/jpeg;
            alias {folder}/jpegs/$1;
        }}
        location /text/ {{
            default_type text/html;
            return 200 "{body}";
        }}
        location / {{
            default_type text/plain;
            return 404 "not found\\n";
        }}
    }}
}}
"""


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_nginx(folder):
    """nginx on loopback, serving the JPEGs as files (`jpegs/<j>.jpg`)."""
    import urllib.request

    jpegs = folder / "jpegs"
    shutil.rmtree(jpegs, ignore_errors=True)
    jpegs.mkdir(parents=True)
    for number, path in enumerate(sorted(IMAGES.rglob("*.jpg"))):
        shutil.copyfile(path, jpegs / f"{number}.jpg")
    (folder / "nginx-temp").mkdir(exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    body = NOT_AN_IMAGE.decode().replace("\n", "\\n")
    config.write_text(NGINX_CONFIG.format(folder=folder.resolve(), port=port, body=body))
    process = subprocess.Popen([NGINX, "-c", str(config.resolve()), "-p", str(folder.resolve())])
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/img/0/0.jpg", timeout=1).read()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"nginx did not start: {(folder / 'nginx-error.log').read_text()[-2000:]}")


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def start_server(folder, kind):
    if kind == "nginx":
        return start_nginx(folder)
    port_file = folder / "port"
    port_file.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
    for _ in range(100):
        if port_file.exists():
            return process, int(port_file.read_text())
        time.sleep(0.1)
    process.kill()
    sys.exit("the loopback server did not start")


def write_urls(path, port, rows, images):
    """Row i: every 20th a 404, every 33rd a non-image body, the others JPEG i mod `images`."""
    lines = []
    for i in range(rows):
        if i % 20 == 7:
            lines.append(f"http://127.0.0.1:{port}/missing/{i}.jpg\n")
        elif i % 33 == 11:
            lines.append(f"http://127.0.0.1:{port}/text/{i}.jpg\n")
        else:
            lines.append(f"http://127.0.0.1:{port}/img/{i}/{i % images}.jpg\n")
    path.write_text("".join(lines))


# ---------------------------------------------------------------------------------------
# Measuring


def tree_rss_kib(root):
    """Summed VmRSS (KiB) of `root` and its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run_measured(command, log):
    """Runs `command`; returns (wall seconds, peak tree RSS MiB, CPU seconds of the tree)."""
    started = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def poll():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(process.pid))
            done.wait(0.1)

    poller = threading.Thread(target=poll)
    poller.start()
    # wait4's usage covers the process and every descendant it waited for (img2dataset's
    # worker processes).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = code = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    done.set()
    poller.join()
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(map(str, command))}\n{pathlib.Path(log).read_text()[-3000:]}")
    return elapsed, peak / 1024, usage.ru_utime + usage.ru_stime


OUTCOMES = r"""
import json, pathlib, sys
import pyarrow.parquet as pq
rows = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.parquet")):
    table = pq.read_table(path, columns=["key", "status", "error_message"]).to_pylist()
    for row in table:
        if row["key"] in rows:
            sys.exit(f"key {row['key']} twice")
        rows[row["key"]] = [row["status"], row["error_message"]]
json.dump(rows, sys.stdout)
"""


def outcomes(python, folder):
    """{key: [status, error_message]} from a run's per-shard parquet files."""
    import json

    result = subprocess.run([python, "-c", OUTCOMES, str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"reading {folder}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def image_bytes(folder, extension):
    """(count, total bytes) of the `*.<extension>` members of the tars in `folder`."""
    count = total = 0
    for path in sorted(pathlib.Path(folder).glob("*.tar")):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                if member.name.endswith(f".{extension}"):
                    count += 1
                    total += member.size
    return count, total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--binary", help="cocoprep binary [a release build of this tree]")
    parser.add_argument("--data", default="/work/bench-data/webdata")
    parser.add_argument("--server", choices=["nginx", "asyncio"], default="nginx" if NGINX else "asyncio")
    parser.add_argument("--encode-format", choices=["jpg", "png", "webp"], default="jpg")
    parser.add_argument("--encode-quality", type=int, help="[95; 3 for png]")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    python = bench_python()
    img2dataset = pathlib.Path(python).parent / "img2dataset"
    binary = pathlib.Path(args.binary) if args.binary else cargo_build("-p", "cocoprep") / "cocoprep"
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    server, port = start_server(data, args.server)
    try:
        urls = data / "urls.txt"
        write_urls(urls, port, args.rows, len(list(IMAGES.rglob("*.jpg"))))
        quality = args.encode_quality if args.encode_quality is not None else (3 if args.encode_format == "png" else 95)
        shared = {
            "number_sample_per_shard": 1000, "image_size": 384,
            "encode_format": args.encode_format, "encode_quality": quality,
        }
        commands = {
            "img2dataset": lambda out: [
                img2dataset, f"--url_list={urls}", "--input_format=txt", f"--output_folder={out}",
                "--output_format=webdataset", "--resize_mode=keep_ratio", "--processes_count=2",
                f"--thread_count={args.threads}", "--distributor=multiprocessing", "--timeout=10",
                "--retries=0", *(f"--{name}={value}" for name, value in shared.items()),
            ],
            "cocoprep": lambda out: [
                binary, "webdata", urls, "-o", out, "--output-format", "webdataset",
                "--resize-mode", "keep_ratio", f"--thread-count={args.threads}",
                "--max-connections-per-host=0", "--timeout=10", "--retries=0", "--quiet",
                *(f"--{name.replace('_', '-')}={value}" for name, value in shared.items()),
            ],
        }
        measured = {name: [] for name in commands}
        last = {}
        for run in range(args.runs):
            for name, command in commands.items():
                out = data / f"{name}-{run}"
                shutil.rmtree(out, ignore_errors=True)
                load = os.getloadavg()[0]
                wall, rss, cpu = run_measured(command(out), data / f"{name}-{run}.log")
                load_after = os.getloadavg()[0]
                rows = outcomes(python, out)
                successes = sum(1 for status, _ in rows.values() if status == "success")
                if len(rows) != args.rows:
                    sys.exit(f"{name} run {run}: {len(rows)} rows in its parquet files, expected {args.rows}")
                cpu_ms = 1000 * cpu / max(successes, 1)
                measured[name].append((wall, successes / wall, rss, successes, len(rows) - successes, cpu_ms))
                print(
                    f"{name} run {run}: {wall:.1f} s, {successes / wall:.0f} images/s, peak RSS {rss:.0f} MiB, "
                    f"{cpu:.1f} CPU s ({cpu_ms:.1f} ms per image), {successes} ok, {len(rows) - successes} failed "
                    f"(load average {load:.1f} before, {load_after:.1f} after)",
                    file=sys.stderr,
                )
                last[name] = rows
                if run > 0:
                    shutil.rmtree(data / f"{name}-{run - 1}", ignore_errors=True)
        sizes = {name: image_bytes(data / f"{name}-{args.runs - 1}", args.encode_format) for name in commands}
    finally:
        server.kill()
        server.wait()

    ours, theirs = last["cocoprep"], last["img2dataset"]
    differing = [
        key for key in sorted(set(ours) | set(theirs))
        if (ours.get(key, [None])[0] == "success") != (theirs.get(key, [None])[0] == "success")
    ]
    reasons = {}
    for name, rows in last.items():
        for status, error in rows.values():
            if status != "success":
                reason = f"{name}: {error}"
                reasons[reason] = reasons.get(reason, 0) + 1

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end (shared machine).")
    print(
        f"{args.rows} URLs on a loopback {args.server} server ({sum(1 for i in range(args.rows) if i % 20 == 7)} 404s, "
        f"{sum(1 for i in range(args.rows) if i % 20 != 7 and i % 33 == 11)} non-image bodies), "
        f"webdataset, keep_ratio 384, {args.encode_format} quality {quality}, {args.threads} threads; "
        f"{args.runs} interleaved runs, medians."
    )
    print(f"cocoprep binary: {binary}")
    print()
    print("| | wall (s) | images/s | CPU ms per image | peak RSS, process tree (MiB) | ok | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    median = {}
    for name in ("img2dataset", "cocoprep"):
        columns = list(zip(*measured[name]))
        median[name] = [statistics.median(column) for column in columns]
        wall, rate, rss, ok, failed, cpu_ms = median[name]
        walls = ", ".join(f"{run[0]:.1f}" for run in measured[name])
        print(f"| {name} | {wall:.1f} ({walls}) | {rate:.0f} | {cpu_ms:.1f} | {rss:.0f} | {ok:.0f} | {failed:.0f} |")
    print(
        f"| cocoprep / img2dataset | {median['cocoprep'][0] / median['img2dataset'][0]:.2f}x the time | "
        f"{median['cocoprep'][1] / median['img2dataset'][1]:.2f}x | "
        f"{median['cocoprep'][5] / median['img2dataset'][5]:.2f}x | "
        f"{median['cocoprep'][2] / median['img2dataset'][2]:.2f}x | | |"
    )
    print()
    for name in ("img2dataset", "cocoprep"):
        count, total = sizes[name]
        print(f"{name}: {count} .{args.encode_format} images, {total / 1e6:.2f} MB, {total / max(count, 1) / 1e3:.1f} kB each")
    ratio = sizes["cocoprep"][1] / max(sizes["img2dataset"][1], 1)
    print(f"Image bytes, cocoprep / img2dataset: {ratio:.4f}")
    print()
    print(f"Rows whose outcome (success or not) differs between the tools: {len(differing)}")
    for key in differing[:20]:
        print(f"  {key}: cocoprep {ours.get(key)}, img2dataset {theirs.get(key)}")
    print("Failure reasons (last run):")
    for reason, count in sorted(reasons.items()):
        print(f"  {count:6d}  {reason}")


if __name__ == "__main__":
    main()
