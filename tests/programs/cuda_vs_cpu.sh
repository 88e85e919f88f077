#!/usr/bin/env bash
# GPU machines only (ctest label gpu): one experiment cell -- scaled VGG-M trained from scratch,
# fine-tuned, malignant vs benign, 2 folds on synthetic lesions -- run through `dermtl run` on
# the CUDA backend and on the CPU backend. The same experiment type with only the backend changed
# must run to the end and reach the same AUCs within 0.05 (float32 cuDNN and Eigen round
# differently, so training drifts apart slowly). A CUDA run repeated with --deterministic must
# give identical results. Usage: cuda_vs_cpu.sh DERMTL_BINARY DEVICE_PROBE
set -eu
dermtl=$1
"$2" || exit $?   # 77: no NVIDIA driver (skipped); 1: a driver that cannot serve the build (failed)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cell_args=(--network vgg_m_scaled --synthetic --epochs 3 --folds 2 --no-progress)
"$dermtl" run vgg_m_64_8/cpu/none/finetune/malignant_vs_benign --backend cpu "${cell_args[@]}" --out "$out/cpu" > /dev/null
for run in a b; do
  "$dermtl" run vgg_m_64_8/cuda/none/finetune/malignant_vs_benign --backend cuda --deterministic \
    "${cell_args[@]}" --out "$out/cuda-$run" > /dev/null
done
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
def aucs(run):
    files = sorted(glob.glob(os.path.join(out, run, "work", "results", "*", "Fold_*.json")))
    assert len(files) == 2, (run, files)
    return [json.load(open(f))["auc"] for f in files], [json.load(open(f))["scores"] for f in files]
cpu, _ = aucs("cpu")
a, pa = aucs("cuda-a")
b, pb = aucs("cuda-b")
print("fold AUCs: cpu", cpu, "cuda", a)
assert all(abs(x - y) <= 0.05 for x, y in zip(cpu, a)), "CUDA and CPU AUCs differ by more than 0.05"
assert a == b and pa == pb, "two deterministic CUDA runs differ"
print("ok: the CUDA cell matches the CPU cell within 0.05 AUC; deterministic CUDA runs are identical")
PY
