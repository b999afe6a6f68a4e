"""``cocoprep.mask``: a drop-in for ``pycocotools.mask`` on cocoprep's Rust RLE maths.

The same functions, arguments and return types as pycocotools 2.0.11: RLEs are
``{"size": [h, w], "counts": bytes}``, masks ``uint8`` arrays in Fortran order,
``area`` ``uint32``, ``toBbox`` and ``iou`` ``float64``. Results are bit-identical to
pycocotools (python/tests/test_mask_parity.py). Also accepted, where pycocotools raises or
misreads: ``str`` or list ``counts`` anywhere an RLE is read, ``bool`` and C-ordered masks in
``encode``, boxes given as lists to ``frPyObjects``. Invalid RLEs (runs that do not cover
``h × w``, characters outside the codec) raise ``ValueError`` instead of undefined behaviour.
"""

import numpy as np

from . import _native

__all__ = ["encode", "decode", "area", "toBbox", "iou", "merge", "frPyObjects"]


def _encode(bimask):
    array = np.asarray(bimask)
    if array.dtype == np.bool_:
        array = array.view(np.uint8)
    elif array.dtype != np.uint8:
        array = array.astype(np.uint8)
    h, w, n = array.shape
    return _native.encode(array.reshape(-1, order="F"), h, w, n)


def encode(bimask):
    if len(bimask.shape) == 3:
        return _encode(bimask)
    elif len(bimask.shape) == 2:
        h, w = bimask.shape
        return _encode(np.asarray(bimask).reshape((h, w, 1), order="F"))[0]


def decode(rleObjs):
    if type(rleObjs) == list:
        data, h, w, n = _native.decode(rleObjs)
        return data.reshape((h, w, n), order="F")
    else:
        data, h, w, _ = _native.decode([rleObjs])
        return data.reshape((h, w), order="F")


def area(rleObjs):
    if type(rleObjs) == list:
        return _native.area(rleObjs)
    else:
        return _native.area([rleObjs])[0]


def toBbox(rleObjs):
    if type(rleObjs) == list:
        return _native.to_bbox(rleObjs).reshape((len(rleObjs), 4))
    else:
        return _native.to_bbox([rleObjs])


def merge(rleObjs, intersect=0):
    return _native.merge_rles(rleObjs, bool(intersect))


def _preproc(objs):
    if len(objs) == 0:
        return objs
    if type(objs) == np.ndarray:
        if len(objs.shape) == 1:
            objs = objs.reshape((1, objs.shape[0]))
        # check if it's Nx4 bbox
        if not len(objs.shape) == 2 or not objs.shape[1] == 4:
            raise Exception("numpy ndarray input is only for *bounding boxes* and should have Nx4 dimension")
        return objs.astype(np.double)
    elif type(objs) == list:
        # check if list is in box format and convert it to np.ndarray
        isbox = np.all(np.array([(len(obj) == 4) and ((type(obj) == list) or (type(obj) == np.ndarray)) for obj in objs]))
        isrle = np.all(np.array([type(obj) == dict for obj in objs]))
        if isbox:
            objs = np.array(objs, dtype=np.double)
            if len(objs.shape) == 1:
                objs = objs.reshape((1, objs.shape[0]))
            return objs
        elif isrle:
            return _Rles(objs)
        else:
            raise Exception("list input can be bounding box (Nx4) or RLEs ([RLE])")
    else:
        raise Exception("unrecognized type.  The following type: RLEs (rle), np.ndarray (box), and list (box) are supported.")


class _Rles(list):
    """A list of RLE dicts, told apart from boxes (pycocotools' ``RLEs`` type)."""


def iou(dt, gt, pyiscrowd):
    iscrowd = np.array(pyiscrowd, dtype=np.uint8)
    dt = _preproc(dt)
    gt = _preproc(gt)
    m = len(dt)
    n = len(gt)
    if m == 0 or n == 0:
        return []
    if not type(dt) == type(gt):
        raise Exception("The dt and gt should have the same data type, either RLEs, list or np.ndarray")
    flags = [bool(flag) for flag in iscrowd.reshape(-1)]
    if type(dt) == _Rles:
        values = _native.iou_rles(dt, gt, flags)
    else:
        values = _native.iou_boxes(np.ascontiguousarray(dt), np.ascontiguousarray(gt), flags)
    return values.reshape((m, n), order="F")


def _frBbox(boxes, h, w):
    return list(_native.from_boxes(np.ascontiguousarray(np.asarray(boxes, dtype=np.double).reshape(-1, 4)), h, w))


def _frPoly(polygons, h, w):
    return list(_native.from_polygons([np.asarray(p, dtype=np.double).tolist() for p in polygons], h, w))


def frPyObjects(pyobj, h, w):
    # encode rle from a list of python objects
    if type(pyobj) == np.ndarray:
        objs = _frBbox(pyobj, h, w)
    elif type(pyobj) == list and len(pyobj[0]) == 4:
        objs = _frBbox(pyobj, h, w)
    elif type(pyobj) == list and len(pyobj[0]) > 4:
        objs = _frPoly(pyobj, h, w)
    elif type(pyobj) == list and type(pyobj[0]) == dict and "counts" in pyobj[0] and "size" in pyobj[0]:
        objs = list(_native.from_uncompressed(pyobj))
    # encode rle from single python object
    elif type(pyobj) == list and len(pyobj) == 4:
        objs = _frBbox([pyobj], h, w)[0]
    elif type(pyobj) == list and len(pyobj) > 4:
        objs = _frPoly([pyobj], h, w)[0]
    elif type(pyobj) == dict and "counts" in pyobj and "size" in pyobj:
        objs = _native.from_uncompressed([pyobj])[0]
    else:
        raise Exception("input type is not supported.")
    return objs
