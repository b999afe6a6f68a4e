#!/usr/bin/env python3
"""The ResNet grid-feature extraction of self-critical.pytorch's `scripts/prepro_feats.py`,
re-implemented with plain torch.nn (torchvision is not needed) for the parity test and the
benchmark of `cocoprep features resnet`.

What it reproduces, step by step (see the issue and shared/specs/captioning.md §8):
* images read with `skimage.io.imread`, grey stacked to 3 channels, no resize, `float32 / 255`,
  normalised with the ImageNet mean/std, batch of one;
* the network of `captioning/utils/resnet.py` (`--arch self-critical`: maxpool k3 s2 p0
  ceil_mode, stride 2 on the 1x1 `conv1` of the first block of layers 2-4) or torchvision's
  (`--arch torchvision`: maxpool k3 s2 p1, stride on the 3x3 `conv2`);
* `fc = x.mean(3).mean(2)`, `att = adaptive_avg_pool2d(x, [a, a]).squeeze().permute(1, 2, 0)`;
* `np.save(<out>_fc/<cocoid>)` and `np.savez_compressed(<out>_att/<cocoid>, feat=att)`.

Deviations from the script, on purpose, as cocoprep does: CMYK JPEGs (which the script
cannot normalise) are converted to RGB with PIL first; 16-bit grey PNGs (which skimage returns
as uint16, and the script divides by 255) are reduced to their high bytes, as Pillow reduces
16-bit RGB. Images with alpha (RGBA, grey + alpha) fail as in the script. `--images` limits
the image count.

usage:
  prepro_feats.py weights OUT.pth [--layers 3,4,23,3] [--seed 0] [--width 64] [--legacy]
  prepro_feats.py extract --input_json D.json --images_root R --output_dir P --weights W.pth
                  [--att_size 14] [--arch self-critical|torchvision] [--threads N]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride, downsample, arch):
        super().__init__()
        caffe = arch == "self-critical"
        self.conv1 = nn.Conv2d(inplanes, planes, 1, stride=stride if caffe else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1 if caffe else stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision's ResNet (Bottleneck) state-dict layout, fc included so that the key set
    equals torchvision's `resnet101-63fe2227.pth`."""

    def __init__(self, layers, arch="self-critical", num_classes=1000, width=64):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        if arch == "self-critical":
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=0, ceil_mode=True)
        else:
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(width, layers[0], 1, arch)
        self.layer2 = self._make_layer(width * 2, layers[1], 2, arch)
        self.layer3 = self._make_layer(width * 4, layers[2], 2, arch)
        self.layer4 = self._make_layer(width * 8, layers[3], 2, arch)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 32, num_classes)

    def _make_layer(self, planes, blocks, stride, arch):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * 4),
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample, arch)]
        self.inplanes = planes * 4
        for _ in range(1, blocks):
            layers.append(Bottleneck(self.inplanes, planes, 1, None, arch))
        return nn.Sequential(*layers)


def features(net, image, att_size):
    """myResnet.forward of captioning/utils/resnet_utils.py."""
    x = image.unsqueeze(0)
    x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    x = net.layer4(net.layer3(net.layer2(net.layer1(x))))
    fc = x.mean(3).mean(2).squeeze()
    att = F.adaptive_avg_pool2d(x, [att_size, att_size]).squeeze().permute(1, 2, 0)
    return fc, att


def layer_counts(state_dict):
    counts = []
    for layer in range(1, 5):
        blocks = {int(k.split(".")[1]) for k in state_dict if k.startswith(f"layer{layer}.")}
        counts.append(max(blocks) + 1)
    return counts


def make_weights(args):
    """Seeded random weights, with non-trivial batch-norm statistics so that folding them
    into the convolutions is exercised."""
    torch.manual_seed(args.seed)
    net = ResNet([int(n) for n in args.layers.split(",")], width=args.width)
    generator = torch.Generator().manual_seed(args.seed + 1)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.BatchNorm2d):
                n = module.num_features
                module.weight.copy_(0.5 + 0.5 * torch.rand(n, generator=generator))
                module.bias.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
    if args.legacy:
        torch.save(net.state_dict(), args.output, _use_new_zipfile_serialization=False)
    else:
        torch.save(net.state_dict(), args.output)


def read_image(path):
    import skimage.io

    from PIL import Image

    image = skimage.io.imread(path)
    if Image.open(path).mode == "CMYK":
        # The script crashes here (Normalize of 4 channels); cocoprep converts as PIL does.
        image = np.asarray(Image.open(path).convert("RGB"))
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    return image


def extract(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    state = torch.load(args.weights, map_location="cpu")
    net = ResNet(layer_counts(state), arch=args.arch, width=state["conv1.weight"].shape[0])
    net.load_state_dict(state)
    net.eval()
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    images = json.load(open(args.input_json))["images"]
    if args.images:
        images = images[: args.images]
    dir_fc, dir_att = args.output_dir + "_fc", args.output_dir + "_att"
    os.makedirs(dir_fc, exist_ok=True)
    os.makedirs(dir_att, exist_ok=True)
    start = time.time()
    for img in images:
        image = read_image(os.path.join(args.images_root, img["filepath"], img["filename"]))
        if image.ndim == 2:
            image = image[:, :, np.newaxis]
            image = np.concatenate((image, image, image), axis=2)
        image = image.astype("float32") / 255.0
        tensor = (torch.from_numpy(image.transpose([2, 0, 1])) - mean) / std
        with torch.no_grad():
            fc, att = features(net, tensor, args.att_size)
        np.save(os.path.join(dir_fc, str(img["cocoid"])), fc.numpy())
        np.savez_compressed(os.path.join(dir_att, str(img["cocoid"])), feat=att.numpy())
    print(f"{len(images)} images in {time.time() - start:.2f} s", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    weights = sub.add_parser("weights")
    weights.add_argument("output")
    weights.add_argument("--layers", default="3,4,23,3")
    weights.add_argument("--seed", type=int, default=0)
    weights.add_argument("--width", type=int, default=64, help="stem channels (64 in ResNet-50/101/152)")
    weights.add_argument("--legacy", action="store_true", help="torch's pre-1.6 (non-zip) format")
    ex = sub.add_parser("extract")
    ex.add_argument("--input_json", required=True)
    ex.add_argument("--images_root", default="")
    ex.add_argument("--output_dir", required=True)
    ex.add_argument("--weights", required=True)
    ex.add_argument("--att_size", type=int, default=14)
    ex.add_argument("--arch", default="self-critical", choices=["self-critical", "torchvision"])
    ex.add_argument("--threads", type=int, default=0)
    ex.add_argument("--images", type=int, default=0)
    args = parser.parse_args()
    make_weights(args) if args.command == "weights" else extract(args)


if __name__ == "__main__":
    main()
