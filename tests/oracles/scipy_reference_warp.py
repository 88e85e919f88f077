"""Oracle for the reference warp (melanoma-transfer src/utils/data.py: perturb, fast_warp).

Written from the reference's code, independently of dermtl: the image is loaded as the reference
did (PIL array transposed to C x W x H), skimage's (pre-0.19) AffineTransform matrix is built
from the parameters (scale = 1/zoom, the flip as +180 degrees of rotation and shear), composed
with the centring transforms as skimage's `+` does (uncenter, augment, center), and each channel
is warped by scipy.ndimage.affine_transform with order=0 (nearest), cval=0, mode='grid-constant'.
skimage's _warp_fast rounds a position to the nearest pixel first and then gives cval when that
pixel is outside the image; that is scipy's 'grid-constant' (the image extended by the constant,
then sampled). scipy's 'constant' differs there: it treats positions beyond the outermost pixel
centres (e.g. -0.3, which skimage rounds to pixel 0) as outside, so about one pixel of the edge
of the warped footprint would be zero where the reference has the image.

usage: scipy_reference_warp.py DIR   (DIR/image.npy: H x W x C float32; DIR/cases.json: a list
of {zoom_x, zoom_y, rotation, shear, tx, ty, flip}; writes DIR/out_<k>.npy, H x W x C)
"""
import json
import math
import sys

import numpy as np
from scipy import ndimage


def affine(zoom, rotation, shear, translation):
    sx, sy = 1.0 / zoom[0], 1.0 / zoom[1]
    return np.array([[sx * math.cos(rotation), -sy * math.sin(rotation + shear), translation[0]],
                     [sx * math.sin(rotation), sy * math.cos(rotation + shear), translation[1]],
                     [0.0, 0.0, 1.0]])


def translate(t):
    return np.array([[1.0, 0.0, t[0]], [0.0, 1.0, t[1]], [0.0, 0.0, 1.0]])


def reference_warp(img_hwc, c):
    arr = img_hwc.transpose(2, 1, 0)  # load_image: np.array(PIL image).transpose(2, 1, 0)
    shape = arr.shape[1:]
    rotation, shear = c["rotation"], c["shear"]
    if c["flip"]:
        rotation += 180
        shear += 180
    aug = affine((c["zoom_x"], c["zoom_y"]), np.deg2rad(rotation), np.deg2rad(shear), (c["tx"], c["ty"]))
    center_shift = np.array([shape[1], shape[0]]) / 2.0 - 0.5
    # (uncenter + aug + center).params == center @ aug @ uncenter; the centring transform is the
    # identity (output shape == input shape).
    tf = translate(center_shift) @ aug @ translate(-center_shift)
    # skimage's map is (x = column, y = row); scipy's is (row, column).
    matrix = np.array([[tf[1, 1], tf[1, 0]], [tf[0, 1], tf[0, 0]]])
    offset = np.array([tf[1, 2], tf[0, 2]])
    out = np.zeros_like(arr)
    for ch in range(arr.shape[0]):
        out[ch] = ndimage.affine_transform(arr[ch], matrix, offset=offset, output_shape=shape, order=0,
                                           mode=MODE, cval=0.0)
    return out.transpose(2, 1, 0)


MODE = "grid-constant"

if __name__ == "__main__":
    folder = sys.argv[1]
    if len(sys.argv) > 2:
        MODE = sys.argv[2]
    img = np.load(folder + "/image.npy")
    cases = json.load(open(folder + "/cases.json"))
    for k, c in enumerate(cases):
        np.save(folder + "/out_%d.npy" % k, reference_warp(img, c).astype(np.float32))
