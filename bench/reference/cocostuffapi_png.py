"""cocostuffapi's label-map export, reproduced faithfully for tests and benchmarks.

cocostuffapi (nightrome/cocostuffapi, `PythonAPI/cocostuff/cocostuffhelper.py`) is not on
PyPI, so its three functions used by `cocoSegmentationToPngDemo.py` are written out here
from its source as described in shared/specs/detection-segmentation.md §2.2: the same
pycocotools calls, the same float64 map, the same int8 cast, Pillow 'P' conversion and
matplotlib palette. `tests/masks.rs` checks that this reproduction gives the golden PNGs
that the real tool produced.
"""
import matplotlib
import matplotlib.cm
import matplotlib.colors
import numpy as np
from PIL import Image


def getCMap(stuffStartId=92, stuffEndId=182, cmapName='jet', addThings=True, addUnlabeled=True, addOther=True):
    labelCount = stuffEndId - stuffStartId + 1
    # `matplotlib.cm.get_cmap(cmapName, labelCount)` in cocostuffapi; that function left
    # matplotlib in 3.9 and this is its documented replacement (same colours).
    cmapGen = matplotlib.colormaps[cmapName].resampled(labelCount)
    cmap = cmapGen(np.arange(labelCount))
    cmap = cmap[:, 0:3]

    # Reduce value/brightness of stuff colors (easier in HSV format)
    cmap = cmap.reshape((-1, 1, 3))
    hsv = matplotlib.colors.rgb_to_hsv(cmap)
    hsv[:, 0, 2] = hsv[:, 0, 2] * 0.7
    cmap = matplotlib.colors.hsv_to_rgb(hsv)
    cmap = cmap.reshape((-1, 3))

    # Permute entries to avoid classes with similar name having similar colors
    st0 = np.random.get_state()
    np.random.seed(42)
    perm = np.random.permutation(labelCount)
    np.random.set_state(st0)
    cmap = cmap[perm, :]

    # Add black (or any other) color for each thing class
    if addThings:
        thingsPadding = np.zeros((stuffStartId - 1, 3))
        cmap = np.vstack((thingsPadding, cmap))

    # Add black color for 'unlabeled' class
    if addUnlabeled:
        cmap = np.vstack(((0.0, 0.0, 0.0), cmap))

    # Add yellow/orange color for 'other' class
    if addOther:
        cmap = np.vstack((cmap, (1.0, 0.843, 0.0)))

    return cmap


def cocoSegmentationToSegmentationMap(coco, imgId, checkUniquePixelLabel=True, includeCrowd=False):
    curImg = coco.imgs[imgId]
    imageSize = (curImg['height'], curImg['width'])
    labelMap = np.zeros(imageSize)

    # Get annotations of the current image (may be empty)
    if includeCrowd:
        annIds = coco.getAnnIds(imgIds=imgId)
    else:
        annIds = coco.getAnnIds(imgIds=imgId, iscrowd=False)
    imgAnnots = coco.loadAnns(annIds)

    # Combine all annotations of this image in labelMap
    for a in range(0, len(imgAnnots)):
        labelMask = coco.annToMask(imgAnnots[a]) == 1
        newLabel = imgAnnots[a]['category_id']

        if checkUniquePixelLabel and (labelMap[labelMask] != 0).any():
            raise Exception('Error: Some pixels have more than one label (image %d)!' % (imgId))

        labelMap[labelMask] = newLabel

    return labelMap


def cocoSegmentationToPng(coco, imgId, pngPath, includeCrowd=False, checkUniquePixelLabel=True):
    # `checkUniquePixelLabel` is passed through for instance files, whose objects overlap
    # (cocostuffapi always checks, which raises on them); everything else is unchanged.
    labelMap = cocoSegmentationToSegmentationMap(
        coco, imgId, checkUniquePixelLabel=checkUniquePixelLabel, includeCrowd=includeCrowd)
    labelMap = labelMap.astype(np.int8)

    # Get color map and convert to PIL's format
    cmap = getCMap()
    cmap = (cmap * 255).astype(int)
    padding = np.zeros((256 - cmap.shape[0], 3), np.int8)
    cmap = np.vstack((cmap, padding))
    cmap = cmap.reshape((-1))
    assert len(cmap) == 768, 'Error: Color map must have exactly 256*3 elements!'

    # Write to png file
    png = Image.fromarray(labelMap).convert('P')
    png.putpalette(cmap)
    png.save(pngPath, format='PNG')
