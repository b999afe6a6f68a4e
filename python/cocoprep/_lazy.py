"""The containers behind a file-backed :class:`cocoprep.COCO`.

pycocotools builds a ``dict`` per annotation at load time; cocoprep keeps the records in
Rust and builds each annotation's ``dict`` the first time Python asks for it. The native
object keeps that ``dict``, so ``coco.anns[i]``, ``coco.imgToAnns[j]`` and
``coco.dataset["annotations"]`` hand out one shared object per annotation and in-place
edits persist, as in pycocotools.
"""

import operator
from collections.abc import MutableMapping, MutableSequence


def normalize_id(key):
    """The ``int`` a dict lookup with ``key`` would match (``5``, ``5.0``, ``np.int64(5)``,
    ``True``), or ``None`` when ``key`` can only match a key of its own kind."""
    if isinstance(key, float):
        return int(key) if key.is_integer() else None
    try:
        value = operator.index(key)
    except TypeError:
        return None
    return value if 0 <= value < 1 << 64 else None


class AnnotationList(MutableSequence):
    """``dataset["annotations"]`` before anyone asked for it as a list.

    :class:`Dataset` swaps it for a real ``list`` (of the same ``dict`` objects) on first
    access, so what users see is a ``list``; this object only stands in the dict's storage
    so that C-level readers of the dict (``dict(dataset)``) still find the annotations.
    """

    def __init__(self, native):
        self._native = native
        self._list = None

    def materialize(self):
        if self._list is None:
            self._list = self._native.all_annotations()
        return self._list

    @property
    def pristine(self):
        return self._list is None

    def __len__(self):
        return self._native.annotation_count() if self._list is None else len(self._list)

    def __getitem__(self, index):
        if self._list is not None or isinstance(index, slice):
            return self.materialize()[index]
        count = self._native.annotation_count()
        index = operator.index(index)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("list index out of range")
        return self._native.annotation(index)

    def __iter__(self):
        if self._list is not None:
            return iter(self._list)
        return (self._native.annotation(index) for index in range(self._native.annotation_count()))

    def __setitem__(self, index, value):
        self.materialize()[index] = value

    def __delitem__(self, index):
        del self.materialize()[index]

    def insert(self, index, value):
        self.materialize().insert(index, value)

    def __eq__(self, other):
        return list(self) == other

    def __repr__(self):
        return repr(self.materialize())

    def __reduce_ex__(self, protocol):
        return (list, (self.materialize(),))


class Dataset(dict):
    """``coco.dataset``: a ``dict`` whose ``"annotations"`` become a real ``list`` the first
    time they are read through it (until then the annotations' ``dict`` objects are not
    built, which is where pycocotools spends its time and memory)."""

    def _annotations(self):
        value = dict.get(self, "annotations")
        if isinstance(value, AnnotationList):
            value = value.materialize()
            dict.__setitem__(self, "annotations", value)
        return value

    def annotations_pristine(self, lazy):
        if lazy is None:  # the file had no `annotations`
            return "annotations" not in self
        return dict.get(self, "annotations") is lazy and lazy.pristine

    def __getitem__(self, key):
        if key == "annotations":
            self._annotations()
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        if key == "annotations":
            self._annotations()
        return dict.get(self, key, default)

    def pop(self, key, *default):
        if key == "annotations":
            self._annotations()
        return dict.pop(self, key, *default)

    def setdefault(self, key, default=None):
        if key == "annotations":
            self._annotations()
        return dict.setdefault(self, key, default)

    def items(self):
        self._annotations()
        return dict.items(self)

    def values(self):
        self._annotations()
        return dict.values(self)

    def popitem(self):
        self._annotations()
        return dict.popitem(self)

    def copy(self):
        self._annotations()
        return dict(dict.items(self))

    def __eq__(self, other):
        self._annotations()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self):
        self._annotations()
        return dict.__repr__(self)

    def __reduce_ex__(self, protocol):
        self._annotations()
        return (dict, (dict(dict.items(self)),))


class AnnotationsById(MutableMapping):
    """``coco.anns``: annotation id → the annotation's ``dict`` (the last one when an id
    repeats, as a ``dict`` built in file order keeps)."""

    def __init__(self, native):
        self._native = native
        self._added = {}
        self._deleted = set()
        self._ids = None
        self._id_set = None

    def _native_ids(self):
        if self._ids is None:
            self._ids = self._native.annotation_ids()
        return self._ids

    def _native_id_set(self):
        if self._id_set is None:
            self._id_set = set(self._native_ids())
        return self._id_set

    def __getitem__(self, key):
        if key in self._added:
            return self._added[key]
        number = normalize_id(key)
        if number is not None and number not in self._deleted:
            found = self._native.annotation_by_id(number)
            if found is not None:
                return found
        raise KeyError(key)

    def __contains__(self, key):
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __setitem__(self, key, value):
        number = normalize_id(key)
        if number is not None and self._native.annotation_by_id(number) is not None:
            self._deleted.discard(number)
            key = number
        self._added[key] = value

    def __delitem__(self, key):
        number = normalize_id(key)
        if key in self._added:
            del self._added[key]
            if number is not None and self._native.annotation_by_id(number) is not None:
                self._deleted.add(number)
            return
        if number is None or number in self._deleted or self._native.annotation_by_id(number) is None:
            raise KeyError(key)
        self._deleted.add(number)

    def __iter__(self):
        for key in self._native_ids():
            if key not in self._deleted:
                yield key
        native = self._native_id_set()
        for key in self._added:
            if key not in native:
                yield key

    def __len__(self):
        native = self._native_id_set()
        return (len(native) - len(self._deleted)) + sum(1 for key in self._added if key not in native)

    def __repr__(self):
        return repr(dict(self.items()))


class ImageAnnotations(MutableMapping):
    """``coco.imgToAnns``: image id → list of the image's annotation ``dict`` objects, in
    file order; a missing key gives (and stores) an empty list, like pycocotools'
    ``defaultdict(list)``. Each list is built once and then kept, so appends persist."""

    default_factory = list

    def __init__(self, native):
        self._native = native
        self._lists = {}
        self._deleted = set()

    @property
    def untouched(self):
        return not self._lists and not self._deleted

    def _key(self, key):
        number = normalize_id(key)
        return key if number is None else number

    def _native_has(self, key):
        return isinstance(key, int) and key not in self._deleted and self._native.has_annotated_image(key)

    def __getitem__(self, key):
        key = self._key(key)
        found = self._lists.get(key)
        if found is None:
            found = self._native.image_annotations(key) if self._native_has(key) else []
            self._lists[key] = found
        return found

    def __missing__(self, key):
        return self[key]

    def __contains__(self, key):
        key = self._key(key)
        return key in self._lists or self._native_has(key)

    def __setitem__(self, key, value):
        self._lists[self._key(key)] = value

    def __delitem__(self, key):
        key = self._key(key)
        if key in self._lists:
            del self._lists[key]
            if self._native_has(key):
                self._deleted.add(key)
        elif self._native_has(key):
            self._deleted.add(key)
        else:
            raise KeyError(key)

    def __iter__(self):
        native = self._native.annotated_image_ids()
        for key in native:
            if key not in self._deleted:
                yield key
        native = set(native)
        for key in list(self._lists):
            if key not in native:
                yield key

    def __len__(self):
        return sum(1 for _ in self)

    def __repr__(self):
        return "defaultdict(<class 'list'>, {!r})".format(dict(self.items()))
