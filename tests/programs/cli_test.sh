#!/usr/bin/env bash
# The dermtl tool as a user meets it: help, inspect on the reference files, the cell list, and
# clear errors for bad paths. Usage: cli_test.sh DERMTL_BINARY FIXTURES_DIR
set -u
dermtl=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
expect() {  # expect <exit: 0|fail> <text the output must contain> -- command...
  local want=$1 text=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if { [ "$want" = 0 ] && [ $rc -ne 0 ]; } || { [ "$want" = fail ] && [ $rc -eq 0 ]; }; then
    echo "FAIL (exit $rc, expected $want): $*"; echo "$out" | tail -5; failures=$((failures + 1)); return
  fi
  if ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL (output lacks '$text'): $*"; echo "$out" | tail -5; failures=$((failures + 1)); return
  fi
  echo "ok: $*"
}

expect 0 "dermtl demo" -- "$dermtl" --help
expect 0 "inspect" -- "$dermtl" --help
expect 0 "--imagenet-weights" -- "$dermtl" grid --help
expect 0 "10 folds" -- "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
expect 0 "Fold_10: train" -- "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
expect 0 "vgg_m/cpu/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list
expect 0 "vgg_16_32_8/cpu/imagenet/finetune/isic_binary" -- "$dermtl" grid --list --network vgg_16_scaled
n=$("$dermtl" grid --list | wc -l)
if [ "$n" -ne 21 ]; then echo "FAIL: expected 21 VGG-M cells, found $n"; failures=$((failures + 1)); fi

# Bad input: each a clear message that says what to do.
expect fail "no lesion data given" -- "$dermtl" grid --out "$work/a"
expect fail "--atlas: expected the derm7pt metadata file" -- "$dermtl" grid --atlas "$work/missing/meta.csv" --out "$work/a"
expect fail "diagnosis" -- "$dermtl" grid --atlas "$fixtures/protocol1.csv" --out "$work/a"
expect fail "expected one of vgg_m" -- "$dermtl" grid --list --network alexnet
expect fail "no experiment matches 'vgg_m/cpu/nothing'" -- "$dermtl" run vgg_m/cpu/nothing --synthetic --out "$work/a"
expect fail "expected a file or folder" -- "$dermtl" inspect --labels "$work/missing.csv"
expect fail "results folder" -- "$dermtl" report --results "$work/none" --out "$work/r"
touch "$work/not-a-folder"
expect fail "choose another output folder" -- "$dermtl" synth lesions --out "$work/not-a-folder/x" --count 4
expect fail "choose another output folder" -- "$dermtl" demo --out "$work/not-a-folder/demo"
expect fail "choose another output folder" -- "$dermtl" grid --synthetic --out "$work/not-a-folder/grid"

# The CUDA cells: in a build with CUDA they are listed, and a run on a machine without a usable GPU
# (every device hidden here) fails at first use with "no CUDA device"; without CUDA, --backend cuda
# says how to get it.
if "$dermtl" grid --list --backend cuda > "$work/cuda-cells.txt" 2>&1; then
  expect 0 "vgg_m/cuda/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list --backend cuda
  expect fail "no CUDA device" -- env CUDA_VISIBLE_DEVICES=-1 "$dermtl" run vgg_m_64_8/cuda/none/finetune/malignant_vs_benign \
    --backend cuda --network vgg_m_scaled --synthetic --epochs 1 --out "$work/cuda"
else
  expect fail "this build has no CUDA cells" -- "$dermtl" grid --list --backend cuda
fi
expect fail "only the CUDA backend has reduced precision" -- "$dermtl" grid --list --precision tf32
exit $failures
