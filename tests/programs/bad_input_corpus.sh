#!/usr/bin/env bash
# A corpus of crafted bad inputs, one for each way a user's file can be wrong, run through the
# real commands (inspect, extract, report, demo, synth, grid). Every reader is covered: label
# CSVs, fold YAML, derm7pt meta.csv, ISIC 2016 folders, Kaggle CSVs, folder trees, images,
# MatConvNet .mat files, checkpoints, results JSON and options. For each input the command must
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
PY
for f in truncated.png garbage.jpg empty.png bad-crc.png one-pixel.png bomb.png bomb.jpg; do
  imgcase "$f"
  bad "$f" -- "$dermtl" extract --network vgg_m_scaled --weights "$c/mat/good.mat" --tree "$c/img-$f" --out "$c/out.npy"
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
for k in text empty magic header; do
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
for o in o1 o2 o3 o4 o5 o6 o7 o8 o9; do
  cases=$((cases + 1))
  if [ -e "$c/$o" ]; then echo "FAIL: a refused option still wrote $o"; failures=$((failures + 1)); fi
done

echo "$cases bad inputs: $((cases - failures)) passed, $failures failed"
[ "$cases" -ge 60 ] || { echo "FAIL: the corpus has fewer than 60 inputs"; exit 1; }
[ "$failures" -eq 0 ]
