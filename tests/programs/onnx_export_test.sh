#!/usr/bin/env bash
# Issue 27, ONNX out: graphs written by programs/onnx_export checked three ways.
#   1. full-size VGG-M (2 classes, a per-pixel mean) and VGG-16 (3 classes, torchvision's scale,
#      mean and std) with random weights, no training (tests/programs/onnx_reference.cpp);
#   2. `dermtl export-onnx` on model folders written by io::write_model_folder (scaled VGG-M, 2 and 3
#      classes);
#   3. the models of 2 on 20 PNG images: `dermtl predict`'s probabilities and decision values
#      against ONNX Runtime's (skipped with a note where the tool has no predict command);
# each: onnx.checker (python3-onnx, tests/oracles/onnx_check.py), then ONNX Runtime (npm's
# onnxruntime-node, tests/oracles/onnxruntime_compare.js) against dermtl's own forward + L2 + SVM +
# Platt computed in C++, within 1e-4 absolute. Bad input: a model folder with an altered network
# file, or none, is refused naming the file.
# Exit 77 (skipped) when the build has no ONNX export or ONNX Runtime is not installed (the checker
# parts still run first where they can).
# Two parts, two tests (each within its time limit on a loaded machine): `full` (1) and `model`
# (2, 3 and the bad input).
# Usage: onnx_export_test.sh ONNX_REFERENCE DERMTL_BINARY PYTHON full|model
set -u
reference=$1
dermtl=$2
python=$3
part=$4
here=$(cd "$(dirname "$0")" && pwd)
oracles="$here/../oracles"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
failures=0
ort_missing=""
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tolerance=1e-4

if ! "$dermtl" export-onnx --help > /dev/null 2>&1; then
  fail "dermtl has no export-onnx command"
fi
if "$dermtl" export-onnx --help 2>&1 | grep -q "not in this build"; then
  echo "skipped: this dermtl was built without ONNX export (libonnx-dev, libprotobuf-dev)"
  exit 77
fi
if ! command -v node > /dev/null; then ort_missing="node is not installed"; fi

# check_and_run MODEL.onnx DIR CLASSES: the checker, then ONNX Runtime against DIR's reference.
check_and_run() {
  local model=$1 dir=$2 classes=$3
  "$python" "$oracles/onnx_check.py" "$model" "$classes" || fail "onnx.checker / shapes: $model"
  if [ -n "$ort_missing" ]; then return; fi
  node "$oracles/onnxruntime_compare.js" "$model" "$dir" "$tolerance"
  local rc=$?
  if [ $rc -eq 77 ]; then ort_missing="onnxruntime-node is not installed"
  elif [ $rc -ne 0 ]; then fail "ONNX Runtime differs from dermtl (or refused the model): $model"
  fi
}

# ---- 1. full-size networks, random weights -------------------------------------------------------
# case NAME FAMILY CLASSES IMAGES SEED PREPROCESSING
graph_case() {
  local name=$1
  local dir="$w/$name"
  if ! "$reference" graph "$2" "$3" "$4" "$5" "$dir" "$6"; then
    fail "onnx_reference $name"; return
  fi
  check_and_run "$dir/model.onnx" "$dir" "$3"
  rm -rf "$dir"
}
if [ "$part" = full ]; then
  graph_case vgg_m vgg_m 2 3 11 per-pixel
  graph_case vgg_16 vgg_16 3 2 12 torchvision
fi

# ---- 2. dermtl export-onnx on a model folder ----------------------------------------------------
folder_case() {
  local name=$1
  local dir="$w/$name"
  if ! "$reference" folder "$2" "$3" "$4" "$5" "$dir" "$6"; then
    fail "onnx_reference folder $name"; return
  fi
  if ! "$dermtl" export-onnx --model "$dir/model" --out "$dir/exported.onnx" > "$dir/out.txt" 2> "$dir/err.txt"; then
    fail "dermtl export-onnx ($name): $(tail -3 "$dir/err.txt")"; return
  fi
  grep -q "wrote" "$dir/out.txt" || fail "export-onnx ($name) printed no summary: $(cat "$dir/out.txt")"
  check_and_run "$dir/exported.onnx" "$dir" "$3"
}
if [ "$part" = model ]; then
  folder_case scaled2 vgg_m_64_8 2 6 21 per-channel
  folder_case scaled3 vgg_m_64_8 3 6 22 per-pixel
fi

# ---- 3. parity with `dermtl predict` on 20 images ------------------------------------------------
# The scaled models of part 2 (two and three classes) on 20 PNG files of their input size (64 x 64,
# no dark frame: dermtl's crop and resize leave them as they are, so the graph sees the same
# pixels): `dermtl predict`'s probabilities and decision values against ONNX Runtime's on the
# exported graph.
predict_parity() {
  local dir="$w/$1" classes=$2
  [ -f "$dir/exported.onnx" ] || return
  if ! "$dermtl" predict --help > /dev/null 2>&1; then
    echo "note: this dermtl has no predict command: the predict parity is not run"; return
  fi
  mkdir -p "$dir/parity/images"
  "$python" - "$dir/parity" <<'PY' || { fail "writing the parity images"; return; }
import random, struct, sys, zlib
out = sys.argv[1]
g = random.Random(27)
size, n = 64, 20
pixels = []
def png(path, rgb):
    raw = b"".join(b"\x00" + bytes(rgb[y * size * 3:(y + 1) * size * 3]) for y in range(size))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for i in range(n):
    base = [g.randint(70, 200) for _ in range(3)]
    rgb = [min(255, max(60, base[k % 3] + g.randint(-50, 50))) for k in range(size * size * 3)]
    png("%s/images/img_%02d.png" % (out, i), rgb)
    # N x 3 x H x W float32, channel-major, in file-name order
    pixels.append([float(rgb[(y * size + x) * 3 + c]) for c in range(3) for y in range(size) for x in range(size)])
with open(out + "/images.f32", "wb") as f:
    for p in pixels:
        f.write(struct.pack("<%df" % len(p), *p))
PY
  if ! "$dermtl" predict --model "$dir/model" "$dir/parity/images" --out "$dir/parity/predictions.csv" --no-progress \
      > "$dir/parity/out.txt" 2> "$dir/parity/err.txt"; then
    if grep -q "has no compiled cells" "$dir/parity/err.txt"; then
      echo "note: this dermtl has no compiled cell of vgg_m_64_8 (-DDERMTL_CELLS): the predict parity is not run"
      return
    fi
    fail "dermtl predict ($1): $(tail -3 "$dir/parity/err.txt")"; return
  fi
  # predict's CSV as the reference the comparison reads: the probabilities (two classes: [1 - p, p]
  # from confidence_<class 1>) and the decision values per image.
  "$python" - "$dir/parity" "$classes" <<'PY' || { fail "reading predict's CSV ($1)"; return; }
import csv, struct, sys
out, k = sys.argv[1], int(sys.argv[2])
rows = {r["image"]: r for r in csv.DictReader(open(out + "/predictions.csv"))}
ids = ["img_%02d" % i for i in range(20)]
missing = [i for i in ids if i not in rows]
if missing:
    sys.exit("predict's CSV lacks images %s" % missing)
header = list(rows[ids[0]])
score = [h for h in header if h.startswith("score_")]
prob = [h for h in header if h.startswith("confidence_" if k == 2 else "probability_")]
m = 1 if k == 2 else k
if len(score) != m or len(prob) != (1 if k == 2 else k):
    sys.exit("expected %d score_ and %d probability columns, found %s" % (m, len(prob), header))
ref = []
for i in ids:
    p = [float(rows[i][c]) for c in prob]
    ref += ([1.0 - p[0], p[0]] if k == 2 else p) + [float(rows[i][c]) for c in score]
open(out + "/reference.f64", "wb").write(struct.pack("<%dd" % len(ref), *ref))
open(out + "/shape.txt", "w").write("20 3 64 64 %d %d\n" % (k, m))
PY
  if [ -n "$ort_missing" ]; then return; fi
  node "$oracles/onnxruntime_compare.js" "$dir/exported.onnx" "$dir/parity" "$tolerance"
  local rc=$?
  if [ $rc -eq 77 ]; then ort_missing="onnxruntime-node is not installed"
  elif [ $rc -ne 0 ]; then fail "ONNX Runtime differs from dermtl predict on 20 images ($1)"
  fi
}
if [ "$part" = model ]; then
  predict_parity scaled2 2
  predict_parity scaled3 3
fi

# ---- bad input ------------------------------------------------------------------------------------
# An altered network file (one byte of a tensor changed: its hash no longer matches) is refused
# naming the file; so is a folder that is not there; and nothing is written.
if [ -d "$w/scaled2/model" ]; then
  cp -r "$w/scaled2/model" "$w/altered"
  "$python" - "$w/altered/network.safetensors" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-5] ^= 0x40
open(p, "wb").write(bytes(b))
PY
  if "$dermtl" export-onnx --model "$w/altered" --out "$w/altered.onnx" > /dev/null 2> "$w/err.txt"; then
    fail "export-onnx accepted a model folder whose network file was altered"
  elif ! grep -q "network.safetensors" "$w/err.txt"; then
    fail "export-onnx's refusal of an altered network file does not name it: $(cat "$w/err.txt")"
  fi
  [ -e "$w/altered.onnx" ] && fail "export-onnx wrote a file for an altered model"
fi
if [ "$part" = model ] && "$dermtl" export-onnx --model "$w/no-such-model" --out "$w/none.onnx" > /dev/null 2> "$w/err.txt"; then
  fail "export-onnx accepted a missing model folder"
elif [ "$part" = model ] && ! grep -q "no-such-model" "$w/err.txt"; then
  fail "export-onnx's refusal of a missing folder does not name it: $(cat "$w/err.txt")"
fi

if [ $failures -ne 0 ]; then
  echo "onnx_export_test: $failures failure(s)"
  exit 1
fi
if [ -n "$ort_missing" ]; then
  echo "skipped: the ONNX Runtime comparisons ($ort_missing; scripts/setup.sh installs onnxruntime-node); the checker parts passed"
  exit 77
fi
echo "onnx_export_test: all passed"
