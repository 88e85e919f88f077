#!/usr/bin/env bash
# `dermtl demo` at a small scale: every step runs (data generation, the ImageNet stand-ins, the
# whole Table 1 grid, Tables 3 and 4, the report), and a rerun in the same folder continues from
# the stored results and writes the same tables. Usage: demo_small.sh DERMTL_BINARY
set -eu
dermtl=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
small=(--out "$out" --lesions 90 --retinas 40 --general-per-class 6 --epochs 2)
"$dermtl" demo "${small[@]}" > "$out/first.txt" 2> "$out/first.log" || { tail -20 "$out/first.log"; exit 1; }
for f in report.html report.json report.md table1.md table1.csv table1_roc.png table3.md table3.csv referral.png; do
  [ -s "$out/report/$f" ] || { echo "FAIL: report/$f missing or empty"; ls "$out/report"; exit 1; }
done
for row in "Malignant vs. Benign" "Melanoma vs. Benign" "Melanoma vs. Carcinoma vs. Benign"; do
  grep -qF "$row" "$out/report/table1.md" || { echo "FAIL: table1.md lacks the row '$row'"; exit 1; }
done
cells=$(find "$out/work/results" -name 'Fold_*.json' | wc -l)
# 21 Table 1 cells and 3 VGG-16 cells, 2 folds each.
[ "$cells" -eq 48 ] || { echo "FAIL: expected 48 stored fold results, found $cells"; exit 1; }
cp "$out/report/table1.csv" "$out/table1-first.csv"

# fc7 features of the generated lesions through the ImageNet stand-in the demo wrote (a MatConvNet
# file): one L2-normalized 512-d row per lesion (VGG-M's 4096 / 8), ids beside them.
"$dermtl" extract --network vgg_m_scaled --weights "$out/data/standin-vgg_m_64_8.mat" \
  --atlas "$out/data/lesions/release_v0/meta/meta.csv" --out "$out/fc7.npy" > "$out/extract.txt"
/usr/bin/python3 - "$out/fc7.npy" <<'PY' || exit 1
import sys, numpy as np
x = np.load(sys.argv[1])
ids = open(sys.argv[1][:-4] + ".ids").read().split()
assert x.shape == (90, 512), x.shape
assert x.dtype == np.float32
assert len(ids) == 90, len(ids)
norms = np.linalg.norm(x, axis=1)
assert np.allclose(norms, 1, atol=1e-5), norms[:5]
assert (x >= 0).all()  # after relu7
print("ok: extract wrote", x.shape, "L2-normalized rows")
PY

# As if killed part way: one cell's folds and a cached source model are gone; the rerun redoes
# just those and ends with the same table.
rm -r "$out"/work/results/vgg_m_64_8-*-retinopathy-finetune-melanoma_vs_benign
rm "$out"/work/sources/*retinopathy*.ckpt
"$dermtl" demo "${small[@]}" > "$out/second.txt" 2> "$out/second.log" || { tail -20 "$out/second.log"; exit 1; }
cmp "$out/table1-first.csv" "$out/report/table1.csv" || { echo "FAIL: the rerun's Table 1 differs"; diff "$out/table1-first.csv" "$out/report/table1.csv"; exit 1; }
grep -q "trained the retinopathy source model" "$out/second.log" || { echo "FAIL: the retinopathy source was not retrained"; exit 1; }

# Another experiment into the same folder (other settings) is refused: nothing is reused or
# overwritten, and the message names the field and the two ways out.
if "$dermtl" demo --out "$out" --lesions 90 --retinas 40 --general-per-class 6 --epochs 3 > "$out/third.txt" 2> "$out/third.log"; then
  echo "FAIL: a rerun with other --epochs reused the stored results"; exit 1
fi
grep -q "'target_training' was" "$out/third.log" && grep -q -- "--recompute" "$out/third.log" ||
  { echo "FAIL: the refusal does not say what differs"; tail -5 "$out/third.log"; exit 1; }
cmp "$out/table1-first.csv" "$out/report/table1.csv" || { echo "FAIL: the refused rerun changed Table 1"; exit 1; }

# The stored results make one report again, its configuration listed.
"$dermtl" report --results "$out/work/results" --out "$out/again" > "$out/report.txt" ||
  { echo "FAIL: dermtl report"; cat "$out/report.txt"; exit 1; }
grep -q "configuration: seed" "$out/again/report.md" || { echo "FAIL: the report lists no configuration"; exit 1; }
# Scaled networks: no paper column, even with --paper (the paper's configurations only); with
# --compare-with-paper the paper's VGG-M values and a note that says what differs.
"$dermtl" report --results "$out/work/results" --out "$out/paper" --paper > "$out/paper.txt" ||
  { echo "FAIL: dermtl report --paper"; cat "$out/paper.txt"; exit 1; }
if grep -qF ": paper" "$out/paper/table1_vgg_m_64_8.md"; then echo "FAIL: --paper compares a scaled network with the paper"; exit 1; fi
"$dermtl" report --results "$out/work/results" --out "$out/compared" --compare-with-paper > "$out/compared.txt" ||
  { echo "FAIL: dermtl report --compare-with-paper"; cat "$out/compared.txt"; exit 1; }
grep -qF "Compared with the paper on request, although the configuration differs: network VGG-M scaled" \
  "$out/compared/table1_vgg_m_64_8.md" || { echo "FAIL: --compare-with-paper gave no note"; ls "$out/compared"; exit 1; }
grep -qF "From ImageNet / with FT: paper" "$out/compared/table1_vgg_m_64_8.md" ||
  { echo "FAIL: --compare-with-paper gave no paper column"; exit 1; }
echo "ok: demo ran, wrote its report, a rerun continued to the same Table 1, another experiment was refused"
