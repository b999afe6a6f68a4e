"""Make ``pycocotools.coco`` and ``pycocotools.mask`` resolve to cocoprep.

    import cocoprep.compat
    cocoprep.compat.install()
    from pycocotools.coco import COCO        # cocoprep.COCO
    from pycocotools.cocoeval import COCOeval  # pycocotools' own, on cocoprep.mask

Call it before the code under it imports pycocotools. When pycocotools itself is
installed, its other modules (``cocoeval``) stay importable and use cocoprep's ``mask``;
when it is not, ``pycocotools`` is a package holding only ``coco`` and ``mask``.
"""

import importlib.util
import sys
import types

from . import coco as _coco
from . import mask as _mask


def install():
    """Route ``pycocotools.coco`` / ``pycocotools.mask`` to cocoprep. Idempotent."""
    package = sys.modules.get("pycocotools")
    if package is None:
        if importlib.util.find_spec("pycocotools") is not None:
            import pycocotools as package
        else:
            package = types.ModuleType("pycocotools")
            package.__path__ = []
            package.__doc__ = "cocoprep's stand-in for pycocotools (coco, mask)"
            sys.modules["pycocotools"] = package
    sys.modules["pycocotools.coco"] = _coco
    sys.modules["pycocotools.mask"] = _mask
    package.coco = _coco
    package.mask = _mask
    # Modules of pycocotools imported before install() keep their own references.
    for name in ("pycocotools.cocoeval",):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "maskUtils"):
            module.maskUtils = _mask


def installed():
    """Whether ``pycocotools.coco`` currently resolves to cocoprep."""
    return sys.modules.get("pycocotools.coco") is _coco
