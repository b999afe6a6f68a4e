#!/usr/bin/env python3
"""Generate a train2017-scale COCO instances file by replicating real annotations.

Every image and annotation of the source files is copied `--copies` times with fresh,
unique ids (image ids and annotation ids are offset per copy), so the result has the
shape, value distribution and polygon sizes of real COCO while reaching the size of
`instances_train2017.json`. Output is written compactly like the official files.

usage: gen_instances.py OUT.json --copies 745 SRC.json [SRC.json ...]
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--copies", type=int, default=745)
    args = parser.parse_args()

    images, annotations, categories, info, licenses = [], [], None, None, None
    for path in args.sources:
        with open(path) as f:
            data = json.load(f)
        images += data["images"]
        annotations += data["annotations"]
        categories = categories or data.get("categories")
        info = info or data.get("info")
        licenses = licenses or data.get("licenses")

    image_stride = 10 ** (len(str(max(i["id"] for i in images))) + 0)
    annotation_stride = 10 ** (len(str(max(a["id"] for a in annotations))) + 0)
    dump = lambda value: json.dumps(value, separators=(",", ":"))
    temporary = args.output + ".tmp"
    with open(temporary, "w") as out:
        out.write('{"info":%s,"licenses":%s,"images":[' % (dump(info), dump(licenses)))
        first = True
        for copy in range(args.copies):
            for image in images:
                image = dict(image, id=image["id"] + copy * image_stride)
                image["file_name"] = "%012d.jpg" % image["id"]
                out.write(("" if first else ",") + dump(image))
                first = False
        out.write('],"annotations":[')
        first = True
        for copy in range(args.copies):
            for annotation in annotations:
                annotation = dict(
                    annotation,
                    id=annotation["id"] + copy * annotation_stride,
                    image_id=annotation["image_id"] + copy * image_stride,
                )
                out.write(("" if first else ",") + dump(annotation))
                first = False
        out.write('],"categories":%s}' % dump(categories))
    os.replace(temporary, args.output)


if __name__ == "__main__":
    main()
