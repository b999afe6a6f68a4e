"""Scores caption results with pycocoevalcap 1.2 (BLEU, ROUGE-L, CIDEr-D; no METEOR/SPICE).

Usage: pycocoevalcap_scores.py REFERENCE.json RESULTS.json OUT.json [--no-tokenizer TOKENIZED.json]

Follows COCOEvalCap.evaluate with `params['image_id'] = cocoRes.getImgIds()` (the
coco-caption example) and only the scorers that need no Java beyond the tokenizer. Writes
{"corpus": {name: score}, "per_image": [[image_id, {name: score}], ...], "seconds": {...}}.
Used by cocoprep-eval's parity test and bench/eval_captions.py.
"""
import contextlib
import io
import json
import sys
import time

from pycocotools.coco import COCO
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.rouge.rouge import Rouge
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer


def main():
    reference_path, results_path, out_path = sys.argv[1:4]
    seconds = {}
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(reference_path)
        coco_res = coco.loadRes(results_path)
    image_ids = coco_res.getImgIds()
    gts = {i: coco.imgToAnns[i] for i in image_ids}
    res = {i: coco_res.imgToAnns[i] for i in image_ids}
    seconds["load"] = time.perf_counter() - start

    start = time.perf_counter()
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize(gts)
    res = tokenizer.tokenize(res)
    seconds["tokenize"] = time.perf_counter() - start

    corpus = {}
    per_image = {i: {} for i in gts}
    start = time.perf_counter()
    for scorer, names in [
        (Bleu(4), ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"]),
        (Rouge(), ["ROUGE_L"]),
        (Cider(), ["CIDEr"]),
    ]:
        with contextlib.redirect_stdout(io.StringIO()):
            score, scores = scorer.compute_score(gts, res)
        if len(names) == 1:
            score, scores = [score], [scores]
        for name, value, values in zip(names, score, scores):
            corpus[name] = float(value)
            for image_id, v in zip(gts.keys(), values):
                per_image[image_id][name] = float(v)
    seconds["score"] = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump(
            {
                "corpus": corpus,
                "per_image": [[i, s] for i, s in per_image.items()],
                "tokenized": [[i, res[i][0], gts[i]] for i in gts],
                "seconds": seconds,
            },
            f,
        )


if __name__ == "__main__":
    main()
