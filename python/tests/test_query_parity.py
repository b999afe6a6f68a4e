"""``cocoprep.COCO`` answers like pycocotools 2.0.11, in the same process: the query set of
crates/cocoprep-coco/tests/it/pycocotools_parity.rs (the same generator and seeds, ported)
on every annotation file, compared for equal results, types and order (``getImgIds``
included: both build the same sets), and equal exceptions where pycocotools raises.

Each file runs three times: freshly loaded (the Rust index answers), after every
annotation ``dict`` was handed out (Rust judges handed-out records by their ``dict``), and
after ``dataset["annotations"]`` was read as a list (pycocotools' own code path).
"""

import pytest
from pycocotools.coco import COCO as ReferenceCOCO

from cocoprep import COCO
from conftest import annotation_files, quiet

QUERIES_PER_FILE = 3000
MASK64 = (1 << 64) - 1


class Random:
    """xorshift64*, as in the Rust test."""

    def __init__(self, seed):
        self.state = (seed | 1) & MASK64

    def next(self):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & MASK64
        x ^= x >> 27
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & MASK64

    def below(self, bound):
        return 0 if bound == 0 else self.next() % bound

    def pick(self, items, counts):
        count = counts[self.below(len(counts))]
        return [items[self.below(len(items))] for _ in range(count)] if items else []


def generate_queries(dataset, seed):
    random = Random(seed)
    annotations = dataset.get("annotations", [])
    categories = dataset.get("categories", [])
    image_ids = [image["id"] for image in dataset.get("images", [])]
    image_ids += [annotation["image_id"] for annotation in annotations]
    image_ids += [0, 1, 99, 123456789]
    category_ids = [category["id"] for category in categories] + [0, 91, 500]
    names = [category["name"] for category in categories] + ["no such category", "Person"]
    supercategories = [c["supercategory"] for c in categories if c.get("supercategory") is not None] + ["nothing"]
    annotation_ids = [a["id"] for a in annotations if "id" in a]
    areas = [float(a["area"]) for a in annotations if a.get("area") is not None]
    queries = []
    for _ in range(QUERIES_PER_FILE):
        kind = random.below(4)
        if kind == 0:
            choice = random.below(4)
            if choice in (0, 1):
                area_range = []
            elif choice == 2 and areas:
                area_range = sorted(random.pick(areas, [2]))
            else:
                area_range = [0.0, [32.0 * 32.0, 96.0 * 96.0, 1e10][random.below(3)]]
            iscrowd = [None, 0, 1][random.below(3)]
            images = random.pick(image_ids, [0, 0, 1, 2, 5])
            cats = random.pick(category_ids, [0, 0, 1, 2, 3])
            queries.append(("getAnnIds", dict(imgIds=images, catIds=cats, areaRng=area_range, iscrowd=iscrowd)))
        elif kind == 1:
            cat_names = random.pick(names, [0, 0, 1, 3])
            sups = random.pick(supercategories, [0, 0, 1, 2])
            cats = random.pick(category_ids, [0, 0, 1, 4])
            queries.append(("getCatIds", dict(catNms=cat_names, supNms=sups, catIds=cats)))
        elif kind == 2:
            images = random.pick(image_ids, [0, 0, 1, 3, 20])
            cats = random.pick(category_ids, [0, 1, 1, 2, 3])
            queries.append(("getImgIds", dict(imgIds=images, catIds=cats)))
        else:
            if not annotation_ids:
                annotation_ids.append(1)
            queries.append(("loadAnns", dict(ids=random.pick(annotation_ids, [1, 2, 3, 4]))))
    return queries


def answer(coco, method, arguments):
    try:
        return ("ok", getattr(coco, method)(**arguments))
    except Exception as error:  # compared by type with pycocotools' exception
        return ("error", type(error))


def same(actual, expected):
    """Equal values of equal types, recursively (1 == 1.0 is not enough). The members of a
    record may come in another order (cocoprep writes COCO's usual order)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, dict):
        return sorted(actual) == sorted(expected) and all(same(actual[k], expected[k]) for k in expected)
    if isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    return actual == expected


FILES = annotation_files()


@pytest.mark.parametrize("index", range(len(FILES)), ids=[p.name for p in FILES])
def test_queries_match_pycocotools(index):
    path = FILES[index]
    with quiet():
        try:
            reference = ReferenceCOCO(str(path))
        except Exception as error:
            # pycocotools cannot index this file (panoptic: no annotation ids; a results
            # list); cocoprep must refuse it the same way.
            with pytest.raises(type(error)):
                COCO(str(path))
            pytest.skip("pycocotools cannot load {}: {}".format(path.name, type(error).__name__))
        ours = COCO(str(path))
    queries = generate_queries(reference.dataset, 0x9E3779B97F4A7C15 ^ index)
    assert type(ours.catToImgs) is type(reference.catToImgs)
    assert dict(ours.catToImgs) == dict(reference.catToImgs)
    assert ours.imgs == reference.imgs and list(ours.imgs) == list(reference.imgs)
    assert ours.cats == reference.cats
    assert list(ours.anns) == list(reference.anns) and len(ours.anns) == len(reference.anns)
    assert list(ours.imgToAnns) == list(reference.imgToAnns)

    def run_all(stage):
        for method, arguments in queries:
            expected = answer(reference, method, arguments)
            actual = answer(ours, method, arguments)
            assert actual[0] == expected[0], (stage, method, arguments, actual, expected)
            assert same(actual[1], expected[1]) if expected[0] == "ok" else actual[1] is expected[1], (stage, method, arguments, actual, expected)

    run_all("fresh")
    for key in reference.anns:  # every dict handed out: the hybrid path
        assert same(ours.anns[key], reference.anns[key])
    run_all("handed out")
    assert same(ours.dataset.get("annotations"), reference.dataset.get("annotations"))
    assert same(dict(ours.dataset), reference.dataset)
    run_all("list read")
