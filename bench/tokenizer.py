#!/usr/bin/env python3
"""CLIP BPE tokenization of 600k captions: cocoprep vs Uni-Perceiver's tokenizer vs HF `tokenizers`.

Input: the real COCO val2017 captions (`../shared/data/coco-val2017-captions`, 25,014 in
annotation order, line breaks inside a caption replaced by spaces) replicated to `--lines`
lines (600,000 by default), one caption per line: the names file `cocoprep targets names`
reads. Every tool encodes each line as `line + " <|endoftext|>"` (what `targets names`
does), and the ids are compared line by line.

* reference: Uni-Perceiver's own `uniperceiver/tokenization/tokenization_clip.py`, read from
  a snapshot of github.com/fundamentalvision/Uni-Perceiver at bench time (`--reference-repo`,
  a git directory; not committed here) and run unchanged, except that its unused
  `from torch._C import Value` is served by a stub module so torch need not be installed
  (pandas, which its id lookups go through, is real). One process, one thread, its word
  cache as in the original. `--reference-lines N` runs it on the first N lines only (said in
  the output) when the full run is too slow: its encode time, wall and CPU, is scaled to all
  lines, the rest of the process counted once. The first 25,014 lines are every caption once,
  so its word cache is colder than over 600k lines: this overstates its time a little.
* tokenizers: Hugging Face `tokenizers` (PyPI) with the tokenizer transformers'
  `CLIPConverter` builds for `CLIPTokenizerFast` (NFC, `\\s+` -> " ", lowercase; CLIP's split
  pattern; byte-level; BPE with `</w>`), built offline from the same merges file,
  `<|startoftext|>`/`<|endoftext|>` added as special tokens; `encode_batch_fast`, all cores.
* cocoprep: `cocoprep targets names NAMES -o OUT.pkl --json OUT.json` (release build, all
  cores); its time includes starting, reading the names and writing both the pickle and the
  JSON. The Python tools' figures are their process wall times and, in brackets, their
  encode call alone (excluding imports, tokenizer construction, reading and writing).

Each tool runs `--runs` times, interleaved; medians of wall time, CPU time (user + sys) and
peak RSS (GNU time). Ratios are the other tool's process wall time / cocoprep's process wall
time, and the same for CPU time (which does not depend on how many cores are free on a shared
machine). HF's normalizer is not ftfy: lines where its ids differ from the reference's are
counted and the first ones printed with both id lists.

usage: bench/tokenizer.py [--runs 3] [--lines 600000] [--reference-lines 0]
                          [--dir /work/bench-data/tokenizer] [--reference-repo GIT_DIR]
                          [--only reference|tokenizers|cocoprep ...] [--binary PATH]
"""
import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import common  # noqa: E402

SHARED = common.REPO.parent / "shared" / "data"
CAPTIONS = SHARED / "coco-val2017-captions" / "captions_val2017.json"
MERGES = SHARED / "clip-bpe" / "bpe_simple_vocab_16e6.txt.gz"
REFERENCE_PATH = "uniperceiver/tokenization/tokenization_clip.py"
SUFFIX = " <|endoftext|>"


def read_lines(path, limit):
    with open(path, encoding="utf-8", newline="") as names:
        lines = names.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[:limit] if limit else lines


def write_ids(path, all_ids):
    with open(path, "w") as out:
        for ids in all_ids:
            out.write(", ".join(map(str, ids)))
            out.write("\n")


def worker_reference(args):
    """Runs the snapshot's tokenization_clip.py as it is (torch._C.Value stubbed: unused)."""
    import importlib.util
    import types

    if "torch" not in sys.modules:
        torch = types.ModuleType("torch")
        torch._C = types.ModuleType("torch._C")
        torch._C.Value = object
        sys.modules["torch"], sys.modules["torch._C"] = torch, torch._C
    spec = importlib.util.spec_from_file_location("tokenization_clip", args.reference_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tokenizer = module.ClipTokenizer(str(MERGES))
    lines = read_lines(args.names, args.limit)
    started, started_cpu = time.perf_counter(), time.process_time()
    all_ids = [tokenizer.encode(line + SUFFIX) for line in lines]
    encode_seconds, encode_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    write_ids(args.output, all_ids)
    print(json.dumps({"encode_s": encode_seconds, "encode_cpu_s": encode_cpu, "lines": len(lines)}))


def clip_vocab_and_merges():
    """CLIP's vocabulary (49,408 entries) and merges, as tokenization_clip.py builds them."""
    import gzip

    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    order, codes, extra = printable[:], printable[:], 0
    for byte in range(256):
        if byte not in printable:
            order.append(byte)
            codes.append(256 + extra)
            extra += 1
    symbols = [chr(code) for code in codes]
    merges = gzip.open(MERGES).read().decode("utf-8").split("\n")[1 : 49152 - 256 - 2 + 1]
    merges = [tuple(merge.split()) for merge in merges]
    vocab = symbols + [symbol + "</w>" for symbol in symbols] + ["".join(merge) for merge in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(vocab)}, merges


def worker_hf(args):
    """transformers' CLIPConverter pipeline, built directly with tokenizers."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import BPE

    vocab, merges = clip_vocab_and_merges()
    tokenizer = Tokenizer(BPE(vocab=vocab, merges=merges, dropout=None, continuing_subword_prefix="",
                              end_of_word_suffix="</w>", fuse_unk=False, unk_token="<|endoftext|>"))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "),
                                                 normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""),
                             behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False)
                                  for token in ("<|startoftext|>", "<|endoftext|>")])
    lines = [line + SUFFIX for line in read_lines(args.names, args.limit)]
    started, started_cpu = time.perf_counter(), time.process_time()
    encodings = tokenizer.encode_batch_fast(lines, add_special_tokens=False)
    encode_seconds, encode_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    write_ids(args.output, (encoding.ids for encoding in encodings))
    print(json.dumps({"encode_s": encode_seconds, "encode_cpu_s": encode_cpu, "lines": len(lines)}))


def cocoprep_id_lines(path):
    """The lists of `--json` (`[[1, 2], [3]]`, Python's json.dumps separators) as text lines."""
    text = open(path).read()
    assert text.startswith("[[") and text.endswith("]]"), path
    return text[2:-2].split("], [")


def compare(paths, limit, names):
    """Line-by-line comparison; returns {name: (compared, differing, examples)} against cocoprep."""
    ours = cocoprep_id_lines(paths["cocoprep"])
    results = {}
    for name in names:
        theirs = open(paths[name]).read().split("\n")[:-1]
        count = min(len(theirs), limit or len(ours))
        differing = [index for index in range(count) if theirs[index] != ours[index]]
        results[name] = (count, differing, theirs)
    return ours, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=600_000)
    parser.add_argument("--reference-lines", type=int, default=0,
                        help="run the reference on the first N lines and extrapolate (0 = all)")
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/work/bench-data/tokenizer"))
    parser.add_argument("--reference-repo", type=pathlib.Path,
                        default=pathlib.Path("/work/.mirror/fundamentalvision+Uni-Perceiver/repo"),
                        help="a git directory of github.com/fundamentalvision/Uni-Perceiver")
    parser.add_argument("--only", choices=["reference", "tokenizers", "cocoprep"], action="append",
                        help="run only these tools (repeatable); ids are compared with cocoprep's when it runs")
    parser.add_argument("--binary", help="cocoprep binary [default: cargo build --release]")
    parser.add_argument("--worker", choices=["reference", "tokenizers"], help=argparse.SUPPRESS)
    parser.add_argument("--names", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--reference-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "reference":
        return worker_reference(args)
    if args.worker == "tokenizers":
        return worker_hf(args)

    python = common.bench_python()
    args.dir.mkdir(parents=True, exist_ok=True)
    names = args.dir / f"coco_val2017_captions_{args.lines}.txt"
    captions = [annotation["caption"].replace("\r", " ").replace("\n", " ")
                for annotation in json.load(open(CAPTIONS))["annotations"]]
    if not names.exists():
        with open(names.with_suffix(".partial"), "w", encoding="utf-8") as out:
            for index in range(args.lines):
                out.write(captions[index % len(captions)])
                out.write("\n")
        names.with_suffix(".partial").rename(names)
    commit = subprocess.run(["git", "--git-dir", str(args.reference_repo), "rev-parse", "HEAD"],
                            check=True, capture_output=True, text=True).stdout.strip()
    reference_file = args.dir / "uniperceiver" / "tokenization_clip.py"
    reference_file.parent.mkdir(exist_ok=True)
    reference_file.write_bytes(subprocess.run(
        ["git", "--git-dir", str(args.reference_repo), "show", f"{commit}:{REFERENCE_PATH}"],
        check=True, capture_output=True).stdout)
    cocoprep = args.binary or str(common.cargo_build("-p", "cocoprep") / "cocoprep")

    outputs = {"reference": args.dir / "reference.txt", "tokenizers": args.dir / "tokenizers.txt",
               "cocoprep": args.dir / "cocoprep.json"}
    worker = [python, str(pathlib.Path(__file__).resolve()), "--names", str(names)]
    commands = {
        "reference": worker + ["--worker", "reference", "--reference-file", str(reference_file),
                               "--limit", str(args.reference_lines), "--output", str(outputs["reference"])],
        "tokenizers": worker + ["--worker", "tokenizers", "--output", str(outputs["tokenizers"])],
        "cocoprep": [cocoprep, "-q", "targets", "names", str(names), "-o", str(args.dir / "cocoprep.pkl"),
                     "--json", str(outputs["cocoprep"])],
    }
    selected = args.only or list(commands)
    wall = {name: [] for name in selected}
    cpu = {name: [] for name in selected}
    encode = {name: [] for name in selected}
    encode_cpu = {name: [] for name in selected}
    memory = {name: [] for name in selected}
    lines_run = {}
    load_before = os.getloadavg()
    for run in range(args.runs):
        for name in selected:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, rss, stdout, _ = common.peak_rss_mib(commands[name])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            wall[name].append(elapsed)
            cpu[name].append(seconds)
            memory[name].append(rss)
            if name == "cocoprep":
                lines_run[name] = args.lines
            else:
                report = json.loads(stdout)
                encode[name].append(report["encode_s"])
                encode_cpu[name].append(report["encode_cpu_s"])
                lines_run[name] = report["lines"]
            print(f"run {run + 1}: {name:10} {elapsed:8.2f} s wall {seconds:8.2f} s CPU {rss:7.0f} MiB",
                  file=sys.stderr)
    load_after = os.getloadavg()

    labels = {
        "reference": f"Uni-Perceiver tokenization_clip.py ({commit[:7]}), Python, 1 thread",
        "tokenizers": "HF tokenizers 0.23.3 (CLIPTokenizerFast pipeline), encode_batch_fast, all cores",
        "cocoprep": "cocoprep targets names --json (release), all cores",
    }
    # A tool run on fewer lines: its encode time (wall and CPU) scaled to --lines, the rest
    # of the process (imports, tokenizer construction, reading, writing) counted once.
    scale = {name: args.lines / lines_run[name] for name in selected}

    def extrapolated(values, encode_values, name):
        return common.median([value + part * (scale[name] - 1) for value, part in zip(values, encode_values)]) \
            if scale[name] != 1 else common.median(values)

    base_wall = common.median(wall["cocoprep"]) if "cocoprep" in wall else None
    base_cpu = common.median(cpu["cocoprep"]) if "cocoprep" in cpu else None
    rows = []
    for name in selected:
        w, c = extrapolated(wall[name], encode[name], name), extrapolated(cpu[name], encode_cpu[name], name)
        e = f" ({common.median(encode[name]) * scale[name]:.2f})" if encode[name] else ""
        note = " (extrapolated from %d lines)" % lines_run[name] if scale[name] != 1 else ""
        rows.append([labels[name] + note, f"{w:.2f}{e}", f"{args.lines / w:,.0f}", f"{c:.2f}",
                     f"{common.median(memory[name]):.0f}",
                     f"{w / base_wall:.1f}x" if base_wall else "", f"{c / base_cpu:.1f}x" if base_cpu else ""])
    print(f"{args.lines:,} lines (COCO val2017 captions x{args.lines / len(captions):.1f}), "
          f"median of {args.runs} runs, {common.machine()}; load average before "
          + " ".join(f"{x:.1f}" for x in load_before) + ", after " + " ".join(f"{x:.1f}" for x in load_after) + "\n")
    print(common.table(["tool", "wall s (encode only)", "lines/s", "CPU s", "peak RSS MiB",
                        "cocoprep wall speed-up", "cocoprep CPU-time ratio"], rows))
    if "cocoprep" in selected and len(selected) > 1:
        ours, results = compare(outputs, args.lines, [name for name in selected if name != "cocoprep"])
        print()
        for name, (count, differing, theirs) in results.items():
            unique = len({index % len(captions) for index in differing})
            print(f"ids vs cocoprep, {name}: {count - len(differing):,} of {count:,} lines equal, "
                  f"{len(differing):,} differ ({unique:,} distinct captions)")
            for index in differing[:8]:
                print(f"  line {index + 1}: {json.dumps(captions[index % len(captions)])}\n"
                      f"    cocoprep [{ours[index]}]\n    {name} [{theirs[index]}]")


if __name__ == "__main__":
    main()
