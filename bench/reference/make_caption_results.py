"""Writes deterministic caption results for every image of a COCO captions file.

Usage: make_caption_results.py REFERENCE.json RESULTS.json

Each image gets, by its position i in the file: one of its own references unchanged
(i % 6 == 0), a reference with its last two words dropped (1), a reference with two words
swapped (2), another image's reference (3), a reference upper-cased with punctuation added
(4), or a shortened reference with a repeated word (5). A few fixed captions cover the
corner cases (empty, punctuation only, `<unk>`, brackets, contractions).
Used by cocoprep-eval's parity test and bench/eval_captions.py.
"""
import json
import sys

SPECIAL = ["", "...", "a <unk> on a <unk> table", "a dog (brown) isn't on the sofa's edge", "A"]


def main():
    reference_path, results_path = sys.argv[1:3]
    reference = json.load(open(reference_path))
    captions = {}
    for annotation in reference["annotations"]:
        captions.setdefault(annotation["image_id"], []).append(annotation["caption"])
    ids = [image["id"] for image in reference["images"] if image["id"] in captions]
    results = []
    for i, image_id in enumerate(ids):
        own = captions[image_id]
        words = own[i % len(own)].split()
        mode = i % 6
        if i < len(SPECIAL):
            caption = SPECIAL[i]
        elif mode == 0:
            caption = own[i % len(own)]
        elif mode == 1:
            caption = " ".join(words[:-2])
        elif mode == 2:
            if len(words) > 3:
                words[1], words[2] = words[2], words[1]
            caption = " ".join(words)
        elif mode == 3:
            caption = captions[ids[(i * 7 + 3) % len(ids)]][0]
        elif mode == 4:
            caption = " ".join(words).upper() + "!"
        else:
            caption = " ".join(words[: max(1, len(words) // 2)] + words[:1])
        results.append({"image_id": image_id, "caption": caption})
    json.dump(results, open(results_path, "w"))


if __name__ == "__main__":
    main()
