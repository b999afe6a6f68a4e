"""cocoprep: prepare COCO and the datasets that travel with it, from Python.

* :class:`COCO` is a drop-in for ``pycocotools.coco.COCO`` whose loading runs in Rust.
* :mod:`cocoprep.mask` is a drop-in for ``pycocotools.mask``.
* ``cocoprep.compat.install()`` makes ``import pycocotools.coco`` / ``pycocotools.mask``
  resolve to these, for code that cannot be edited.
* The command-line jobs are functions (:func:`convert_yolo`, :func:`captions_labels`,
  :func:`features_butd`, :func:`get`, ...) that run the bundled ``cocoprep`` command and
  raise :class:`CommandError` with its message when it fails.
"""

from . import mask
from ._native import __version__
from .coco import COCO
from .jobs import (
    CocoprepError,
    CommandError,
    ProblemsFound,
    captions_labels,
    captions_ngrams,
    captions_reference,
    captions_splits,
    convert_yolo,
    download,
    features_butd,
    get,
    inspect,
    masks_rle,
    masks_semantic,
    run,
    subset,
    validate,
    verify,
)

__all__ = [
    "COCO",
    "CocoprepError",
    "CommandError",
    "ProblemsFound",
    "__version__",
    "captions_labels",
    "captions_ngrams",
    "captions_reference",
    "captions_splits",
    "convert_yolo",
    "download",
    "features_butd",
    "get",
    "inspect",
    "mask",
    "masks_rle",
    "masks_semantic",
    "run",
    "subset",
    "validate",
    "verify",
]
