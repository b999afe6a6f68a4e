#!/usr/bin/env python3
"""ResNet grid features: `cocoprep features resnet` vs prepro_feats.py on torch CPU.

Same run, same images (the 159 coco-mini val2017 images at full resolution, one grey),
end to end (decode -> ResNet forward -> .npy/.npz on disk), seeded random weights saved by
torch (`bench/reference/prepro_feats.py weights`, ResNet-101 by default). The reference is
bench/reference/prepro_feats.py (the script's pipeline with plain torch.nn: skimage imread,
batch of one, np.save + np.savez_compressed) with torch's default threads (all cores).

Prints images/s, peak RSS, the fraction of the machine's nominal peak FP32 FLOP/s each
reaches, and checks every fc/att against the reference (rtol 1e-4, atol 1e-5).

usage: bench/resnet.py [--images 159] [--folders val2017[,train2017]] [--arch self-critical|torchvision] [--layers 3,4,23,3]
                       [--dir /tmp/cocoprep-bench-resnet] [--peak-gflops G] [--binary PATH]
"""
import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402

REPO = common.REPO
SCRIPT = REPO / "bench" / "reference" / "prepro_feats.py"

COMPARE = r"""
import glob, json, os, sys
import numpy as np
ref, ours = sys.argv[1], sys.argv[2]
report = {"images": 0, "outside": [], "worst": 0.0}
for path in sorted(glob.glob(ref + "_fc/*.npy")):
    name = os.path.basename(path)[:-4]
    fc_ref, fc = np.load(path), np.load(ours + "_fc/" + name + ".npy")
    att_ref, att = np.load(ref + "_att/" + name + ".npz"), np.load(ours + "_att/" + name + ".npz")
    assert list(att.keys()) == ["feat"]
    for kind, expected, actual in (("fc", fc_ref, fc), ("att", att_ref["feat"], att["feat"])):
        assert actual.shape == expected.shape and actual.dtype == expected.dtype
        report["worst"] = max(report["worst"], float((np.abs(actual - expected) / (1e-5 + 1e-4 * np.abs(expected))).max()))
        if not np.allclose(actual, expected, rtol=1e-4, atol=1e-5):
            report["outside"].append(name + " " + kind)
    report["images"] += 1
print(json.dumps(report))
"""


def python_with_torch():
    torch_python = os.environ.get(
        "COCOPREP_TORCH_PYTHON",
        str(pathlib.Path.home() / ".cache/cocoprep/venv-torch-2.15.0/bin/python"),
    )
    site = subprocess.run(
        [torch_python, "-c", "import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    python = os.environ.get("COCOPREP_TEST_PYTHON", str(REPO / ".venv" / "bin" / "python"))
    env = dict(os.environ, PYTHONPATH=site)
    return python, env


def multiply_adds(layers, height, width, arch):
    """Multiply-accumulates of conv1..layer4 of a bottleneck ResNet on a height x width image."""
    def out(n, k, s, p):
        return (n + 2 * p - k) // s + 1
    h, w = out(height, 7, 2, 3), out(width, 7, 2, 3)
    total = 64 * 3 * 49 * h * w
    def pool(n):
        if arch != "self-critical":
            return out(n, 3, 2, 1)
        size = -(-(n - 3) // 2) + 1  # max pool 3x3 s2 p0, ceil_mode
        return size - 1 if (size - 1) * 2 >= n else size
    h, w = pool(h), pool(w)
    inplanes = 64
    for index, blocks in enumerate(layers):
        planes = 64 * 2 ** index
        for block in range(blocks):
            stride = 2 if index > 0 and block == 0 else 1
            s1, s2 = (stride, 1) if arch == "self-critical" else (1, stride)
            h1, w1 = out(h, 1, s1, 0), out(w, 1, s1, 0)
            total += planes * inplanes * h1 * w1
            h2, w2 = out(h1, 3, s2, 1), out(w1, 3, s2, 1)
            total += planes * planes * 9 * h2 * w2
            total += planes * 4 * planes * h2 * w2
            if block == 0:
                total += planes * 4 * inplanes * h2 * w2
            inplanes = planes * 4
            h, w = h2, w2
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=159, help="the first N images of the folders")
    parser.add_argument("--folders", default="val2017",
                        help="coco-mini image folders, comma-separated [val2017: the 159-image benchmark; "
                             "train2017 holds 80 more]")
    parser.add_argument("--arch", default="self-critical", choices=["self-critical", "torchvision"])
    parser.add_argument("--layers", default="3,4,23,3")
    parser.add_argument("--dir", default="/tmp/cocoprep-bench-resnet")
    parser.add_argument("--binary", default="", help="a cocoprep binary to use instead of building the release one")
    parser.add_argument("--peak-gflops", type=float, default=0.0,
                        help="the machine's peak FP32 GFLOP/s [default: cores x 32 FLOP/cycle x MHz, Zen 4 / AVX2 FMA]")
    args = parser.parse_args()
    work = pathlib.Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    python, env = python_with_torch()
    data = REPO.parent / "shared" / "data" / "coco-mini"
    images = [(folder, name) for folder in args.folders.split(",")
              for name in sorted(os.listdir(data / folder))][: args.images]
    names = [name for _, name in images]
    dataset = work / "dataset.json"
    dataset.write_text(json.dumps({"images": [
        {"filepath": folder, "filename": name, "cocoid": int(name[:-4]), "split": "test"} for folder, name in images
    ]}))
    weights = work / f"resnet-{args.layers.replace(',', '-')}.pth"
    if not weights.exists():
        subprocess.run([python, str(SCRIPT), "weights", str(weights), "--layers", args.layers, "--seed", "0"],
                       env=env, check=True, capture_output=True)
    binary = args.binary or common.cargo_build("-p", "cocoprep") / "cocoprep"
    sizes = json.loads(subprocess.run(
        [python, "-c", "import json, sys; from PIL import Image; print(json.dumps([Image.open(p).size for p in sys.argv[1:]]))",
         *[str(data / folder / name) for folder, name in images]],
        env=env, check=True, capture_output=True, text=True).stdout)
    layers = [int(n) for n in args.layers.split(",")]
    macs = sum(multiply_adds(layers, h, w, args.arch) for w, h in sizes)
    cores = os.cpu_count()
    mhz = max(float(line.split(":")[1]) for line in open("/proc/cpuinfo") if line.startswith("cpu MHz"))
    peak = args.peak_gflops or cores * 32 * mhz / 1000

    results = {}
    for name in ("reference", "cocoprep"):
        out = work / name
        for kind in ("_fc", "_att"):
            subprocess.run(["rm", "-rf", f"{out}{kind}"], check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        if name == "reference":
            command = [python, str(SCRIPT), "extract", "--input_json", str(dataset), "--images_root", str(data),
                       "--output_dir", str(out), "--weights", str(weights), "--arch", args.arch]
            wall, rss, _, _ = common.peak_rss_mib_env(command, env)
        else:
            command = [str(binary), "features", "resnet", str(dataset), "--images-root", str(data),
                       "--output-dir", str(out), "--weights", str(weights), "--arch", args.arch, "-q"]
            wall, rss, _, _ = common.peak_rss_mib(command)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        results[name] = (wall, rss, cpu)
        print(f"{name}: {len(names)} images in {wall:.1f} s ({cpu:.1f} s CPU), peak RSS {rss:.0f} MiB, "
              f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    report = json.loads(subprocess.run([python, "-c", COMPARE, str(work / "reference"), str(work / "cocoprep")],
                                       env=env, check=True, capture_output=True, text=True).stdout)
    rows = []
    for name, (wall, rss, cpu) in results.items():
        gflops = 2 * macs / wall / 1e9
        per_core = 2 * macs / cpu / 1e9
        rows.append([name, f"{len(names) / wall:.3f}", f"{wall:.1f}", f"{cpu:.1f}", f"{len(names) / cpu * cores:.3f}",
                     f"{rss:.0f}", f"{gflops:.1f}", f"{100 * gflops / peak:.0f}%", f"{100 * per_core / (peak / cores):.0f}%"])
    print(f"machine: {common.machine()}; load average before: {os.getloadavg()[0]:.1f}")
    print(f"ResNet layers {args.layers}, arch {args.arch}, {len(names)} images, {2 * macs / 1e9:.0f} GFLOP in all; "
          f"nominal peak {peak:.0f} GFLOP/s")
    print(common.table(["tool", "images/s", "wall s", "CPU s", "images per CPU-s x cores", "peak RSS MiB",
                        "GFLOP/s (wall)", "of peak (wall)", "of one core's peak (per CPU-s)"], rows))
    ratio = results["reference"][0] / results["cocoprep"][0]
    cpu_ratio = results["reference"][2] / results["cocoprep"][2]
    print(f"cocoprep / reference speed: {ratio:.2f}x by wall time, {cpu_ratio:.2f}x by CPU time")
    print(f"parity: {report['images']} images, {len(report['outside'])} arrays outside rtol 1e-4/atol 1e-5, "
          f"worst |d|/(atol+rtol|ref|) = {report['worst']:.3g}")


if __name__ == "__main__":
    main()
