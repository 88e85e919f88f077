#!/usr/bin/env bash
# Builds with oneDNN: one experiment cell -- scaled VGG-M trained from scratch, fine-tuned,
# malignant vs benign, 2 folds on synthetic lesions -- run through `dermtl run` on backend::onednn
# (the default) and on backend::cpu (the reference). Only the backend differs, so both must run to
# the end, record their backend in the cell identity, and reach AUCs within 0.05 of each other
# (oneDNN and Eigen sum in different orders, so training drifts apart slowly). Two oneDNN runs
# give identical stored scores (same binary, machine and thread count).
# Usage: onednn_vs_cpu.sh DERMTL_BINARY
set -eu
dermtl=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cell_args=(--network vgg_m_scaled --synthetic --epochs 3 --folds 2 --no-progress)
"$dermtl" run 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' --backend cpu "${cell_args[@]}" --out "$out/cpu" > /dev/null
for run in a b; do
  "$dermtl" run 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' "${cell_args[@]}" --out "$out/onednn-$run" > /dev/null
done
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
def folds(run, backend):
    files = sorted(glob.glob(os.path.join(out, run, "work", "results", "*", "Fold_*.json")))
    assert len(files) == 2, (run, files)
    data = [json.load(open(f)) for f in files]
    for d, f in zip(data, files):
        assert d["config"]["cell"]["backend"]["name"] == backend, (f, d["config"]["cell"]["backend"])
    return [d["auc"] for d in data], [d["scores"] for d in data]
cpu, _ = folds("cpu", "cpu")
a, pa = folds("onednn-a", "onednn")
b, pb = folds("onednn-b", "onednn")
print("fold AUCs: cpu", cpu, "onednn", a)
assert all(abs(x - y) <= 0.05 for x, y in zip(cpu, a)), "oneDNN and CPU AUCs differ by more than 0.05"
assert a == b and pa == pb, "two oneDNN runs of one binary differ"
print("ok: the oneDNN cell matches the CPU cell within 0.05 AUC; two oneDNN runs are identical")
PY
