#!/usr/bin/python3
"""Writes the lesion datasets users bring, in their real formats, from a synthetic derm7pt set
(`dermtl synth lesions`): each image and diagnosis of meta.csv is re-filed as
  ham10000/     HAM10000_metadata.csv (lesion_id,image_id,dx,dx_type,age,sex,localization) and
                images in two part folders; two images of one lesion share a lesion_id, and a few
                actinic keratoses (akiec) are added
  isic2016/     the ISIC 2016 Part 3 layout (training and test folders and ground truths)
  isic2017/     the ISIC 2017 Part 3 layout (training, validation, test)
  tree/         melanoma/, nevus/, basal cell carcinoma/ folders
  clinic/       a clinic's own manifest (file,finding,lesion) with a spelling dermtl does not know
                ('naevus') and a --diagnosis-map file for it
  few/          a manifest with only 3 melanomas (too few for 5x2 CV)
usage: own_data_formats.py SYNTH_ROOT OUT"""
import csv
import os
import shutil
import sys

root, out = sys.argv[1], sys.argv[2]
meta = list(csv.DictReader(open(os.path.join(root, "release_v0", "meta", "meta.csv"))))
images = os.path.join(root, "release_v0", "images")


def kind(dx):
    if dx.startswith("melanoma"):
        return "mel"
    if dx == "basal cell carcinoma":
        return "bcc"
    if dx.endswith("nevus"):
        return "nv"
    if dx in ("seborrheic keratosis", "lentigo", "melanosis"):
        return "bkl"
    if dx == "dermatofibroma":
        return "df"
    if dx == "vascular lesion":
        return "vasc"
    return None


rows = [(os.path.join(images, r["derm"]), kind(r["diagnosis"])) for r in meta if kind(r["diagnosis"])]


def put(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def write_csv(path, header, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(lines)


# HAM10000: consecutive images of one dx form a lesion of two images.
ham, pending = [], {}
for i, (src, dx) in enumerate(rows):
    image_id = "ISIC_%07d" % (24306 + i)
    lesion = pending.pop(dx, None) or "HAM_%07d" % i
    if lesion == "HAM_%07d" % i:
        pending[dx] = lesion
    put(src, os.path.join(out, "ham10000", "images", "part_%d" % (1 + i % 2), image_id + ".jpg"))
    ham.append([lesion, image_id, dx, "histo", "50.0", "male", "back"])
for k in range(6):  # actinic keratoses, one image each
    src = rows[k][0]
    image_id = "ISIC_%07d" % (34306 + k)
    put(src, os.path.join(out, "ham10000", "images", "part_1", image_id + ".jpg"))
    ham.append(["HAM_AK%03d" % k, image_id, "akiec", "histo", "60.0", "female", "face"])
write_csv(os.path.join(out, "ham10000", "HAM10000_metadata.csv"),
          ["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"], ham)

# ISIC 2016: melanoma = malignant, the rest benign (no carcinoma: ISIC 2016 has none); 2/3 train.
isic = [(src, dx) for src, dx in rows if dx != "bcc"]
train, test = [], []
for i, (src, dx) in enumerate(isic):
    ident = "ISIC_%07d" % i
    part = "Training" if i % 3 else "Test"
    put(src, os.path.join(out, "isic2016", "ISBI2016_ISIC_Part3_%s_Data" % part, ident + ".jpg"))
    if part == "Training":
        train.append([ident, "malignant" if dx == "mel" else "benign"])
    else:
        test.append([ident, "1.0" if dx == "mel" else "0.0"])
write_csv(os.path.join(out, "isic2016", "ISBI2016_ISIC_Part3_Training_GroundTruth.csv"), None, train)
write_csv(os.path.join(out, "isic2016", "ISBI2016_ISIC_Part3_Test_GroundTruth.csv"), None, test)

# ISIC 2017: melanoma, seborrheic keratosis (bkl here) or nevus; parts training/validation/test.
parts = {"Training": [], "Validation": [], "Test_v2": []}
for i, (src, dx) in enumerate(isic):
    ident = "ISIC_%07d" % (100000 + i)
    part = ["Training", "Training", "Validation", "Test_v2", "Training", "Test_v2"][i % 6]
    put(src, os.path.join(out, "isic2017", "ISIC-2017_%s_Data" % part, ident + ".jpg"))
    parts[part].append([ident, "1.0" if dx == "mel" else "0.0", "1.0" if dx == "bkl" else "0.0"])
for part, lines in parts.items():
    write_csv(os.path.join(out, "isic2017", "ISIC-2017_%s_Part3_GroundTruth.csv" % part),
              ["image_id", "melanoma", "seborrheic_keratosis"], lines)

# A folder per diagnosis.
names = {"mel": "melanoma", "nv": "nevus", "bcc": "basal cell carcinoma"}
for i, (src, dx) in enumerate(rows):
    if dx in names:
        put(src, os.path.join(out, "tree", names[dx], "img%04d.jpg" % i))

# A clinic's manifest: its own column names, 'naevus' for a nevus, images in subfolders.
clinic = []
for i, (src, dx) in enumerate(rows):
    finding = {"mel": "melanoma", "nv": "naevus", "bcc": "basal cell carcinoma"}.get(dx, "seborrheic keratosis")
    put(src, os.path.join(out, "clinic", "photos", "2025", "p%04d.jpg" % i))
    clinic.append(["2025/p%04d.jpg" % i, finding, "L%d" % (i // 3)])
write_csv(os.path.join(out, "clinic", "visits.csv"), ["file", "finding", "lesion"], clinic)
write_csv(os.path.join(out, "clinic", "map.csv"), ["value", "diagnosis"], [["naevus", "nevus"]])

# Too few melanomas for 5x2 cross-validation.
few, mel = [], 0
for i, (src, dx) in enumerate(rows):
    if dx == "mel":
        mel += 1
        if mel > 3:
            continue
    put(src, os.path.join(out, "few", "images", "f%04d.jpg" % i))
    few.append(["f%04d" % i, {"mel": "melanoma", "bcc": "basal cell carcinoma"}.get(dx, "nevus")])
write_csv(os.path.join(out, "few", "few.csv"), ["image", "diagnosis"], few)
print("wrote", out)
