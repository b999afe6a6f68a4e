"""The compatibility switch, pycocotools' mutation semantics, and COCOeval on top.

* ``cocoprep.compat.install()`` in a fresh interpreter makes ``pycocotools.coco`` and
  ``pycocotools.mask`` cocoprep's; pycocotools' own ``COCOeval`` then runs on them and gives
  the same 12 statistics as pure pycocotools on the cocoapi evaluation data (bbox and segm),
  including after in-place edits of ``params`` (hotcoco's compatibility audit, issue 5).
* Edits of annotation dicts in place, appends to ``imgToAnns`` lists and missing keys behave
  as in pycocotools.
"""

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest
from pycocotools.coco import COCO as ReferenceCOCO
from pycocotools.cocoeval import COCOeval as ReferenceCOCOeval

from cocoprep import COCO
from conftest import quiet, require_shared_data

EVALUATE = r"""
import contextlib, io, json, sys
import numpy as np
{install}
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
gt_path, results_path, iou_type = sys.argv[1:4]
out = {{}}
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_path)
    dt = gt.loadRes(results_path)
    for edit in (False, True):
        evaluation = COCOeval(gt, dt, iou_type)
        if edit:  # in-place params edits must be honoured
            evaluation.params.iouThrs = np.array([0.5, 0.75])
            evaluation.params.maxDets = [1, 10, 50]
        evaluation.evaluate(); evaluation.accumulate(); evaluation.summarize()
        out["edited" if edit else "default"] = [float(v) for v in evaluation.stats]
out["module"] = COCO.__module__
print(json.dumps(out))
"""


def evaluate(install, gt, results, iou_type):
    script = EVALUATE.format(install="import cocoprep.compat; cocoprep.compat.install()" if install else "")
    output = subprocess.run([sys.executable, "-c", script, str(gt), str(results), iou_type], check=True, capture_output=True, text=True)
    return json.loads(output.stdout)


@pytest.mark.parametrize("iou_type,results", [("bbox", "instances_val2014_fakebbox100_results.json"), ("segm", "instances_val2014_fakesegm100_results.json")])
def test_cocoeval_through_the_compat_switch_gives_pycocotools_stats(iou_type, results):
    data = require_shared_data() / "cocoapi-eval"
    gt = data / "instances_val2014_100.json"
    ours = evaluate(True, gt, data / results, iou_type)
    theirs = evaluate(False, gt, data / results, iou_type)
    assert ours["module"] == "cocoprep.coco" and theirs["module"] == "pycocotools.coco"
    assert ours["default"] == theirs["default"]
    assert ours["edited"] == theirs["edited"]


def load_both(path):
    with quiet():
        return COCO(str(path)), ReferenceCOCO(str(path))


def test_in_place_edits_change_answers_as_in_pycocotools():
    path = require_shared_data() / "coco-mini/annotations/instances_val2017.json"
    ours, theirs = load_both(path)
    for coco in (ours, theirs):
        first, second = coco.getAnnIds()[:2]
        coco.anns[first]["iscrowd"] = 1
        coco.anns[first]["area"] = 1e9
        coco.loadAnns([second])[0]["category_id"] = 999
        image = coco.anns[first]["image_id"]
        coco.imgToAnns[image].append({"id": -5, "category_id": 1, "area": 10.0, "iscrowd": 0, "image_id": image})
    for query in [dict(iscrowd=1), dict(areaRng=[1e8, 1e10]), dict(catIds=[999]), dict(imgIds=[ours.anns[ours.getAnnIds()[0]]["image_id"]], catIds=[1]), dict(catIds=[1], iscrowd=0)]:
        assert ours.getAnnIds(**query) == theirs.getAnnIds(**query), query
    # A missing image gives (and keeps) an empty list, like defaultdict(list).
    assert ours.imgToAnns[123456789] == theirs.imgToAnns[123456789] == []
    assert (123456789 in ours.imgToAnns) == (123456789 in theirs.imgToAnns)
    assert list(ours.imgToAnns) == list(theirs.imgToAnns)
    # The same dict everywhere.
    annotation_id = ours.getAnnIds()[3]
    annotation = ours.anns[annotation_id]
    assert annotation in ours.imgToAnns[annotation["image_id"]]
    assert any(a is annotation for a in ours.dataset["annotations"])
    # numpy ids and float ids find records as dict lookups do.
    assert ours.loadAnns([np.int64(annotation_id)]) == [annotation]
    assert ours.anns[float(annotation_id)] is annotation


def test_results_loaded_from_arrays_and_pickled_objects_match():
    path = require_shared_data() / "cocoapi-eval/instances_val2014_100.json"
    ours, theirs = load_both(path)
    image = ours.getImgIds()[0]
    detections = np.array([[image, 10, 20, 30, 40, 0.9, 1], [image, 5, 5, 10, 10, 0.5, 2]], dtype=np.float64)
    with quiet():
        mine = ours.loadRes(detections)
        reference = theirs.loadRes(detections)
    assert mine.dataset["annotations"] == reference.dataset["annotations"]
    assert mine.getAnnIds(catIds=[1]) == reference.getAnnIds(catIds=[1])
    copy = pickle.loads(pickle.dumps(ours))
    assert copy.getAnnIds(catIds=[1], iscrowd=0) == theirs.getAnnIds(catIds=[1], iscrowd=0)
    assert json.loads(json.dumps(copy.dataset)) == json.loads(json.dumps(theirs.dataset))


def test_unreadable_files_raise_like_pycocotools(tmp_path):
    with pytest.raises(FileNotFoundError):
        COCO(str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"images": [}')
    with quiet(), pytest.raises(ValueError, match="broken.json:1:"):
        COCO(str(broken))
    results = tmp_path / "list.json"
    results.write_text("[]")
    with quiet(), pytest.raises(AssertionError):
        COCO(str(results))


def count_annotations(path):
    with quiet():
        return len(COCO(path).anns)


def test_loading_works_in_forked_dataloader_workers():
    # The reader starts its own scoped threads on every call (no global pool), so a
    # child forked after the parent loaded a file (PyTorch DataLoader workers) can load too.
    import multiprocessing

    path = require_shared_data() / "coco-mini/annotations/instances_val2017.json"
    parent = count_annotations(path)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(count_annotations, [path, path]) == [parent, parent]
