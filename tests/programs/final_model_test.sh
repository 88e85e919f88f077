#!/usr/bin/env bash
# Issue 27, parts 2 and 3: `dermtl train-final` on a tiny synthetic dataset with the scaled VGG-M
# cell (trained from scratch, one epoch), then `dermtl predict` on its images and `dermtl score` on
# the output, against an independent reading of the same files:
#  - network.safetensors read by a small Python reader (json + struct, no dermtl code): every
#    tensor's name and shape, the chain of layer widths, the metadata; model.json's hash is the
#    FNV-1a of the file's bytes; the SVM's width is fc7's;
#  - predict's probabilities from model.json's SVM and Platt pairs agree with its decision columns,
#    its referral bands with the thresholds (the model's and --refer-low/--refer-high);
#  - `dermtl score` reads the predictions file, and its AUC is scikit-learn's on the same columns;
#  - bad input: an unreadable image is reported and skipped (the summary counts it), or stops the run
#    with --strict; a model folder with an altered or a missing file is refused, naming the file; a
#    model of another class count is refused saying so.
# Usage: final_model_test.sh DERMTL_BINARY [PYTHON]
set -u
dermtl=$1
python=${2:-/usr/bin/python3}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

backend=$("$dermtl" grid --network vgg_m_scaled --list 2> /dev/null |
  sed -n 's#^vgg_m_64_8/\([^/]*\)/none/finetune/malignant_vs_benign$#\1#p' | head -1)
[ -n "$backend" ] ||
  { echo "SKIP: this build lacks the cell vgg_m_64_8/*/none/finetune/malignant_vs_benign (-DDERMTL_CELLS)"; exit 77; }
cell="vgg_m_64_8/$backend/none/finetune/malignant_vs_benign"

"$dermtl" synth lesions --out "$w/lesions" --count 60 --size 64 > /dev/null || { echo "FAIL: dermtl synth"; exit 1; }
meta=$w/lesions/release_v0/meta/meta.csv
images=$w/lesions/release_v0/images

# ---- train-final -----------------------------------------------------------------------------
"$dermtl" train-final "$cell" --network vgg_m_scaled --backend "$backend" --atlas "$meta" --epochs 1 \
  --no-progress --out "$w/model/" > "$w/train.txt" 2> "$w/train.err" ||
  { cat "$w/train.txt" "$w/train.err"; echo "FAIL: train-final"; exit 1; }
grep -q "^model: " "$w/train.txt" || fail "train-final printed no model line: $(cat "$w/train.txt")"
[ -f "$w/model/network.safetensors" ] && [ -f "$w/model/model.json" ] || fail "the model folder lacks its files"
ls "$w" | grep -q '\.tmp' && fail "a temporary folder was left beside the model: $(ls "$w")"

"$python" - "$w/model" "$cell" <<'EOF' || fail "the model folder, read independently"
import json, struct, sys
folder, cell = sys.argv[1], sys.argv[2]
raw = open(folder + "/network.safetensors", "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
assert meta["dermtl.format"] == "dermtl-model/1", meta
assert meta["dermtl.cell"] == cell, meta
assert meta["dermtl.network"] == "vgg_m_64_8", meta
assert meta["dermtl.input_size"] == "64", meta
classes = json.loads(meta["dermtl.classes"])
assert len(classes) == 2, classes
pre = json.loads(meta["dermtl.preprocessing"])
assert pre["mean_tensor"] == "preprocessing.mean" and len(pre["mean_per_channel"]) == 3, pre
data = raw[8 + n:]
tensors = {}
end = 0
for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    assert t["dtype"] == "F32", (name, t["dtype"])
    b, e = t["data_offsets"]
    assert b == end, (name, "hole or overlap")
    count = 1
    for d in t["shape"]:
        count *= d
    assert e - b == 4 * count, (name, t)
    tensors[name] = (t["shape"], struct.unpack("<%df" % count, data[b:e]))
    end = e
assert end == len(data), "bytes after the last tensor"
layers = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
want = {l + s for l in layers for s in (".weight", ".bias")} | {"preprocessing.mean"}
assert set(tensors) == want, sorted(set(tensors) ^ want)
channels = 3
for l in layers[:5]:
    shape = tensors[l + ".weight"][0]
    assert len(shape) == 4 and shape[1] == channels and shape[2] == shape[3], (l, shape)
    assert tensors[l + ".bias"][0] == [shape[0]], l
    channels = shape[0]
fc6 = tensors["fc6.weight"][0]
assert len(fc6) == 2 and fc6[1] % channels == 0, ("fc6 takes C x H x W of conv5's output", fc6, channels)
assert tensors["fc7.weight"][0][1] == fc6[0] and tensors["fc8.weight"][0] == [2, tensors["fc7.weight"][0][0]]
mean_shape = tensors["preprocessing.mean"][0]
assert mean_shape in ([3, 1, 1], [3, 64, 64]), mean_shape
for name, (shape, values) in tensors.items():
    assert all(v == v and abs(v) < 1e30 for v in values), (name, "not finite")
model = json.load(open(folder + "/model.json"))
h = 0xcbf29ce484222325
for byte in raw:
    h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
assert model["network"]["hash"] == "%016x" % h, (model["network"]["hash"], "%016x" % h)
assert model["classes"] == classes and model["cell"] == cell and model["fingerprint"] == meta["dermtl.fingerprint"]
assert len(model["svm"]["weights"]) == 1 and len(model["svm"]["weights"][0]) == tensors["fc7.weight"][0][0]
assert model["svm"]["C"] in [10.0 ** k for k in range(-3, 5)], model["svm"]["C"]
assert len(model["platt"]) == 1 and model["platt"][0]["A"] < 0, model["platt"]
r = model["referral"]
assert 0 <= r["low"] <= r["high"] <= 1, r
print("ok: network.safetensors and model.json read independently (%d tensors)" % len(tensors))
EOF

# ---- predict ---------------------------------------------------------------------------------
"$dermtl" predict --model "$w/model" "$images" --backend "$backend" --out "$w/pred.csv" > "$w/predict.txt" 2>&1 ||
  { cat "$w/predict.txt"; fail "predict"; }
grep -q "^60 image(s) predicted, 0 skipped" "$w/predict.txt" || fail "predict's summary: $(cat "$w/predict.txt")"
"$python" - "$w/model/model.json" "$w/pred.csv" <<'EOF' || fail "predict's columns"
import csv, json, math, sys
model = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 60, len(rows)
pos = model["classes"][1]
col = lambda prefix: [h for h in rows[0] if h.startswith(prefix)][0]
a, b = model["platt"][0]["A"], model["platt"][0]["B"]
low, high = model["referral"]["low"], model["referral"]["high"]
for r in rows:
    f = float(r[col("score_")])
    p = float(r[col("confidence_")])
    assert abs(p - 1 / (1 + math.exp(a * f + b))) < 1e-12, (r, "Platt")
    assert r["decision"] == (pos if p > 0.5 else model["classes"][0]), r
    band = "confident_negative" if p < low else "confident_positive" if p > high else "refer"
    assert r["referral"] == band, (r, low, high)
print("ok: probabilities, decisions and referral bands agree with model.json")
EOF

# `dermtl score` reads it; its AUC is sklearn's on the same columns (truth from the diagnoses).
"$python" - "$meta" "$w/truth.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    for r in rows:  # ISIC 2016's ground-truth layout, without a header
        name = r["derm"].split("/")[-1].rsplit(".", 1)[0]
        malignant = "melanoma" in r["diagnosis"] or "carcinoma" in r["diagnosis"]
        f.write("%s,%s\n" % (name, "malignant" if malignant else "benign"))
EOF
if "$dermtl" score --truth "$w/truth.csv" --predictions "$w/pred.csv" > "$w/score.json" 2> "$w/score.err"; then
  "$python" - "$w/truth.csv" "$w/pred.csv" "$w/score.json" <<'EOF' || fail "dermtl score's AUC differs from sklearn's"
import csv, json, sys
from sklearn.metrics import roc_auc_score
truth = {r[0]: r[1] == "malignant" for r in csv.reader(open(sys.argv[1]))}
rows = list(csv.DictReader(open(sys.argv[2])))
conf = [h for h in rows[0] if h.startswith("confidence_")][0]
y = [truth[r["image"]] for r in rows]
s = [float(r[conf]) for r in rows]
out = json.load(open(sys.argv[3]))
got = {m["name"]: m["value"] for m in out[0]["metrics"]}["area_under_roc"]  # the 2016 scorer's layout
want = roc_auc_score(y, s)
assert abs(got - want) < 1e-12, (got, want)
print("ok: dermtl score reads predict's file; AUC %.4f = sklearn's" % want)
EOF
else
  fail "dermtl score on predict's output: $(tail -3 "$w/score.err")"
fi

# The reader refuses a referral band that is not one of the three, naming the file, line and column.
sed '2s/,[a-z_]*$/,maybe/' "$w/pred.csv" > "$w/bad-band.csv"
if out=$("$dermtl" score --truth "$w/truth.csv" --predictions "$w/bad-band.csv" 2>&1); then
  fail "score accepted the referral band 'maybe'"
else
  case "$out" in *"bad-band.csv:2: column 'referral'"*maybe*) echo "ok: an unknown referral band refused" ;;
    *) fail "the message on a bad referral band: $out" ;; esac
fi

# Referral thresholds given as options override the model's.
"$dermtl" predict --model "$w/model" "$images" --backend "$backend" --refer-low 0.3 --refer-high 0.7 --no-progress \
  --out "$w/pred-opt.csv" > /dev/null 2>&1 || fail "predict --refer-low/--refer-high"
"$python" - "$w/pred-opt.csv" <<'EOF' || fail "bands from --refer-low/--refer-high"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    p = float([v for k, v in r.items() if k.startswith("confidence_")][0])
    assert r["referral"] == ("confident_negative" if p < 0.3 else "confident_positive" if p > 0.7 else "refer"), r
print("ok: --refer-low/--refer-high set the bands")
EOF

# ---- unreadable images: skipped and counted, or --strict stops -----------------------------
mkdir -p "$w/mixed"
find "$images" -name '*.jpg' | sort | head -3 | while read -r f; do cp "$f" "$w/mixed/"; done
printf 'not an image' > "$w/mixed/broken.jpg"
head -c 100 "$(find "$images" -name '*.jpg' | sort | head -1)" > "$w/mixed/truncated.jpg"
# A manifest naming one image by its path, one by its id alone (found below the manifest's folder)
# and one that does not exist; a list naming one more image.
first=$(cd "$images/.." && find images -name '*.jpg' | sort | sed -n 4p)
fifth=$(basename "$(find "$images" -name '*.jpg' | sort | sed -n 5p)" .jpg)
printf 'image\n%s\n%s\nmissing_one\n' "$first" "$fifth" > "$images/../manifest.csv"
printf '# one image\n%s\n' "$(find "$images" -name '*.jpg' | sort | sed -n 6p)" > "$w/list.txt"
if "$dermtl" predict --model "$w/model" "$w/mixed" "$images/../manifest.csv" "$w/list.txt" --backend "$backend" \
  --out "$w/mixed.csv" > "$w/mixed.txt" 2>&1; then
  grep -q "^6 image(s) predicted, 3 skipped" "$w/mixed.txt" || fail "skipped images not counted: $(cat "$w/mixed.txt")"
  grep -q "skipped broken" "$w/mixed.txt" || fail "the unreadable image was not named: $(cat "$w/mixed.txt")"
  grep -q "skipped missing_one" "$w/mixed.txt" || fail "the manifest's missing image was not named"
  [ "$(($(wc -l < "$w/mixed.csv") - 1))" -eq 6 ] || fail "expected 6 predicted rows: $(cat "$w/mixed.csv")"
  echo "ok: unreadable and missing images reported, skipped and counted; the others predicted"
else
  fail "predict with unreadable images stopped without --strict: $(tail -3 "$w/mixed.txt")"
fi
if out=$("$dermtl" predict --model "$w/model" "$w/mixed" --strict --backend "$backend" --out "$w/strict.csv" 2>&1); then
  fail "--strict accepted an unreadable image"
else
  case "$out" in *broken*--strict*) echo "ok: --strict stops at the unreadable image, naming it" ;;
    *) fail "--strict's message: $out" ;; esac
fi
[ -e "$w/strict.csv" ] && fail "--strict left a predictions file"

# ---- altered, missing and mismatched model folders are refused ------------------------------
refused() {  # refused TEXT MODEL: predict on MODEL fails, saying TEXT
  local text=$1 model=$2
  if out=$("$dermtl" predict --model "$model" "$images" --backend "$backend" --out "$w/refused.csv" 2>&1); then
    fail "accepted the model $model"; return
  fi
  case "$out" in *"$text"*) echo "ok: refused ($text)" ;; *) fail "message lacks '$text': $out" ;; esac
}
cp -r "$w/model" "$w/altered"
printf '\x01' | dd of="$w/altered/network.safetensors" bs=1 seek=200 conv=notrunc 2> /dev/null
refused "network.safetensors' was altered" "$w/altered"
cp -r "$w/model" "$w/missing" && rm "$w/missing/network.safetensors"
refused "network.safetensors' is missing" "$w/missing"
cp -r "$w/model" "$w/nojson" && rm "$w/nojson/model.json"
refused "model.json' is missing" "$w/nojson"
cp -r "$w/model" "$w/classes"
"$python" - "$w/classes/model.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["classes"] += ["third", "fourth"]
m["svm"]["weights"] = [m["svm"]["weights"][0]] * 4
m["svm"]["bias"] = [0.0] * 4
m["platt"] = [m["platt"][0]] * 4
m.pop("referral")
json.dump(m, open(sys.argv[1], "w"))
EOF
refused "the model has 4 classes" "$w/classes"
cp -r "$w/model" "$w/size"
sed -i 's/"input_size": 64/"input_size": 224/' "$w/size/model.json"
refused "trained for 224x224 inputs" "$w/size"

[ "$failures" -eq 0 ] && echo "ok: train-final and predict" || { echo "$failures failure(s)"; exit 1; }
