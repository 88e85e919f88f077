#!/usr/bin/env bash
# Issue 26: `dermtl score` on every challenge format it reads, against scikit-learn
# (tests/oracles/sklearn_score_files.py reads the same files), and the per-image predictions a run
# writes: one file per fold and the pooled one, read back by `dermtl score`, rewritten from the
# stored fold results (no retraining) when they are missing, results unchanged.
# Usage: score_test.sh DERMTL_BINARY FIXTURES_DIR
set -u
dermtl=$1
fixtures=$2
here=$(cd "$(dirname "$0")" && pwd)
oracle="$here/../oracles/sklearn_score_files.py"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# score FORMAT TRUTH PREDICTIONS [options]: runs dermtl score and the oracle on the same files.
score() {
  local fmt=$1 truth=$2 pred=$3
  shift 3
  if ! "$dermtl" score --truth "$truth" --predictions "$pred" "$@" > "$w/out.json" 2> "$w/err.txt"; then
    fail "dermtl score ($fmt) failed: $(tail -3 "$w/err.txt")"; return
  fi
  /usr/bin/python3 "$oracle" "$fmt" "$truth" "$pred" "$w/out.json" || fail "$fmt: dermtl score differs from sklearn"
}

# ---- the challenges' formats ------------------------------------------------------------------
# 2016: the real training ground truth (header img_id,Label; benign/malignant) and seeded
# confidences without a header, ties and 0.5 among them.
/usr/bin/python3 - "$fixtures/ISBI2016_ISIC_Part3_Training_GroundTruth.csv" "$w" <<'EOF'
import csv, random, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if r][1:]
g = random.Random(2016)
with open(sys.argv[2] + "/p2016.csv", "w") as f:
    for i, (img, label) in enumerate(rows):
        c = g.choice([0.0, 0.5, 1.0, 0.25]) if i % 7 == 0 else min(1.0, max(0.0, g.gauss(0.35 + 0.3 * (label == "malignant"), 0.2)))
        f.write("%s,%r\n" % (img, c))
# 2017: truth with header, predictions without.
with open(sys.argv[2] + "/t2017.csv", "w") as t, open(sys.argv[2] + "/p2017.csv", "w") as p:
    t.write("image_id,melanoma,seborrheic_keratosis\n")
    for i in range(150):
        k = g.randrange(3)
        t.write("ISIC_%07d,%s,%s\n" % (i, "1.0" if k == 1 else "0.0", "1.0" if k == 2 else "0.0"))
        p.write("ISIC_%07d,%r,%r\n" % (i, g.random() * (0.5 + 0.5 * (k == 1)), round(g.random(), 1)))
# 2019: 9 categories with score_weight (one image weighs 0), predictions in another column order with .jpg ids.
cats = ["MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC", "UNK"]
with open(sys.argv[2] + "/t2019.csv", "w") as t, open(sys.argv[2] + "/p2019.csv", "w") as p:
    t.write("image," + ",".join(cats) + ",score_weight\n")
    order = cats[::-1]
    p.write("image," + ",".join(order) + "\n")
    for i in range(200):
        k = i % 9 if i < 18 else g.randrange(9)
        t.write("ISIC_%07d," % i + ",".join("1.0" if j == k else "0.0" for j in range(9)) + ",%s\n" % ("0.0" if i == 5 else "1.0"))
        probs = {c: g.random() + (0.4 if j == k else 0) for j, c in enumerate(cats)}
        if i % 11 == 0:
            probs["MEL"] = probs["NV"] = 2.0  # a tie at the top: wrong
        s = sum(probs.values())
        p.write("ISIC_%07d.jpg," % i + ",".join(repr(probs[c] / s) for c in order) + "\n")
EOF
score 2016 "$fixtures/ISBI2016_ISIC_Part3_Training_GroundTruth.csv" "$w/p2016.csv"
grep -q '"name": "spec_at_sens_99"' "$w/out.json" || fail "2016: no spec_at_sens_99 in the output"
score 2017 "$w/t2017.csv" "$w/p2017.csv"
grep -q '"name": "spec_at_sens_82_seborrheic_keratosis"' "$w/out.json" || fail "2017: no spec_at_sens_82_seborrheic_keratosis"
score 2019 "$w/t2019.csv" "$w/p2019.csv"
for key in '"overall"' '"validation"' '"per_category"' '"macro_average"' '"balanced_accuracy"' '"auc_sens_80"' '"npv"'; do
  grep -q "$key" "$w/out.json" || fail "2019: no $key in the output"
done
# Measures beyond the year's scorer, when named.
"$dermtl" score --truth "$fixtures/ISBI2016_ISIC_Part3_Training_GroundTruth.csv" --predictions "$w/p2016.csv" \
  --metric auc_sens_80 --metric pauc_80 --metric area_under_roc > "$w/extra.json" || fail "--metric auc_sens_80 pauc_80"
/usr/bin/python3 - "$w/extra.json" <<'EOF' || fail "--metric: auc_sens_80 != pauc_80 + 0.8 (1 - FPR at 0.8) bounds, or names"
import json, sys
m = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))[0]["metrics"]}
assert list(m) == ["auc_sens_80", "pauc_80", "area_under_roc"], list(m)
assert 0 <= m["pauc_80"] <= 0.2 and m["pauc_80"] <= m["auc_sens_80"] <= 0.8 + m["pauc_80"], m
EOF
"$dermtl" score --truth "$w/t2019.csv" --predictions "$w/p2019.csv" --metric area_under_roc > /dev/null 2>&1 &&
  fail "--metric area_under_roc (a 2016 name) accepted for the 2019 format"

# ---- per-image predictions of a run -------------------------------------------------------------
cell='vgg_m_64_8/*/none/frozen/*'
if ! "$dermtl" grid --list --network vgg_m_scaled 2>/dev/null | grep -q '/none/frozen/'; then
  echo "skipped: predictions of a run (no vgg_m_scaled none/frozen cell in this build)"
else
  grid=(grid --network vgg_m_scaled --synthetic --cells "$cell" --folds 2 --max-folds 2 --no-progress)
  "$dermtl" "${grid[@]}" --out "$w/run" > "$w/run.log" 2>&1 || { tail "$w/run.log"; fail "the grid run"; }
  for d in "$w"/run/predictions/*/; do
    name=$(basename "$d")
    for f in Fold_1.csv Fold_2.csv pooled.csv; do [ -s "$d/$f" ] || fail "$name: no $f"; done
    head -1 "$d/pooled.csv" | grep -Eq '^image,fold,label,class,score_' || fail "$name: header $(head -1 "$d/pooled.csv")"
    case $name in
      *melanoma_carcinoma_benign*)
        head -1 "$d/pooled.csv" | grep -q 'score_basal_cell_carcinoma,score_melanoma,score_benign$' ||
          fail "$name: three-class columns $(head -1 "$d/pooled.csv")"
        "$dermtl" score --truth "$d/pooled.csv" --predictions "$d/pooled.csv" > "$w/three.json" || fail "$name: score"
        grep -q '"omitted"' "$w/three.json" || fail "$name: decision values scored with the > 0.5 measures"
        "$dermtl" score --truth "$d/pooled.csv" --predictions "$d/pooled.csv" --metric accuracy > /dev/null 2>&1 &&
          fail "$name: --metric accuracy accepted on decision values";;
      *)
        head -1 "$d/pooled.csv" | grep -Eq ',confidence_[a-z_]+$' || fail "$name: no confidence column"
        score dermtl "$d/pooled.csv" "$d/pooled.csv";;
    esac
  done
  # The fold AUC stored in the results equals sklearn's on that fold's predictions file.
  /usr/bin/python3 - "$w/run" <<'EOF' || fail "fold AUCs differ between the results and the predictions files"
import csv, glob, json, os, sys
import numpy as np
from sklearn.metrics import roc_auc_score
checked = 0
for res in glob.glob(sys.argv[1] + "/work/results/*/Fold_*.json"):
    r = json.load(open(res))
    cell = os.path.basename(os.path.dirname(res))
    rows = list(csv.reader(open("%s/predictions/%s/%s.csv" % (sys.argv[1], cell, r["fold"]))))[1:]
    if len(rows[0]) != 6:
        continue
    y = np.array([int(x[2]) for x in rows]); s = np.array([float(x[4]) for x in rows])
    assert [x[0] for x in rows] == r["ids"], cell
    assert abs(roc_auc_score(y, s) - r["auc"]) < 1e-12, (cell, r["fold"])
    assert [float(x[5]) for x in rows] == r["confidences"], cell
    checked += 1
assert checked >= 2, checked
EOF
  # A resumed run whose predictions are gone writes them again from the stored results.
  cp -r "$w/run/predictions" "$w/predictions.before"
  sums() { (cd "$w/run/work/results" && find . -name '*.json' -exec sha256sum {} + | sort); }
  sums > "$w/results.before"
  rm -rf "$w/run/predictions"
  "$dermtl" "${grid[@]}" --out "$w/run" > "$w/rerun.log" 2>&1 || { tail "$w/rerun.log"; fail "the resumed run"; }
  diff -r "$w/predictions.before" "$w/run/predictions" > /dev/null || fail "the rewritten predictions differ"
  sums | diff - "$w/results.before" > /dev/null || fail "the resumed run changed the stored results"
fi

[ "$failures" -eq 0 ] && echo "score_test: all passed"
[ "$failures" -eq 0 ]
