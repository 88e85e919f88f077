#!/usr/bin/env bash
# A corpus of crafted bad inputs, one for each way a user's file can be wrong, run through the
# real commands (inspect, extract, report, demo, synth, grid). Every reader is covered: label
# CSVs, fold YAML, derm7pt meta.csv, ISIC 2016 folders, Kaggle CSVs, folder trees, images,
# MatConvNet .mat files, safetensors weights, checkpoints, results JSON, submission.json and options. For each input the command must
# exit non-zero, and its message must name the file (or the option) it is about.
# Usage: bad_input_corpus.sh DERMTL_BINARY   (needs /usr/bin/python3 with numpy/scipy: the .mat oracle)
set -u
dermtl=$1
here=$(cd "$(dirname "$0")" && pwd)
oracle="$here/../oracles/matconvnet_models.py"
c=$(mktemp -d)
trap 'rm -rf "$c"' EXIT
cases=0 failures=0

# bad NAME_THE_MESSAGE_MUST_CONTAIN -- command...: exit non-zero, message names it, no crash.
bad() {
  local name=$1
  shift 2
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  cases=$((cases + 1))
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then
    echo "FAIL (exit $rc, expected an error): $*"; echo "$out" | tail -3; failures=$((failures + 1)); return
  fi
  if ! grep -qF -- "$name" <<<"$out"; then
    echo "FAIL (message does not name '$name'): $*"; echo "$out" | tail -3; failures=$((failures + 1)); return
  fi
  echo "ok: $name"
}

# ---- label CSVs (image,level) -------------------------------------------------------------------
mkdir -p "$c/labels"
cd "$c/labels" || exit 1
: > empty.csv
printf 'image,level\n' > header-only.csv
printf 'image,level,level\naaa001,0\n' > duplicate-column.csv
printf 'image,level\naaa001,0\naaa002,1000000\n' > huge-label.csv
printf 'image,level\naaa001,-2\naaa002,1\n' > negative-label.csv
printf 'image,level\naaa001,zero\naaa002,1\n' > word-label.csv
printf 'image,level\naaa001\naaa002,1\n' > missing-field.csv
printf 'picture,grade\naaa001,0\n' > wrong-columns.csv
printf '\xff\xfei\x00m\x00a\x00g\x00e\x00,\x00l\x00\n\x00' > utf16.csv
printf 'image,level\naaa\x00001,0\n' > nul-byte.csv
{ printf 'image,level\naaa001,'; head -c 2000000 /dev/zero | tr '\0' 'x'; printf '\n'; } > long-value.csv
printf 'image,level\naaa001,0\naaa001,1\n' > duplicate-id.csv
mkdir folder-as-file.csv
ln -s loop-b.csv loop-a.csv && ln -s loop-a.csv loop-b.csv
for f in empty.csv header-only.csv duplicate-column.csv huge-label.csv negative-label.csv word-label.csv \
         missing-field.csv wrong-columns.csv utf16.csv nul-byte.csv long-value.csv duplicate-id.csv \
         folder-as-file.csv loop-a.csv; do
  bad "$f" -- "$dermtl" inspect --labels "$c/labels/$f"
done
# The echoed value is cut, not 2 MB long.
out=$("$dermtl" inspect --labels "$c/labels/long-value.csv" 2>&1)
cases=$((cases + 1))
if [ ${#out} -gt 2000 ]; then echo "FAIL: a 2 MB value was echoed (${#out} characters)"; failures=$((failures + 1)); else echo "ok: long value cut"; fi

# ---- label files through a pipe: each read once --------------------------------------------------
# `inspect --labels <(cat FILE)` and `cat FILE | inspect --labels /dev/stdin` say what `inspect
# --labels FILE` says (the path aside), for a label file of each format the fuzz corpus holds. A file
# read twice (once to tell its format, once to load it) found the pipe empty the second time.
for f in "$here"/../fuzz/corpus/csv/{reference-isic,kaggle-retina,isic2016-headerless,isic2017,derm7pt-meta}.csv; do
  cases=$((cases + 1))
  want=$("$dermtl" inspect --labels "$f" 2>&1 | sed "s|$f|FILE|g")
  substituted=$("$dermtl" inspect --labels <(cat "$f") 2>&1 | sed -E "s|/dev/fd/[0-9]+|FILE|g; s|/proc/self/fd/[0-9]+|FILE|g")
  piped=$(cat "$f" | "$dermtl" inspect --labels /dev/stdin 2>&1 | sed "s|/dev/stdin|FILE|g")
  if [ -z "$want" ] || [ "$substituted" != "$want" ] || [ "$piped" != "$want" ]; then
    echo "FAIL: inspect --labels through a pipe differs from the file for $(basename "$f")"
    diff <(echo "$want") <(echo "$substituted") | head -5; diff <(echo "$want") <(echo "$piped") | head -5
    failures=$((failures + 1))
  else
    echo "ok: $(basename "$f") through a pipe and process substitution, as from the file"
  fi
done

# ---- fold YAML ------------------------------------------------------------------------------------
mkdir -p "$c/folds"
cd "$c/folds" || exit 1
printf 'image,level\naaa001,0\naaa002,1\naaa003,0\naaa004,1\n' > four.csv
printf 'Fold_1: [unclosed\n' > not-yaml.yml
printf 'Fold_1:\n  train: [aaa001, aaa002]\n  test: [aaa003, zzz999]\n' > unknown-id.yml
printf 'Fold_1:\n  train: [aaa001, aaa002]\n  test: []\n' > empty-test.yml
printf 'Fold_1:\n  train: [aaa001, aaa003]\n  test: [aaa002, aaa004]\n' > one-class-train.yml
printf 'Fold_1:\n  train: [[aaa001], aaa002]\n  test: [aaa003, aaa004]\n' > nested-id.yml
printf 'Fold_1:\n  train: [aaa001, aaa002, aaa003]\n  test: [aaa003, aaa004]\n' > overlap.yml
printf -- '- aaa001\n- aaa002\n' > a-list.yml
: > empty.yml
for f in not-yaml.yml unknown-id.yml empty-test.yml one-class-train.yml nested-id.yml overlap.yml a-list.yml empty.yml; do
  bad "$f" -- "$dermtl" inspect --labels "$c/folds/four.csv" --folds "$c/folds/$f"
done

# ---- derm7pt meta.csv ----------------------------------------------------------------------------
atlas() {  # atlas NAME CONTENT: release_v0/meta/meta.csv under $c/atlas-NAME
  mkdir -p "$c/atlas-$1/release_v0/meta" "$c/atlas-$1/release_v0/images"
  printf '%b' "$2" > "$c/atlas-$1/release_v0/meta/meta.csv"
}
atlas header 'case_num,diagnosis,level_of_diagnostic_difficulty,location,clinic,derm\n'
atlas columns 'case_num,diagnosis\n1,melanoma\n'
atlas diagnosis 'case_num,diagnosis,level_of_diagnostic_difficulty,location,clinic,derm\n1,not a diagnosis,low,back,a.jpg,b.jpg\n'
atlas acral 'case_num,diagnosis,level_of_diagnostic_difficulty,location,clinic,derm\n1,melanoma,low,acral,a.jpg,b.jpg\n'
atlas twice 'case_num,diagnosis,diagnosis,level_of_diagnostic_difficulty,location,clinic,derm\n1,melanoma,melanoma,low,back,a.jpg,b.jpg\n'
atlas level 'case_num,diagnosis,level_of_diagnostic_difficulty,location,clinic,derm\n1,melanoma,impossible,back,a.jpg,b.jpg\n'
for a in header columns diagnosis acral twice level; do
  bad "meta.csv" -- "$dermtl" inspect --atlas "$c/atlas-$a/release_v0/meta/meta.csv"
done

# ---- ISIC 2016 Part 3 folders --------------------------------------------------------------------
isic() {  # isic NAME TRAINING_CSV TEST_CSV
  local d="$c/isic-$1"
  mkdir -p "$d/ISBI2016_ISIC_Part3_Training_Data" "$d/ISBI2016_ISIC_Part3_Test_Data"
  printf '%b' "$2" > "$d/ISBI2016_ISIC_Part3_Training_GroundTruth.csv"
  [ -n "$3" ] && printf '%b' "$3" > "$d/ISBI2016_ISIC_Part3_Test_GroundTruth.csv"
  for id in ISIC_0000000 ISIC_0000001; do printf 'x' > "$d/ISBI2016_ISIC_Part3_Training_Data/$id.jpg"; done
  for id in ISIC_0000001 ISIC_0000009; do printf 'x' > "$d/ISBI2016_ISIC_Part3_Test_Data/$id.jpg"; done
  return 0
}
isic typo 'ISIC_0000000,beningn\nISIC_0000001,malignant\n' 'ISIC_0000009,0\n'
isic overlap 'ISIC_0000000,benign\nISIC_0000001,malignant\n' 'ISIC_0000001,1\n'
isic no-test 'ISIC_0000000,benign\nISIC_0000001,malignant\n' ''
isic empty '' 'ISIC_0000009,0\n'
isic label 'ISIC_0000000,benign\nISIC_0000001,7\n' 'ISIC_0000009,0\n'
bad "Training_GroundTruth.csv:1" -- "$dermtl" inspect --isic2016 "$c/isic-typo"
bad "Test_GroundTruth.csv" -- "$dermtl" inspect --isic2016 "$c/isic-overlap"
bad "Test_GroundTruth.csv" -- "$dermtl" inspect --isic2016 "$c/isic-no-test"
bad "Training_GroundTruth.csv" -- "$dermtl" inspect --isic2016 "$c/isic-empty"
bad "Training_GroundTruth.csv" -- "$dermtl" inspect --isic2016 "$c/isic-label"

# ---- Kaggle Diabetic Retinopathy trainLabels.csv -------------------------------------------------
mkdir -p "$c/kaggle"
cd "$c/kaggle" || exit 1
printf 'image,level\n10_left,7\n' > grade-7.csv
printf 'image,level\n10_left,x\n' > grade-x.csv
printf 'image\n10_left\n' > no-level.csv
printf 'image,level\n' > header-only.csv
printf 'image,level\n10_left,-1\n' > negative.csv
for f in grade-7.csv grade-x.csv no-level.csv header-only.csv negative.csv; do
  bad "$f" -- "$dermtl" inspect --retinopathy "$c/kaggle/$f"
done

# ---- folder trees ----------------------------------------------------------------------------------
mkdir -p "$c/tree-empty" "$c/tree-one/benign" "$c/tree-noimages/benign" "$c/tree-noimages/melanoma"
printf 'x' > "$c/tree-one/benign/a.jpg"
bad "tree-empty" -- "$dermtl" inspect --tree "$c/tree-empty"
bad "tree-noimages" -- "$dermtl" inspect --tree "$c/tree-noimages"
bad "tree-missing" -- "$dermtl" inspect --tree "$c/tree-missing"

# ---- MatConvNet .mat files (through extract) --------------------------------------------------------
mkdir -p "$c/mat" "$c/imgs/benign" "$c/imgs/melanoma"
"$dermtl" synth general --out "$c/synth" --count 2 --size 64 > /dev/null 2>&1
i=0
for f in $(find "$c/synth" -name '*.png' | sort | head -4); do
  cp "$f" "$c/imgs/$([ $i -lt 2 ] && echo benign || echo melanoma)/img$i.png"
  i=$((i + 1))
done
cd "$c/mat" || exit 1
/usr/bin/python3 "$oracle" write good.mat --layout newer --size 64 --div 8 --classes 1000 > /dev/null
/usr/bin/python3 "$oracle" write complex-bias.mat --layout newer --size 64 --div 8 --classes 1000 --complex conv1.biases > /dev/null
/usr/bin/python3 "$oracle" write complex-average.mat --layout newer --size 64 --div 8 --classes 1000 --complex averageImage > /dev/null
/usr/bin/python3 "$oracle" write renamed.mat --layout newer --size 64 --div 8 --classes 1000 --rename conv3=conv9 > /dev/null
/usr/bin/python3 "$oracle" write wrong-width.mat --layout newer --size 64 --div 4 --classes 1000 > /dev/null
/usr/bin/python3 "$oracle" write ten-classes.mat --layout newer --size 64 --div 8 --classes 10 > /dev/null
/usr/bin/python3 "$oracle" write vgg16.mat --layout newer --arch vgg-16 --size 32 --div 8 --classes 1000 > /dev/null
/usr/bin/python3 "$oracle" write nan.mat --layout newer --size 64 --div 8 --classes 1000 --nan fc7 > /dev/null
head -c 3000 good.mat > truncated.mat
printf 'this is not a MAT file\n' > text.mat
: > empty.mat
/usr/bin/python3 - good.mat corrupt.mat <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for k in range(16):
    b[len(b) // 2 + 97 * k] ^= 0x5A
open(sys.argv[2], "wb").write(b)
PY
"$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/imgs" --out "$c/good.npy" > /dev/null 2>&1 ||
  { echo "FAIL: the valid .mat does not extract"; failures=$((failures + 1)); }
for f in complex-bias.mat complex-average.mat renamed.mat wrong-width.mat ten-classes.mat vgg16.mat truncated.mat \
         text.mat empty.mat corrupt.mat; do
  bad "$f" -- "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/$f" --tree "$c/imgs" --out "$c/out.npy"
done

# ---- safetensors weights (through extract: told from .mat by content, whatever the name) -------------
mkdir -p "$c/st"
/usr/bin/python3 - "$c/st" <<'PY'
import json, os, struct, sys
d = sys.argv[1]
def put(name, header, data, length=None):
    text = header.encode() if isinstance(header, str) else header
    with open(os.path.join(d, name), "wb") as f:
        f.write(struct.pack("<Q", len(text) if length is None else length)); f.write(text); f.write(data)
a = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'
put("length-past-end.safetensors", "{" + a + "}", bytes(8), length=10**6)
put("malformed-json.safetensors", "{" + a + ",}", bytes(8))
put("overlap.safetensors", "{" + a + ',"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', bytes(8))
put("outside.safetensors", '{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', bytes(8))
put("unknown-dtype.safetensors", '{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}', bytes(8))
put("shape-vs-bytes.safetensors", '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', bytes(16))
# Well formed, but torchvision's VGG-16 names: the VGG-M network has no place for them. Named .mat:
# the content decides.
put("torchvision-names.mat", '{"features.0.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
    '"classifier.0.weight":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', bytes(8))
put("nobodys-names.safetensors", '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', bytes(4))
PY
for f in length-past-end.safetensors malformed-json.safetensors overlap.safetensors outside.safetensors \
         unknown-dtype.safetensors shape-vs-bytes.safetensors torchvision-names.mat nobodys-names.safetensors; do
  bad "$f" -- "$dermtl" extract --network vgg_m_scaled --weights "$c/st/$f" --tree "$c/imgs" --out "$c/out.npy"
done

# ---- images (through extract, with the valid .mat) ---------------------------------------------------
imgcase() {  # imgcase NAME: $c/img-NAME/{benign,melanoma}/ with good images and the bad file NAME
  mkdir -p "$c/img-$1"
  cp -r "$c/imgs/benign" "$c/imgs/melanoma" "$c/img-$1/"
}
/usr/bin/python3 - "$c" <<'PY'
import sys, os, numpy as np, struct, zlib
c = sys.argv[1]
good = open(os.path.join(c, "imgs", "benign", "img0.png"), "rb").read()
def put(name, data):
    d = os.path.join(c, "img-" + name, "benign")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)
put("truncated.png", good[: len(good) // 2])
put("garbage.jpg", os.urandom(3000))
put("empty.png", b"")
bad_crc = bytearray(good); bad_crc[40] ^= 0xFF
put("bad-crc.png", bytes(bad_crc))
def png(w, h, raw):
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
put("one-pixel.png", png(1, 1, b"\x00\x10\x20\x30"))
put("bomb.png", png(20000, 20000, b"\x00" * 100))
# A JPEG header claiming 20000x20000 (SOF0) with almost no data.
sof = b"\xff\xd8" + b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 20000, 20000, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00" + b"\xff\xd9"
put("bomb.jpg", sof)
# TIFF (both byte orders, SHORT and LONG sides), BMP (a top-down BITMAPINFOHEADER) and WebP (VP8X)
# headers claiming huge sizes, with no pixels behind them: refused by their headers, never decoded.
# BMP and WebP under a .jpg name: the folder loaders list .jpg/.jpeg/.png/.tif/.tiff only, while
# the decoder tells the format by the first bytes.
ifd = lambda o, entries: b"".join(struct.pack(o + "HHI", t, ty, 1) + (struct.pack(o + "HH", v, 0) if ty == 3 else struct.pack(o + "I", v)) for t, ty, v in entries)
put("bomb-le.tif", b"II*\0" + struct.pack("<IH", 8, 2) + ifd("<", [(256, 3, 60000), (257, 3, 50000)]) + struct.pack("<I", 0))
put("bomb-be.tif", b"MM\0*" + struct.pack(">IH", 8, 2) + ifd(">", [(256, 4, 100000), (257, 4, 100000)]) + struct.pack(">I", 0))
put("bomb-bmp.jpg", b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 30000, -20000, 1, 24, 0, 0, 2835, 2835, 0, 0))
vp8x = struct.pack("<I", 0) + (40000 - 1).to_bytes(3, "little") + (30000 - 1).to_bytes(3, "little")
put("bomb-webp.jpg", b"RIFF" + struct.pack("<I", 4 + 8 + len(vp8x)) + b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x)
PY
for f in truncated.png garbage.jpg empty.png bad-crc.png one-pixel.png bomb.png bomb.jpg bomb-le.tif bomb-be.tif \
         bomb-bmp.jpg bomb-webp.jpg; do
  imgcase "$f"
  bad "$f" -- "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/img-$f" --out "$c/out.npy"
done
# The oversized headers are refused by their size, naming it and the limit, before any decoding.
for fs in "bomb-le.tif:TIFF header claims 60000x50000" "bomb-be.tif:TIFF header claims 100000x100000" \
          "bomb-bmp.jpg:BMP header claims 30000x20000" "bomb-webp.jpg:WebP header claims 40000x30000"; do
  f=${fs%%:*}
  bad "${fs#*:} = " -- "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/img-$f" \
    --out "$c/out.npy" --max-image-pixels 1000000
done

# ---- the image pixel cap (--max-image-pixels) -------------------------------------------------------
# The 64x64 images (4096 pixels) are refused under a cap of 4095, by the header, naming the image
# and the option that raises the cap; under a cap of 4096 they are read.
for name in "$c/imgs/" "64x64 = 4096 pixels" "limit of 4095 (--max-image-pixels"; do
  bad "$name" -- "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/imgs" \
    --out "$c/out.npy" --max-image-pixels 4095
done
cases=$((cases + 1))
if "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/imgs" --out "$c/capped.npy" \
     --max-image-pixels 4096 > /dev/null 2>&1; then
  echo "ok: 4096-pixel images read under --max-image-pixels 4096"
else
  echo "FAIL: --max-image-pixels 4096 refuses 64x64 images"; failures=$((failures + 1))
fi

# ---- the image cache (--cache-dir): a damaged entry ---------------------------------------------------
# One pixel byte of a cached image changed on disk: the next run warns, naming the entry, recomputes
# it, and writes the features of a clean run, byte for byte.
extract_cached() {  # extract_cached OUT.npy: extract with the cache in $c/cache
  "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/imgs" --out "$1" --cache-dir "$c/cache"
}
cases=$((cases + 1))
if extract_cached "$c/cached-1.npy" > /dev/null 2>&1 && entry=$(find "$c/cache" -name '*.rgb8' | sort | head -1) && [ -n "$entry" ]; then
  /usr/bin/python3 -c "import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 0x40; open(p, 'wb').write(b)" "$entry"
  out=$(extract_cached "$c/cached-2.npy" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || ! grep -qF "warning: image cache entry '$entry'" <<<"$out" || ! grep -qF "is damaged" <<<"$out"; then
    echo "FAIL (exit $rc): a damaged cache entry is not reported by name"; echo "$out" | tail -3; failures=$((failures + 1))
  elif ! cmp -s "$c/cached-1.npy" "$c/cached-2.npy"; then
    echo "FAIL: the features after a damaged cache entry differ from a clean run's"; failures=$((failures + 1))
  else
    echo "ok: a damaged cache entry named, recomputed, the features bitwise a clean run's"
  fi
else
  echo "FAIL: extract --cache-dir wrote no cache entry"; failures=$((failures + 1))
fi

# ---- checkpoints (the demo resumes its ImageNet stand-in's training from OUT/data/standin-*.ckpt) ------
demo_small=(--lesions 30 --retinas 20 --general-per-class 4 --epochs 1)
"$dermtl" synth lesions --out "$c/ckpt-lesions" --count 4 --size 64 > /dev/null 2>&1
ckpt() {  # ckpt NAME BYTES-PYTHON-EXPR: a demo folder whose stand-in checkpoint is the given bytes
  mkdir -p "$c/ckpt-$1/data"
  /usr/bin/python3 -c "import sys; open(sys.argv[1], 'wb').write($2)" "$c/ckpt-$1/data/standin-vgg_m_64_8.mat.ckpt"
}
ckpt text 'b"not a checkpoint"'
ckpt empty 'b""'
ckpt magic 'b"DERMTLCX" + bytes(200)'
ckpt header 'b"DERMTLCK" + bytes(20)'
# Issue 25: a valid checksum over wrong contents (a NaN weight; a velocity tensor whose shape is
# not its weight's; an unreadable generator state) is refused too.
ckpt_payload() {  # ckpt_payload WEIGHTS VELOCITY RNG: python bytes of a version-2 checkpoint, checksum valid
  printf '%s' "(lambda p: b'DERMTLCK' + struct.pack('<IQQ', 2, len(p), functools.reduce(lambda h, b: ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff, p, 0xcbf29ce484222325)) + p)(struct.pack('<Q', 0) + struct.pack('<Q', 0) + struct.pack('<QQ', 0, 0) + struct.pack('<Q', len($3)) + $3 + struct.pack('<Q', 0) + $1 + $2 + struct.pack('<Q', 0))"
}
one_tensor() { printf '%s' "(struct.pack('<Q', 1) + struct.pack('<QQQQ', 1, 1, 1, $1) + struct.pack('<%df' % $1, *([$2] * $1)))"; }
ckpt_py() {  # ckpt_py NAME BYTES-PYTHON-EXPR (with struct and functools)
  mkdir -p "$c/ckpt-$1/data"
  /usr/bin/python3 -c "import sys, struct, functools; open(sys.argv[1], 'wb').write($2)" "$c/ckpt-$1/data/standin-vgg_m_64_8.mat.ckpt"
}
ckpt_py nan "$(ckpt_payload "$(one_tensor 2 "float('nan')")" "struct.pack('<Q', 0)" "b'0 0 0'")"
ckpt_py velocity "$(ckpt_payload "$(one_tensor 2 0.5)" "$(one_tensor 3 0.5)" "b'0 0 0'")"
ckpt_py rng "$(ckpt_payload "$(one_tensor 2 0.5)" "struct.pack('<Q', 0)" "b'not a state'")"
for k in text empty magic header nan velocity rng; do
  bad "standin-vgg_m_64_8.mat.ckpt" -- "$dermtl" demo --out "$c/ckpt-$k" "${demo_small[@]}"
done

# ---- results JSON (dermtl report) --------------------------------------------------------------------
res() {  # res NAME CONTENT: OUT/work/results/<cell>/Fold_1.json
  mkdir -p "$c/res-$1/work/results/cell"
  printf '%s' "$2" > "$c/res-$1/work/results/cell/Fold_1.json"
}
res not-json '{"fold": "Fold_1", "format": 2, '
res old-format '{"fold": "Fold_1", "format": 1}'
res wrong-types '{"fold": "Fold_1", "format": 2, "ids": 7, "labels": [], "scores": [], "strata": [], "auc": "x"}'
res no-cell '{"fold":"Fold_1","format":2,"ids":["a","b"],"labels":[0,1],"scores":[[0.1],[0.9]],"strata":[0,0],"auc":1.0,"chosen_c":1,"confidences":[],"best_epoch":0,"config":{}}'
res bad-cell '{"fold":"Fold_1","format":2,"ids":["a","b"],"labels":[0,1],"scores":[[0.1],[0.9]],"strata":[0,0],"auc":1.0,"chosen_c":1,"confidences":[],"best_epoch":0,"config":{"cell":{"model":3}}}'
res lengths '{"fold":"Fold_1","format":2,"ids":["a"],"labels":[0,1],"scores":[[0.1],[0.9]],"strata":[0,0],"auc":1.0,"chosen_c":1,"confidences":[],"best_epoch":0,"config":{}}'
for k in not-json old-format wrong-types no-cell bad-cell lengths; do
  bad "Fold_1.json" -- "$dermtl" report --results "$c/res-$k" --out "$c/res-$k/report"
done
mkdir -p "$c/res-none"
bad "res-none" -- "$dermtl" report --results "$c/res-none" --out "$c/res-none/report"
# Issue 25: a file named like a fold result (the store's names: Fold_N, IxJ, official_split) that
# is not a valid one is refused, naming it; before, a JSON array or a folder of that name was
# skipped and the report built from the other folds.
res array '[1, 2, 3]'
mkdir -p "$c/res-folder/work/results/cell/Fold_1.json"
mkdir -p "$c/res-run/work/results/cell" && printf '{"fold": "1x1"}' > "$c/res-run/work/results/cell/1x1.json"
mkdir -p "$c/res-split/work/results/cell" && printf '"official"' > "$c/res-split/work/results/cell/official_split.json"
fold_json() {  # fold_json LABELS SCORES STRATA CONFIDENCES: a format-2 fold result of two samples
  printf '{"fold":"Fold_1","format":2,"ids":["a","b"],"labels":%s,"scores":%s,"strata":%s,"auc":1.0,"chosen_c":1,"confidences":%s,"best_epoch":0,"config":{}}' "$@"
}
res null-score "$(fold_json '[0,1]' '[[0.1],[null]]' '[0,0]' '[]')"
res confidence "$(fold_json '[0,1]' '[[0.1],[0.9]]' '[0,0]' '[0.2,1.7]')"
res confidences "$(fold_json '[0,1]' '[[0.1],[0.9]]' '[0,0]' '[0.2]')"
res stratum "$(fold_json '[0,1]' '[[0.1],[0.9]]' '[0,9]' '[]')"
res strata "$(fold_json '[0,1]' '[[0.1],[0.9]]' '[0]' '[]')"
res label "$(fold_json '[0,2]' '[[0.1],[0.9]]' '[0,0]' '[]')"
res fraction "$(fold_json '[0,0.5]' '[[0.1],[0.9]]' '[0,0]' '[]')"
for k in array null-score confidence confidences stratum strata label fraction; do
  bad "Fold_1.json" -- "$dermtl" report --results "$c/res-$k" --out "$c/res-$k/report"
done
bad "Fold_1.json" -- "$dermtl" report --results "$c/res-folder" --out "$c/res-folder/report"
bad "1x1.json" -- "$dermtl" report --results "$c/res-run" --out "$c/res-run/report"
bad "official_split.json" -- "$dermtl" report --results "$c/res-split" --out "$c/res-split/report"
# The same cell in two folders (a copied folder): refused, naming both.
axis() { printf '{"name":"%s","title":"%s"}' "$1" "$1"; }
cell_json="{\"model\":$(axis vgg_m_64_8),\"backend\":$(axis cpu),\"transfer\":$(axis imagenet),\"finetune\":$(axis finetune),\"labeling\":$(axis malignant_vs_benign),\"classifier\":$(axis svm),\"training\":$(axis paper),\"target\":{\"name\":\"\",\"title\":\"\"}}"
mkdir -p "$c/res-twice/work/results/first" "$c/res-twice/work/results/second"
fold_json '[0,1]' '[[0.1],[0.9]]' '[0,0]' '[]' | sed "s/\"config\":{}/\"config\":{\"cell\":$cell_json}/" \
  > "$c/res-twice/work/results/first/Fold_1.json"
cp "$c/res-twice/work/results/first/Fold_1.json" "$c/res-twice/work/results/second/"
for k in first second; do
  bad "work/results/$k'" -- "$dermtl" report --results "$c/res-twice" --out "$c/res-twice/report"
done
# The folds of a copied fold: Fold_1's result under the name Fold_2.
mkdir -p "$c/res-copied/work/results/cell"
cp "$c/res-twice/work/results/first/Fold_1.json" "$c/res-copied/work/results/cell/Fold_2.json"
bad "Fold_2.json" -- "$dermtl" report --results "$c/res-copied" --out "$c/res-copied/report"

# ---- submission.json (dermtl slurm status) ----------------------------------------------------------
sub() {  # sub NAME CONTENT: OUT/slurm/submission.json
  mkdir -p "$c/sub-$1/slurm"
  printf '%s' "$2" > "$c/sub-$1/slurm/submission.json"
}
sub not-json '{"configuration": '
sub array '[]'
sub no-items '{"configuration":{},"arrays":[]}'
sub tasks '{"configuration":{},"arrays":[{"part":"independent","script":"x","tasks":0,"job":null}],"items":[]}'
sub escape '{"configuration":{},"arrays":[{"part":"independent","script":"x","tasks":1,"job":null}],"items":[{"name":"c","done_file":"../../etc/passwd","part":"independent","task":0}]}'
sub task '{"configuration":{},"arrays":[{"part":"independent","script":"x","tasks":1,"job":null}],"items":[{"name":"c","done_file":"results/c/Fold_1.json","part":"independent","task":3}]}'
for k in not-json array no-items tasks escape task; do
  bad "submission.json" -- "$dermtl" slurm status --out "$c/sub-$k"
done

# ---- dermtl score: submissions that do not match their ground truth (issue 26) ------------------
mkdir -p "$c/score"
cd "$c/score" || exit 1
printf 'ISIC_0000001,0\nISIC_0000002,1\nISIC_0000003,0\nISIC_0000004,1\n' > truth2016.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,0.9\nISIC_0000004,0.7\n' > missing.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,0.9\nISIC_0000003,0.1\nISIC_0000004,0.7\nISIC_0000099,0.5\n' > extra.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,1.5\nISIC_0000003,0.1\nISIC_0000004,0.7\n' > above-one.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,nan\nISIC_0000003,0.1\nISIC_0000004,0.7\n' > nan.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,-0.1\nISIC_0000003,0.1\nISIC_0000004,0.7\n' > negative.csv
printf 'image,MEL,NV\nISIC_0000001,1.0,0.0\nISIC_0000002,0.0,1.0\n' > truth2019.csv
printf 'image,MEL,NV,BCC\nISIC_0000001,0.8,0.1,0.1\nISIC_0000002,0.1,0.8,0.1\n' > extra-class.csv
printf 'image,MEL\nISIC_0000001,0.8\nISIC_0000002,0.1\n' > missing-class.csv
printf 'image,MEL,NV\nISIC_0000001,0.8,NaN\nISIC_0000002,0.1,0.9\n' > nan2019.csv
bad "ISIC_0000003" -- "$dermtl" score --truth truth2016.csv --predictions missing.csv
bad "ISIC_0000099" -- "$dermtl" score --truth truth2016.csv --predictions extra.csv
bad "above-one.csv:2: column 'malignant'" -- "$dermtl" score --truth truth2016.csv --predictions above-one.csv
bad "nan.csv:2: column 'malignant'" -- "$dermtl" score --truth truth2016.csv --predictions nan.csv
bad "negative.csv:2" -- "$dermtl" score --truth truth2016.csv --predictions negative.csv
bad "'BCC'" -- "$dermtl" score --truth truth2019.csv --predictions extra-class.csv
bad "NV" -- "$dermtl" score --truth truth2019.csv --predictions missing-class.csv
bad "nan2019.csv:2: column 'NV'" -- "$dermtl" score --truth truth2019.csv --predictions nan2019.csv
printf 'ISIC_0000001,0.2\nISIC_0000002,0.9\nISIC_0000003,0.1\nISIC_0000004,0.7\n' > good.csv
bad "--metric" -- "$dermtl" score --truth truth2016.csv --predictions good.csv --metric no_such_measure
bad "no-such.csv" -- "$dermtl" score --truth truth2016.csv --predictions no-such.csv

# ---- a results folder that cannot be written (issue 25) -----------------------------------------------
# On a read-only mount it is refused before anything runs, naming the folder: a read-only bind mount
# in a private mount namespace (root ignores permissions); where mounting is refused, a root-owned
# folder that user nobody may not write stands in (tests/programs/chaos_disk_test.sh has both).
mkdir -p "$c/ro-out"
ro_grid=(grid --network vgg_m_scaled --cells 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' --synthetic --epochs 1
         --out "$c/ro-out")
read_only() { mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && "$@"; }
if unshare -m bash -c "$(declare -f read_only); read_only \"\$@\"" bash "$c/ro-out" true 2> /dev/null; then
  bad "--out: expected a writable output folder '$c/ro-out', found it is on a read-only file system" -- \
    unshare -m bash -c "$(declare -f read_only); read_only \"\$@\"" bash "$c/ro-out" "$dermtl" "${ro_grid[@]}"
elif command -v setpriv > /dev/null && id nobody > /dev/null 2>&1 && chmod 755 "$c" &&
     setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$dermtl" --help > /dev/null 2>&1; then
  bad "--out: expected a writable output folder '$c/ro-out', found this user" -- \
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$dermtl" "${ro_grid[@]}"
else
  echo "skipped: a results folder that cannot be written (no private mount namespace, no setpriv as nobody)"
fi
[ -z "$(ls -A "$c/ro-out")" ] || { echo "FAIL: a refused run wrote into its results folder"; failures=$((failures + 1)); }

# ---- options -----------------------------------------------------------------------------------------
bad "--epochs" -- "$dermtl" grid --synthetic --epochs -3 --out "$c/o1"
bad "--epochs" -- "$dermtl" grid --synthetic --epochs 0 --out "$c/o2"
bad "--lr" -- "$dermtl" grid --synthetic --lr nan --out "$c/o3"
bad "--momentum" -- "$dermtl" grid --synthetic --momentum 1.5 --out "$c/o4"
bad "--batch-size" -- "$dermtl" grid --synthetic --batch-size 0 --out "$c/o5"
bad "--count" -- "$dermtl" synth lesions --count -1 --out "$c/o6"
bad "--size" -- "$dermtl" synth lesions --size 100000 --out "$c/o7"
bad "--seed" -- "$dermtl" grid --synthetic --seed abc --out "$c/o8"
bad "--folds" -- "$dermtl" grid --synthetic --folds 3x3 --out "$c/o9"
bad "--precision" -- "$dermtl" grid --list --precision half
# A .mat file is read twice (hashed, then loaded by matio, which seeks): a pipe is refused, saying so.
bad "--weights: expected a regular file, found a pipe" -- \
  "$dermtl" extract --network vgg_m_scaled --weights <(cat "$c/mat/good.mat") --tree "$c/imgs" --out "$c/pipe-weights.npy"
bad "--imagenet-weights: expected a regular file, found a pipe" -- \
  "$dermtl" grid --network vgg_m_scaled --tree "$c/imgs" --imagenet-weights <(cat "$c/mat/good.mat") --out "$c/pipe-grid"
# slurm submit: every task of the array reads the data again, so no data option takes a pipe.
bad "slurm submit --manifest: expected a regular file, found a pipe" -- \
  "$dermtl" slurm submit --network vgg_m_scaled --manifest <(printf 'image,diagnosis\nimg0,nevus\n') \
  --images "$c/imgs" --dry-run --out "$c/pipe-slurm"
cases=$((cases + 1))
if [ -e "$c/pipe-grid" ] || [ -e "$c/pipe-weights.npy" ] || [ -e "$c/pipe-slurm" ]; then
  echo "FAIL: a refused pipe still wrote its --out"; failures=$((failures + 1))
fi
for o in o1 o2 o3 o4 o5 o6 o7 o8 o9; do
  cases=$((cases + 1))
  if [ -e "$c/$o" ]; then echo "FAIL: a refused option still wrote $o"; failures=$((failures + 1)); fi
done

# ---- issue 25: a cell of another backend or network than the options; a CPU the binary was not built for
default_backend=cpu
if "$dermtl" grid --help | grep -q "onednn"; then default_backend=onednn; fi
other_backend=cpu
[ "$default_backend" = cpu ] && other_backend=onednn
bad "give --backend $other_backend" -- "$dermtl" run "vgg_m/$other_backend/none/finetune/malignant_vs_benign" --synthetic --out "$c/o10"
bad "give --backend $other_backend" -- "$dermtl" grid --cells "vgg_m/$other_backend/imagenet/*" --synthetic --out "$c/o11"
bad "give --backend $other_backend" -- "$dermtl" slurm submit --cells "vgg_m/$other_backend/*" --synthetic --dry-run --out "$c/o12"
bad "give --network vgg_m_scaled" -- "$dermtl" run "vgg_m_64_8/$default_backend/none/finetune/malignant_vs_benign" --synthetic --out "$c/o13"
bad "matches no cell of --network vgg_m" -- "$dermtl" run "vgg_m/$default_backend/nothing" --synthetic --out "$c/o14"
for o in o10 o11 o12 o13 o14; do
  cases=$((cases + 1))
  if [ -e "$c/$o" ]; then echo "FAIL: a refused cell still wrote $o"; failures=$((failures + 1)); fi
done
# The start-up CPU check (apps/cpu_check/), through its test hook: the extension is treated as absent.
isa_ext=$("$dermtl" --version 2>/dev/null | sed -n 's/.*checked at start-up: \([^ ]*\).*/\1/p')
if [ -n "$isa_ext" ]; then
  bad "this CPU lacks: $isa_ext" -- env DERMTL_TEST_CPU_LACKS="$isa_ext" "$dermtl" inspect --labels "$c/folds/four.csv"
  bad "-DDERMTL_NATIVE=OFF" -- env DERMTL_TEST_CPU_LACKS="$isa_ext" "$dermtl" grid --list
else
  echo "skipped: the CPU check's cases (this build enabled nothing beyond x86-64)"
fi

echo "$cases bad inputs: $((cases - failures)) passed, $failures failed"
[ "$cases" -ge 60 ] || { echo "FAIL: the corpus has fewer than 60 inputs"; exit 1; }
[ "$failures" -eq 0 ]
