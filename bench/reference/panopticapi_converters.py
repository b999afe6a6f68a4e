"""panopticapi's two converters, reproduced for tests.

panopticapi (cocodataset/panopticapi) is not on PyPI with its converters, so the logic of
`converters/panoptic2semantic_segmentation.py` and
`converters/panoptic2detection_coco_format.py` is written out here (single process; the
originals split the images over processes and concatenate the results in order), as
described in shared/specs/detection-segmentation.md §2.4.
"""
import copy
import os

import numpy as np
from PIL import Image
from pycocotools import mask as COCOmask

OTHER_CLASS_ID = 183


def rgb2id(color):
    if isinstance(color, np.ndarray) and len(color.shape) == 3:
        if color.dtype == np.uint8:
            color = color.astype(np.int32)
        return color[:, :, 0] + 256 * color[:, :, 1] + 256 * 256 * color[:, :, 2]
    return int(color[0] + 256 * color[1] + 256 * 256 * color[2])


def panoptic2semantic(d_coco, segmentations_folder, categories, things_other, semantic_seg_folder=None):
    """PNG output (if a folder is given) and the JSON output's annotations and categories."""
    annotations = []
    for annotation in d_coco['annotations']:
        pan_format = np.array(Image.open(os.path.join(segmentations_folder, annotation['file_name'])), dtype=np.uint32)
        pan = rgb2id(pan_format)
        semantic = np.zeros(pan.shape, dtype=np.uint8)
        masks = {}
        for segm_info in annotation['segments_info']:
            cat_id = segm_info['category_id']
            if things_other and categories[cat_id]['isthing'] == 1:
                cat_id = OTHER_CLASS_ID
            mask = pan == segm_info['id']
            semantic[mask] = cat_id
            if cat_id in masks:
                masks[cat_id] = np.logical_or(masks[cat_id], mask)
            else:
                masks[cat_id] = mask
        if semantic_seg_folder is not None:
            Image.fromarray(semantic).save(os.path.join(semantic_seg_folder, annotation['file_name']))
        for cat_id, mask in masks.items():
            rle = COCOmask.encode(np.asfortranarray(mask.astype(np.uint8)))
            rle['counts'] = rle['counts'].decode('utf8')
            annotations.append({
                'image_id': annotation['image_id'],
                'category_id': cat_id,
                'segmentation': rle,
                'area': int(COCOmask.area(rle)),
                'bbox': list(COCOmask.toBbox(rle)),
                'iscrowd': 0,
            })
    for idx, ann in enumerate(annotations):
        ann['id'] = idx
    out_categories = []
    for category in d_coco['categories']:
        if things_other and category['isthing'] == 1:
            continue
        out_categories.append(category)
    if things_other:
        out_categories.append({'id': OTHER_CLASS_ID, 'name': 'other', 'supercategory': 'other'})
    return annotations, out_categories


def panoptic2detection(d_coco, segmentations_folder, categories, things_only):
    d_coco = copy.deepcopy(d_coco)
    annotations_detection = []
    for annotation in d_coco['annotations']:
        file_name = '{}.png'.format(annotation['file_name'].rsplit('.')[0])
        pan_format = np.array(Image.open(os.path.join(segmentations_folder, file_name)), dtype=np.uint32)
        pan = rgb2id(pan_format)
        for segm_info in annotation['segments_info']:
            if things_only and categories[segm_info['category_id']]['isthing'] != 1:
                continue
            mask = (pan == segm_info['id']).astype(np.uint8)
            mask = np.expand_dims(mask, axis=2)
            segm_info.pop('id')
            segm_info['image_id'] = annotation['image_id']
            rle = COCOmask.encode(np.asfortranarray(mask))[0]
            rle['counts'] = rle['counts'].decode('utf8')
            segm_info['segmentation'] = rle
            annotations_detection.append(segm_info)
    for idx, ann in enumerate(annotations_detection):
        ann['id'] = idx
    d_coco['annotations'] = annotations_detection
    categories_detection = []
    for category in d_coco['categories']:
        if things_only and category['isthing'] != 1:
            continue
        category.pop('isthing')
        categories_detection.append(category)
    d_coco['categories'] = categories_detection
    return d_coco
