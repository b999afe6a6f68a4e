"""Builds fixtures/dialects/: the COCO sample reshaped as LVIS v1, CrowdPose and Objects365
files, member for member as those datasets ship them, plus a broken variant of each.

Field sets and member order follow the real files:
* LVIS v1: lvis-dataset/lvis-api (`data/lvis_val_100.json`, `lvis/eval.py`); v1 images
  have `coco_url` and no `file_name`, annotations have no `iscrowd`, categories have
  `synset`, `synonyms`, `def`, `frequency`, `image_count`, `instance_count` and no
  `supercategory`. Category records are LVIS's own (from `lvis_val_100.json`, found by the
  synset of `data/coco_to_synset.json`); pass the lvis-api checkout as argv[1].
* CrowdPose: xtcocoapi `annotations/example_crowdpose_val.json`: 14 keypoints (COCO's 12
  limbs, then head and neck), `num_keypoints` counting the first 12, images with
  `crowdIndex`, annotations with no `area` or `segmentation`, and the category keeping
  COCO's skeleton (indices up to 17).
* Objects365 v2: `zhiyuan_objv2_val.json` records: images `images/v1/patchN/objects365_v1_*.jpg`
  with `url`, annotations with `isfake`, `isreflected`, `area` = w*h and no
  `segmentation`, categories with only `name` and `id`.

Run: python scripts/make_dialect_fixtures.py /path/to/lvis-api
"""

import copy
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures/coco-sample/annotations"
OUT = ROOT / "fixtures/dialects"


def load(name):
    return json.loads((SAMPLE / name).read_text())


def write(name, document):
    (OUT / name).write_text(json.dumps(document, indent=1) + "\n")


def git_show(repo, path):
    return json.loads(subprocess.check_output(["git", "-C", repo, "show", f"HEAD:{path}"]))


def lvis(lvis_api):
    coco = load("instances_val2017.json")
    to_synset = git_show(lvis_api, "data/coco_to_synset.json")
    lvis_categories = {c["synset"]: c for c in git_show(lvis_api, "data/lvis_val_100.json")["categories"]}
    coco_names = {c["id"]: c["name"] for c in coco["categories"]}
    # LVIS has no crowd regions.
    annotations = [a for a in coco["annotations"] if not a["iscrowd"]]
    used = sorted({a["category_id"] for a in annotations})
    categories = {}
    next_id = max(c["id"] for c in lvis_categories.values()) + 1
    for coco_id in used:
        entry = to_synset[coco_names[coco_id]]
        record = copy.deepcopy(lvis_categories.get(entry["synset"]))
        if record is None:
            # Not in the v0.5 vocabulary: a v1 record of the same shape.
            name = coco_names[coco_id].replace(" ", "_")
            record = {"name": name, "image_count": 0, "frequency": "f", "synset": entry["synset"],
                      "def": entry["meaning"], "instance_count": 0, "id": next_id, "synonyms": [name]}
            next_id += 1
        categories[coco_id] = record
    # A few categories with no annotation here, as in any LVIS split.
    for synset in ["acorn.n.01", "aerosol.n.02", "alligator.n.02"]:
        categories[synset] = copy.deepcopy(lvis_categories[synset])
    for record in categories.values():
        record["image_count"] = 0
        record["instance_count"] = 0
    lvis_annotations = []
    for a in annotations:
        category = categories[a["category_id"]]
        category["instance_count"] += 1
        lvis_annotations.append({
            "area": a["area"], "id": a["id"], "segmentation": a["segmentation"],
            "image_id": a["image_id"], "bbox": a["bbox"], "category_id": category["id"],
        })
    present = {}
    for a in lvis_annotations:
        present.setdefault(a["image_id"], set()).add(a["category_id"])
    for record in categories.values():
        record["image_count"] = sum(record["id"] in ids for ids in present.values())
    absent = [categories[s]["id"] for s in ["acorn.n.01", "aerosol.n.02", "alligator.n.02"]]
    images = []
    for index, image in enumerate(coco["images"]):
        ids = sorted(present.get(image["id"], set()))
        images.append({
            "date_captured": image["date_captured"],
            "neg_category_ids": absent[: 1 + index % 3],
            "id": image["id"],
            "license": image["license"],
            "height": image["height"],
            "width": image["width"],
            "flickr_url": image["flickr_url"],
            "coco_url": image["coco_url"],
            "not_exhaustive_category_ids": ids[:1] if index % 2 else [],
        })
    document = {
        "info": coco["info"],
        "annotations": lvis_annotations,
        "images": images,
        "licenses": coco["licenses"],
        "categories": sorted(categories.values(), key=lambda c: c["id"]),
    }
    write("lvis_v1_val.json", document)
    broken = copy.deepcopy(document)
    del broken["images"][1]["neg_category_ids"]           # LVISEval: KeyError
    broken["images"][2]["not_exhaustive_category_ids"] = ["7"]
    broken["categories"][0]["frequency"] = "x"             # not r/c/f
    del broken["annotations"][3]["area"]                   # LVISEval: KeyError
    write("lvis_v1_val_broken.json", broken)


# CrowdPose keypoints in COCO's numbering (0-based): the 12 limbs, then head and neck.
CROWDPOSE_FROM_COCO = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
CROWDPOSE_NAMES = [
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "head", "neck",
]
# As in the released files: the first 12 pairs of COCO's 17-keypoint skeleton.
CROWDPOSE_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13],
                      [6, 7], [6, 8], [7, 9], [8, 10], [9, 11]]


def crowdpose():
    coco = load("person_keypoints_val2017.json")
    annotations = []
    people = {}
    for a in coco["annotations"]:
        if a["iscrowd"]:
            continue
        k = a["keypoints"]
        triplets = [k[3 * i: 3 * i + 3] for i in range(17)]
        body = [triplets[i] for i in CROWDPOSE_FROM_COCO]
        head = triplets[0]
        left, right = triplets[5], triplets[6]
        if left[2] and right[2]:
            neck = [round((left[0] + right[0]) / 2), round((left[1] + right[1]) / 2), 1]
        else:
            neck = [0, 0, 0]
        points = body + [head, neck]
        annotations.append({
            "num_keypoints": sum(1 for p in body if p[2] > 0),
            "iscrowd": 0,
            "keypoints": [v for p in points for v in p],
            "image_id": a["image_id"],
            "bbox": a["bbox"],
            "category_id": 1,
            "id": a["id"],
        })
        people[a["image_id"]] = people.get(a["image_id"], 0) + 1
    images = [{
        "file_name": image["file_name"],
        "id": image["id"],
        "height": image["height"],
        "width": image["width"],
        "crowdIndex": round(min(people.get(image["id"], 0), 10) / 10, 2),
    } for image in coco["images"]]
    document = {
        "categories": [{
            "supercategory": "person", "id": 1, "name": "person",
            "keypoints": CROWDPOSE_NAMES, "skeleton": CROWDPOSE_SKELETON,
        }],
        "images": images,
        "annotations": annotations,
    }
    write("crowdpose_val.json", document)
    broken = copy.deepcopy(document)
    broken["annotations"][0]["keypoints"] = broken["annotations"][0]["keypoints"][:39]  # 13 keypoints
    broken["annotations"][1]["image_id"] = 999999999                                   # no such image
    broken["annotations"][2]["bbox"][2] = -broken["annotations"][2]["bbox"][2]         # negative width
    write("crowdpose_val_broken.json", broken)


# The first 16 Objects365 v2 categories, and the COCO ones they hold.
OBJECTS365_CATEGORIES = [
    "Person", "Sneakers", "Chair", "Other Shoes", "Hat", "Car", "Lamp", "Glasses", "Bottle",
    "Desk", "Cup", "Street Lights", "Cabinet/shelf", "Handbag/Satchel", "Bracelet", "Plate",
]
FROM_COCO = {"person": 1, "chair": 3, "car": 6, "bottle": 9, "cup": 11, "handbag": 14}


def objects365():
    coco = load("instances_val2017.json")
    coco_names = {c["id"]: c["name"] for c in coco["categories"]}
    images = [{
        "height": image["height"],
        "id": image["id"],
        "license": image["license"],
        "width": image["width"],
        "file_name": f"images/v1/patch{index}/objects365_v1_{image['id']:08d}.jpg",
        "url": "",
    } for index, image in enumerate(coco["images"])]
    annotations = []
    for a in coco["annotations"]:
        category = FROM_COCO.get(coco_names[a["category_id"]])
        if category is None:
            continue
        x, y, w, h = a["bbox"]
        annotations.append({
            "id": a["id"], "iscrowd": a["iscrowd"], "isfake": 0, "area": w * h,
            "isreflected": 0, "bbox": a["bbox"], "image_id": a["image_id"],
            "category_id": category,
        })
    document = {
        "images": images,
        "annotations": annotations,
        "categories": [{"name": name, "id": i + 1} for i, name in enumerate(OBJECTS365_CATEGORIES)],
        "licenses": coco["licenses"],
    }
    write("objects365_v2_val.json", document)
    broken = copy.deepcopy(document)
    del broken["annotations"][0]["iscrowd"]            # COCOeval: KeyError
    broken["annotations"][1]["category_id"] = 400       # not a category
    broken["annotations"][2]["bbox"][0] = 10000.0       # far outside the image
    write("objects365_v2_val_broken.json", broken)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    lvis(sys.argv[1])
    crowdpose()
    objects365()
