"""``cocoprep.mask`` gives pycocotools 2.0.11's answers, in the same process, value and type:
every annotation of the annotation files through ``annToRLE`` / ``annToMask`` / ``area`` /
``toBbox``, generated polygons, boxes and masks through ``frPyObjects`` / ``encode`` /
``decode`` / ``merge`` / ``iou``, and hotcoco's compatibility cases (``bytes`` and ``str``
counts, bool masks)."""

import numpy as np
import pytest
from pycocotools import mask as reference
from pycocotools.coco import COCO as ReferenceCOCO

from cocoprep import COCO
from cocoprep import mask as ours
from conftest import annotation_files, quiet


def assert_same(actual, expected):
    assert type(actual) is type(expected), (type(actual), type(expected))
    if isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        assert actual.flags.f_contiguous == expected.flags.f_contiguous
        assert np.array_equal(actual, expected)
    elif isinstance(expected, dict):
        assert sorted(actual) == sorted(expected)
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    else:
        assert actual == expected


def instance_files():
    return [p for p in annotation_files() if "instances" in p.name or "keypoints" in p.name or "stuff" in p.name]


@pytest.mark.parametrize("path", instance_files(), ids=lambda p: p.name)
def test_every_annotation_converts_like_pycocotools(path):
    with quiet():
        try:
            theirs = ReferenceCOCO(str(path))
        except Exception:
            pytest.skip("pycocotools cannot load {}".format(path.name))
        mine = COCO(str(path))
    compared = 0
    for key, annotation in theirs.anns.items():
        if "segmentation" not in annotation or annotation["image_id"] not in theirs.imgs:
            continue
        image = theirs.imgs[annotation["image_id"]]
        if "height" not in image:
            continue
        expected = theirs.annToRLE(annotation)
        actual = mine.annToRLE(mine.anns[key])
        assert_same(actual, expected)
        assert_same(mine.annToMask(mine.anns[key]), theirs.annToMask(annotation))
        assert_same(ours.area(actual), reference.area(expected))
        assert_same(ours.toBbox(actual), reference.toBbox(expected))
        compared += 1
    if compared == 0:
        pytest.skip("no segmentations in {}".format(path.name))


def random_polygons(rng, count):
    polygons = []
    for _ in range(count):
        points = int(rng.integers(3, 12))
        height, width = int(rng.integers(1, 60)), int(rng.integers(1, 60))
        coordinates = rng.uniform(-10, 70, size=points * 2)
        decimals = int(rng.integers(0, 4))
        coordinates = np.round(coordinates, decimals) if decimals < 3 else coordinates
        polygons.append((coordinates.tolist(), height, width))
    return polygons


def test_generated_polygons_boxes_and_merges_match():
    rng = np.random.default_rng(7)
    for polygon, height, width in random_polygons(rng, 2000):
        expected = reference.frPyObjects([polygon], height, width)
        actual = ours.frPyObjects([polygon], height, width)
        assert_same(actual, expected)
        for implementation in (ours, reference):  # a bare polygon: both fail alike
            with pytest.raises(TypeError):
                implementation.frPyObjects(polygon, height, width)
        second = reference.frPyObjects([[c + 3 for c in polygon]], height, width)
        for intersect in (0, 1):
            assert_same(ours.merge(actual + second, intersect), reference.merge(expected + second, intersect))
        boxes = rng.uniform(-5, 60, size=(3, 4))
        assert_same(ours.frPyObjects(boxes, height, width), reference.frPyObjects(boxes, height, width))


def test_encode_decode_of_random_masks_match():
    rng = np.random.default_rng(11)
    for _ in range(300):
        height, width, count = int(rng.integers(1, 40)), int(rng.integers(1, 40)), int(rng.integers(1, 4))
        density = rng.uniform(0, 1)
        masks = np.asfortranarray((rng.uniform(size=(height, width, count)) < density).astype(np.uint8))
        expected = reference.encode(masks)
        assert_same(ours.encode(masks), expected)
        assert_same(ours.decode(expected), reference.decode(expected))
        assert_same(ours.encode(masks[:, :, 0]), reference.encode(masks[:, :, 0]))
        assert_same(ours.decode(expected[0]), reference.decode(expected[0]))
        assert_same(ours.area(expected), reference.area(expected))
        assert_same(ours.toBbox(expected), reference.toBbox(expected))
        # hotcoco's compatibility cases: bool masks, str and bytes counts.
        assert_same(ours.encode(masks.astype(bool)), expected)
        as_str = [{"size": rle["size"], "counts": rle["counts"].decode("ascii")} for rle in expected]
        assert_same(ours.decode(as_str), reference.decode(as_str))
        assert_same(ours.area(as_str), reference.area(as_str))


def test_iou_of_masks_and_boxes_matches():
    rng = np.random.default_rng(3)
    for _ in range(200):
        height, width = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        m, n = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        dt = reference.encode(np.asfortranarray((rng.uniform(size=(height, width, m)) < 0.4).astype(np.uint8)))
        gt = reference.encode(np.asfortranarray((rng.uniform(size=(height, width, n)) < 0.4).astype(np.uint8)))
        crowd = [int(flag) for flag in rng.integers(0, 2, size=n)]
        assert_same(ours.iou(dt, gt, crowd), reference.iou(dt, gt, crowd))
        boxes_dt = rng.uniform(0, 30, size=(m, 4))
        boxes_gt = rng.uniform(0, 30, size=(n, 4))
        assert_same(ours.iou(boxes_dt, boxes_gt, crowd), reference.iou(boxes_dt, boxes_gt, crowd))
        assert_same(ours.iou(boxes_dt.tolist(), boxes_gt.tolist(), crowd), reference.iou(boxes_dt.tolist(), boxes_gt.tolist(), crowd))
    assert_same(ours.iou([], [], []), reference.iou([], [], []))


def test_invalid_rle_is_a_value_error_not_a_garbage_mask():
    with pytest.raises(ValueError, match="RLE"):
        ours.decode({"size": [4, 4], "counts": b"\x7f"})
    with pytest.raises(ValueError):
        ours.decode({"size": [4, 4], "counts": [3, 2]})
