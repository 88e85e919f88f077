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
# Issue 17: the reference fold file's 10 folds are 5 partitions, each mirrored; its own runs use 3.
expect 0 "Fold_2 mirrors Fold_1" -- "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
expect 0 "10 runs of 6 distinct (train, test) splits from 3 partition(s)" -- \
  "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
expect 0 "(2x1 = 1x2, 2x2 = 1x1, 4x1 = 3x2, 4x2 = 3x1)" -- \
  "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
expect 0 "5 independent replications; the 5x2cv tests apply" -- \
  "$dermtl" inspect --labels "$fixtures/protocol1.csv" --folds "$fixtures/protocol1.yml"
# inspect --labels detects the format (issue 16, item 4): the real ISIC 2016 ground truth (header
# img_id,Label), Kaggle's labels, a HAM10000-style manifest; an unknown file lists the formats.
gt2016="$fixtures/ISBI2016_ISIC_Part3_Training_GroundTruth.csv"
expect 0 "ISIC 2016 Part 3 ground truth" -- "$dermtl" inspect --labels "$gt2016"
expect 0 "900 (benign 727, malignant 173)" -- "$dermtl" inspect --labels "$gt2016"
expect 0 "the reference implementation's label CSV" -- "$dermtl" inspect --labels "$fixtures/protocol1.csv"
expect 0 "Kaggle Diabetic Retinopathy trainLabels.csv" -- "$dermtl" inspect --labels "$fixtures/retina.csv"
printf 'lesion_id,image_id,dx,dx_type,age,sex,localization\nHAM_0000118,ISIC_0027419,bkl,histo,80.0,male,scalp\nHAM_0000118,ISIC_0025030,bkl,histo,80.0,male,scalp\nHAM_0001466,ISIC_0031633,mel,histo,75.0,male,ear\n' > "$work/HAM10000_metadata.csv"
expect 0 "3 images of 2 lesions" -- "$dermtl" inspect --labels "$work/HAM10000_metadata.csv"
expect fail "inspect --folds: expected a label file that loads as a dataset" -- \
  "$dermtl" inspect --labels "$work/HAM10000_metadata.csv" --folds "$fixtures/protocol1.yml"
printf 'patient,score\np1,0.3\n' > "$work/scores.csv"
expect fail "scores.csv: not a label file dermtl knows" -- "$dermtl" inspect --labels "$work/scores.csv"
expect fail "HAM10000-style manifest" -- "$dermtl" inspect --labels "$work/scores.csv"
# report: the paper's values beside ours only for the paper's configuration unless asked (item 6).
expect 0 "--compare-with-paper" -- "$dermtl" report --help
expect 0 "vgg_m/cpu/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list --backend cpu
expect 0 "vgg_16_32_8/cpu/imagenet/finetune/isic_binary" -- "$dermtl" grid --list --network vgg_16_scaled --backend cpu
# The default backend is oneDNN where the build has it (its help lists it), else the reference.
default_backend=cpu
if "$dermtl" grid --help | grep -q "onednn"; then default_backend=onednn; fi
expect 0 "vgg_m/$default_backend/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list
expect fail "--backend: expected one of cpu" -- "$dermtl" grid --list --backend eigen
n=$("$dermtl" grid --list | wc -l)
if [ "$n" -ne 21 ]; then echo "FAIL: expected 21 VGG-M cells, found $n"; failures=$((failures + 1)); fi

# Bad input: each a clear message that says what to do.
expect fail "no lesion data given" -- "$dermtl" grid --out "$work/a"
expect fail "--atlas: expected the derm7pt metadata file" -- "$dermtl" grid --atlas "$work/missing/meta.csv" --out "$work/a"
expect fail "diagnosis" -- "$dermtl" grid --atlas "$fixtures/protocol1.csv" --out "$work/a"
expect fail "expected one of vgg_m" -- "$dermtl" grid --list --network alexnet
expect fail "run: cell 'vgg_m/$default_backend/nothing': matches no cell of --network vgg_m" -- \
  "$dermtl" run "vgg_m/$default_backend/nothing" --synthetic --out "$work/a"
# Issue 25: a cell of another backend than --backend names the option.
other_backend=cpu
[ "$default_backend" = cpu ] && other_backend=onednn
expect fail "names backend '$other_backend', but --backend is '$default_backend'" -- \
  "$dermtl" run "vgg_m/$other_backend/none/finetune/malignant_vs_benign" --synthetic --out "$work/a"
expect fail "expected a file or folder" -- "$dermtl" inspect --labels "$work/missing.csv"
expect fail "results folder" -- "$dermtl" report --results "$work/none" --out "$work/r"
touch "$work/not-a-folder"
expect fail "choose another output folder" -- "$dermtl" synth lesions --out "$work/not-a-folder/x" --count 4
expect fail "choose another output folder" -- "$dermtl" demo --out "$work/not-a-folder/demo"
expect fail "choose another output folder" -- "$dermtl" grid --synthetic --out "$work/not-a-folder/grid"

# Options out of range (issue 13, item 2): rejected while parsing, before any work, with a message
# that names the option; nothing is written.
for bad in "--epochs -3" "--epochs 0" "--epochs 10001" "--epochs 1.5" "--epochs 99999999999999999999999" \
           "--batch-size 0" "--batch-size 4097" "--batch-size -1" "--lr 0" "--lr -0.1" "--lr 11" "--lr nan" \
           "--lr inf" "--lr 1e-3x" "--momentum 1" "--momentum -0.1" "--l2 1" "--l2 -1" "--seed -1" "--seed abc" \
           "--seed 18446744073709551616" "--max-folds -1" "--max-folds 10001" "--folds 0x2" "--folds 100000x2" \
           "--folds 3" "--max-image-pixels 0" "--max-image-pixels -3" "--max-image-pixels 63" \
           "--max-image-pixels 1073741825" "--max-image-pixels 5e7" "--max-image-pixels 0x100"; do
  option=${bad%% *}
  # shellcheck disable=SC2086
  expect fail "$option: expected" -- "$dermtl" grid --synthetic --out "$work/range" $bad
  # shellcheck disable=SC2086
  expect fail "$option: expected" -- "$dermtl" run vgg_m/cpu/none/finetune/malignant_vs_benign --synthetic --out "$work/range" $bad
done
expect fail "--epochs: expected a whole number from 1 to 10000, found '-3' (negative)" -- \
  "$dermtl" grid --synthetic --out "$work/range" --epochs -3
if [ -e "$work/range" ]; then echo "FAIL: a rejected option still wrote $work/range"; failures=$((failures + 1)); fi
for bad in "--count -1" "--count 0" "--count 1000001" "--size 100000" "--size 8" "--size -64" "--seed -5"; do
  option=${bad%% *}
  # shellcheck disable=SC2086
  expect fail "$option: expected" -- "$dermtl" synth lesions --out "$work/synth-range" $bad
done
expect fail "--count: expected at most 41666 images per class" -- "$dermtl" synth general --out "$work/synth-range" --count 50000
if [ -e "$work/synth-range" ]; then echo "FAIL: a rejected synth still wrote $work/synth-range"; failures=$((failures + 1)); fi
for bad in "--epochs 0" "--epochs -1" "--seed -1" "--lesions 0" "--retinas -2" "--general-per-class 0" \
           "--general-per-class 41667" "--folds 2x3"; do
  option=${bad%% *}
  # shellcheck disable=SC2086
  expect fail "$option: expected" -- "$dermtl" demo --out "$work/demo-range" $bad
done
if [ -e "$work/demo-range" ]; then echo "FAIL: a rejected demo still wrote $work/demo-range"; failures=$((failures + 1)); fi
expect fail "--batch-size: expected" -- "$dermtl" extract --weights "$work/none.mat" --out "$work/f.npy" --batch-size 0
expect fail "--batch-size: expected" -- "$dermtl" extract --weights "$work/none.mat" --out "$work/f.npy" --batch-size -3
expect fail "--max-image-pixels: expected a whole number from 64 to 1073741824, found '-3' (negative)" -- \
  "$dermtl" extract --weights "$work/none.mat" --out "$work/f.npy" --max-image-pixels -3
expect fail "--max-image-pixels: expected" -- "$dermtl" extract --weights "$work/none.mat" --out "$work/f.npy" --max-image-pixels 0
# extract --out: a folder that cannot be made, or a folder given as the file, fails before the work.
printf 'x' > "$work/weights.mat"
expect fail "extract --out: expected a writable output folder" -- \
  "$dermtl" extract --weights "$work/weights.mat" --tree "$work/none" --out "$work/not-a-folder/sub/f.npy"
expect fail "extract --out: expected a .npy file to write, found the folder" -- \
  "$dermtl" extract --weights "$work/weights.mat" --tree "$work/none" --out "$work"

# Label, fold and metadata files (issue 13, item 5) through inspect: zero cases, train/test
# overlap, one-class folds, encodings, folders given as files.
printf 'image,level\n' > "$work/header-only.csv"
expect fail "header-only.csv: no cases" -- "$dermtl" inspect --labels "$work/header-only.csv"
mkdir -p "$work/meta/meta"
printf 'diagnosis,level_of_diagnostic_difficulty,location,derm\nmelanoma,low,acral,a.jpg\n' > "$work/meta/meta/meta.csv"
expect fail "meta.csv: no cases" -- "$dermtl" inspect --atlas "$work/meta/meta/meta.csv"
printf 'image,level\na1,0\na2,1\na3,0\na4,1\n' > "$work/four.csv"
printf 'Fold_1:\n  - []\n  - []\n' > "$work/empty-folds.yml"
expect fail "Fold_1 train lists no images" -- "$dermtl" inspect --labels "$work/four.csv" --folds "$work/empty-folds.yml"
printf 'Fold_1:\n  - [a1, a3]\n  - [a2, a4]\n' > "$work/one-class.yml"
expect fail "one-class.yml:2: Fold_1 train holds one class only" -- \
  "$dermtl" inspect --labels "$work/four.csv" --folds "$work/one-class.yml"
isic="$work/isic2016"
mkdir -p "$isic/ISBI2016_ISIC_Part3_Training_Data" "$isic/ISBI2016_ISIC_Part3_Test_Data"
printf 'ISIC_0000000,benign\nISIC_0000001,malignant\n' > "$isic/ISBI2016_ISIC_Part3_Training_GroundTruth.csv"
printf 'ISIC_0000002,0.0\nISIC_0000001,1.0\n' > "$isic/ISBI2016_ISIC_Part3_Test_GroundTruth.csv"
for f in Training_Data/ISIC_0000000 Training_Data/ISIC_0000001 Test_Data/ISIC_0000001 Test_Data/ISIC_0000002; do
  printf 'x' > "$isic/ISBI2016_ISIC_Part3_$f.png"  # inspect resolves images by name; it does not decode them
done
expect fail "Test_GroundTruth.csv:2: test id 'ISIC_0000001' is also in training" -- "$dermtl" inspect --isic2016 "$isic"
# Issue 17, item 3: the counts of this copy, beside the official files' and the paper's text's.
printf 'ISIC_0000003,1.0\nISIC_0000002,0.0\n' > "$isic/ISBI2016_ISIC_Part3_Test_GroundTruth.csv"
printf 'x' > "$isic/ISBI2016_ISIC_Part3_Test_Data/ISIC_0000003.png"
expect 0 "this copy holds 1 malignant (melanoma) cases in training and 1 in test; the official files hold 173 and 75, while the paper's text says 273 and 115" \
  -- "$dermtl" inspect --isic2016 "$isic"
printf 'ISIC_0000000,beningn\nISIC_0000001,malignant\n' > "$isic/ISBI2016_ISIC_Part3_Training_GroundTruth.csv"
expect fail "Training_GroundTruth.csv:1: label 'beningn'" -- "$dermtl" inspect --isic2016 "$isic"
printf '\xff\xfei\0m\0' > "$work/utf16.csv"
expect fail "utf16.csv: UTF-16 file" -- "$dermtl" inspect --labels "$work/utf16.csv"
mkdir -p "$work/dir.csv"
expect fail "dir.csv: is a folder" -- "$dermtl" inspect --labels "$work/dir.csv"
printf 'image,level\na,0\nb,1000000\n' > "$work/huge-label.csv"
expect fail "huge-label.csv:3: level" -- "$dermtl" inspect --labels "$work/huge-label.csv"

# The CUDA cells: in a build with CUDA they are listed, and a run on a machine without a usable GPU
# (every device hidden here) fails at first use with "no CUDA device"; without CUDA, --backend cuda
# says how to get it.
if "$dermtl" grid --list --backend cuda > "$work/cuda-cells.txt" 2>&1; then
  expect 0 "vgg_m/cuda/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list --backend cuda
  expect fail "no CUDA device" -- env CUDA_VISIBLE_DEVICES=-1 "$dermtl" run vgg_m_64_8/cuda/none/finetune/malignant_vs_benign \
    --backend cuda --network vgg_m_scaled --synthetic --epochs 1 --out "$work/cuda"
  # Issue 28: bf16 on the GPU is the networks' (listing needs no device); a run checks the device.
  expect 0 "vgg_m/cuda/imagenet/finetune/malignant_vs_benign" -- "$dermtl" grid --list --backend cuda --precision bf16
  expect fail "no CUDA device" -- env CUDA_VISIBLE_DEVICES=-1 "$dermtl" run vgg_m_64_8/cuda/none/finetune/malignant_vs_benign \
    --backend cuda --network vgg_m_scaled --precision bf16 --synthetic --epochs 1 --out "$work/cuda-bf16"
  expect fail "cuda" -- "$dermtl" grid --list --backend cpu --precision bf16
else
  expect fail "this build has no CUDA cells" -- "$dermtl" grid --list --backend cuda
fi
expect fail "does not compute in it" -- "$dermtl" grid --list --precision tf32
# Issue 28: bf16 on a backend without it is refused, naming the backends that have it; on onednn it
# is taken where oneDNN has bf16 (avx512_core and up) and refused with that reason below (CI's
# baseline stage, ONEDNN_MAX_CPU_ISA=SSE41).
if "$dermtl" grid --list --backend cpu > /dev/null 2>&1; then
  expect fail "backends with it in this build" -- "$dermtl" grid --list --backend cpu --precision bf16
fi
if [ "$default_backend" = onednn ] && ! "$dermtl" grid --list --precision bf16 > "$work/bf16-list.txt" 2>&1; then
  expect fail "avx512_core" -- "$dermtl" grid --list --precision bf16
fi

# Issue 17: two protocols. An unknown one lists the known; the reference's cells are VGG-M's 2x2-pool2
# variant with libsvm's SVC; its quirks and the reference's runs need their context.
expect fail "paper" -- "$dermtl" grid --list --protocol nonsense
expect fail "reference" -- "$dermtl" grid --list --protocol nonsense
expect 0 "vgg_m_64_8_pool2x2/cpu/imagenet/finetune/malignant_vs_benign/classifier=libsvm_svc/training=reference" -- \
  "$dermtl" grid --list --protocol reference --network vgg_m_scaled --backend cpu
expect 0 "vgg_m_pool2x2/cpu/double/finetune/melanoma_carcinoma_benign/classifier=libsvm_svc/training=reference" -- \
  "$dermtl" grid --list --protocol reference --backend cpu
expect fail "--protocol reference: compiled for vgg_m on cpu" -- "$dermtl" grid --list --protocol reference --network vgg_16
expect fail "--reference-quirk: only with --protocol reference" -- \
  "$dermtl" grid --list --reference-quirk transpose-images
expect fail "--reference-quirk" -- "$dermtl" grid --list --protocol reference --reference-quirk upside-down
expect fail "--fold-mapping reference-runs: reads a reference fold file" -- \
  "$dermtl" run vgg_m_64_8/cpu/none/finetune/malignant_vs_benign --network vgg_m_scaled --backend cpu --synthetic \
  --fold-mapping reference-runs --out "$work/mapping"
expect fail "compare-protocols: runs the cell under every protocol; drop --protocol" -- \
  "$dermtl" compare-protocols none/finetune/malignant_vs_benign --network vgg_m_scaled --protocol reference --synthetic
expect fail "no experiment matches" -- "$dermtl" compare-protocols none/sideways/malignant_vs_benign --network vgg_m_scaled --synthetic \
  --out "$work/compare"
exit $failures
