#!/usr/bin/env python3
"""CC3M/CC12M annotation files: cocoprep `dataset cc12m` vs the Uni-Perceiver pipeline.

Generates (once) a CC12M-shaped list (`url<TAB>caption`, captions of 5-25 words with a
`<PERSON>` now and then) of `--rows` rows and an image folder where 2 of every 3 rows have
an image (`{row:08d}.jpg`, hard links to a handful of real COCO JPEGs so the folder costs
no space; every 50th row a 1x1 image that the size check rejects). Then, interleaved, `--runs`
times:

* reference: what the scripts do after the download, in ONE Python process (generous: the
  scripts run `python check_valid.py` once per image through xargs): the check_valid logic
  (`PIL.Image.open(p).convert('RGB')`, sides within 10..10000) over every file, the list of
  valid names, then make_cc12m_train_json.py's loop with the columns the right way round;
* cocoprep `dataset cc12m LIST --images DIR --root OUT --link none` (header check), and the
  same with `--decode` (JPEGs decoded in full, the closer match to PIL's check).

Checks that both wrote the same bytes, then prints wall-time medians, CPU and peak RSS.
Also times `python check_valid.py` as the scripts run it (one process per image) on 200
images, to show what the per-image process costs.

usage: bench/web_captions.py [--rows 200000] [--runs 3] [--dir /work/bench-data/web_captions] [--binary PATH]
"""
import argparse
import os
import pathlib
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402

REFERENCE = r"""
import json, os, sys, warnings
from PIL import Image
warnings.filterwarnings("ignore", "(Possibly )?corrupt EXIF data", UserWarning)
tsv, images, out = sys.argv[1:4]
valids = set()
for name in os.listdir(images):                     # ls ../train_image > train_valid.txt
    path = os.path.join(images, name)
    if os.path.getsize(path) == 0:                  # find -size -1c -exec rm
        continue
    try:                                            # check_valid.py
        im = Image.open(path).convert('RGB')
        if im.size[0] < 10 or im.size[1] < 10 or im.size[0] > 10000 or im.size[1] > 10000:
            raise Exception('')
    except Exception:
        continue
    valids.add(name)
with open(tsv) as fp, open(out, 'w') as outfile:    # make_cc12m_train_json.py, columns fixed
    for cnt, line in enumerate(fp):
        s = line.split('\t')
        cap = s[1][:-1].split(' ')
        im = "{:08d}.jpg".format(cnt)
        if im in valids:
            json.dump({'image': "train_image.zip@/{}".format(im), 'caption': cap}, outfile)
            outfile.write('\n')
"""

CHECK_VALID = r"""
import sys
from PIL import Image
try:
    im = Image.open(sys.argv[1]).convert('RGB')
    if (im.size[0] < 10 or im.size[1] < 10 or im.size[0] > 10000 or im.size[1] > 10000):
        raise Exception('')
except Exception:
    print(sys.argv[1])
"""

WORDS = "a the man woman dog cat on in at with of street city beach red blue old new small large".split()


def generate(folder, rows, python):
    tsv = folder / "cc12m.tsv"
    images = folder / "train_image"
    if tsv.exists() and images.is_dir() and (folder / f".rows-{rows}").exists():
        return tsv, images
    shutil.rmtree(folder, ignore_errors=True)
    images.mkdir(parents=True)
    sources = sorted((common.REPO.parent / "shared/data/coco-mini/val2017").glob("*.jpg"))[:8]
    if not sources:
        sources = sorted((common.REPO / "fixtures/uni-perceiver/cc3m/val_image").glob("*.jpg"))[:8]
    tiny = folder / "tiny.jpg"
    subprocess.run([python, "-c", f"from PIL import Image; Image.new('RGB', (1, 1)).save({str(tiny)!r})"], check=True)
    rng = random.Random(0)
    with open(tsv, "w") as out:
        for row in range(rows):
            words = [rng.choice(WORDS) for _ in range(rng.randint(5, 25))]
            if row % 4 == 0:
                words[rng.randrange(len(words))] = "<PERSON>"
            out.write(f"https://example.com/{row}/img.jpg\t{' '.join(words)}\n")
            if row % 3 != 2:
                source = tiny if row % 50 == 0 else sources[row % len(sources)]
                os.link(source, images / f"{row:08d}.jpg")
    (folder / f".rows-{rows}").write_text("")
    return tsv, images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/work/bench-data/web_captions")
    parser.add_argument("--binary", help="cocoprep binary [default: cargo build --release]")
    args = parser.parse_args()
    python = common.bench_python()
    folder = pathlib.Path(args.dir)
    tsv, images = generate(folder, args.rows, python)
    binary = args.binary or str(common.cargo_build("-p", "cocoprep") / "cocoprep")
    reference_out = folder / "reference.json"
    root = folder / "root"
    times = {"reference": [], "cocoprep": [], "cocoprep --decode": []}
    rss = {}
    for _ in range(args.runs):
        elapsed, peak, _, _ = common.peak_rss_mib([python, "-c", REFERENCE, str(tsv), str(images), str(reference_out)])
        times["reference"].append(elapsed)
        rss["reference"] = peak
        same = True
        for tool, extra in (("cocoprep", []), ("cocoprep --decode", ["--decode"])):
            shutil.rmtree(root, ignore_errors=True)
            elapsed, peak, _, _ = common.peak_rss_mib(
                [binary, "-q", "dataset", "cc12m", str(tsv), "--images", str(images), "--root", str(root),
                 "--link", "none", *extra])
            times[tool].append(elapsed)
            rss[tool] = peak
            ours = root / "open_source_dataset/c12m/train_available.json"
            same = same and ours.read_bytes() == reference_out.read_bytes()
    lines = sum(1 for _ in open(ours))
    sample = sorted(images.iterdir())[:200]
    start = time.perf_counter()
    for path in sample:
        subprocess.run([python, "-c", CHECK_VALID, str(path)], capture_output=True, check=True)
    per_process = (time.perf_counter() - start) / len(sample)
    print(f"machine: {common.machine()}")
    print(f"rows: {args.rows}, records written: {lines}, outputs identical: {same}")
    for tool in times:
        runs = ", ".join(f"{t:.2f}" for t in times[tool])
        print(f"{tool}: median {common.median(times[tool]):.2f} s (runs {runs}), peak RSS {rss[tool]:.0f} MiB")
    for tool in ("cocoprep", "cocoprep --decode"):
        ratio = common.median(times["reference"]) / common.median(times[tool])
        print(f"{tool} is {ratio:.1f}x faster than the one-process reference")
    print(f"check_valid.py as the scripts run it (one process per image): {per_process * 1000:.0f} ms per image "
          f"-> {per_process * args.rows * 2 / 3 / 60:.1f} min for this folder on one core")
    if not same:
        raise SystemExit("outputs differ")


if __name__ == "__main__":
    main()
