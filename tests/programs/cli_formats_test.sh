#!/usr/bin/env bash
# Issue 24, item 5: the registry of dataset formats (apps/programs/datasets/). Every command that
# takes data takes every format: `inspect` and `extract` list each target option of `grid`, and
# read each format -- the Atlas, ISIC 2016 and 2017, a folder tree, a manifest, HAM10000 and the
# Retinopathy source -- from synthetic data in its real layout (`dermtl synth`, and
# tests/support/own_data_formats.py as own_data_test.sh uses it); extract writes one fc7 row per
# image through the scaled VGG-M MatConvNet file the oracle writes.
# Usage: cli_formats_test.sh DERMTL_BINARY   (needs /usr/bin/python3 with numpy/scipy: the .mat oracle)
set -u
dermtl=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The target options of `grid` are options of inspect and extract too.
targets="--atlas --isic2016 --isic2017 --tree --manifest --ham10000"
for option in $targets; do
  "$dermtl" grid --help | grep -q -- "$option " || fail "grid --help lacks $option"
done
for command in inspect extract; do
  for option in $targets --retinopathy; do
    "$dermtl" "$command" --help | grep -q -- "$option " || fail "$command --help lacks $option"
  done
done

"$dermtl" synth lesions --out "$work/synth" --count 60 --size 64 > /dev/null || { echo "FAIL: synth lesions"; exit 1; }
"$dermtl" synth retina --out "$work/retina" --count 8 --size 64 > /dev/null || { echo "FAIL: synth retina"; exit 1; }
/usr/bin/python3 "$here/../support/own_data_formats.py" "$work/synth" "$work/data" > /dev/null ||
  { echo "FAIL: own_data_formats.py"; exit 1; }
(cd "$work" && /usr/bin/python3 "$here/../oracles/matconvnet_models.py" write vgg_m_64_8.mat --layout newer --size 64 \
  --div 8 --classes 1000 > /dev/null) || { echo "FAIL: the oracle's MatConvNet file"; exit 1; }
d=$work/data

# format name | the text inspect prints | its options
formats=(
  "atlas|dataset 'atlas'|--atlas $work/synth/release_v0/meta/meta.csv"
  "isic2016|this copy holds|--isic2016 $d/isic2016"
  "isic2017|dataset 'isic2017'|--isic2017 $d/isic2017"
  "tree|dataset 'folders'|--tree $d/tree"
  "manifest|dataset 'manifest'|--manifest $d/clinic/visits.csv --images $d/clinic/photos --image-column file --diagnosis-column finding --group-column lesion --diagnosis-map $d/clinic/map.csv"
  "ham10000|dataset 'ham10000'|--ham10000 $d/ham10000/HAM10000_metadata.csv --images $d/ham10000/images"
  "retinopathy|dataset 'retinopathy'|--retinopathy $work/retina/trainLabels.csv --retinopathy-images $work/retina/train"
)
for entry in "${formats[@]}"; do
  IFS='|' read -r name text options <<<"$entry"
  # shellcheck disable=SC2086
  if out=$("$dermtl" inspect $options 2>&1) && grep -qF -- "$text" <<<"$out"; then
    echo "ok: inspect reads $name"
  else
    fail "inspect $options: $(tail -3 <<<"$out")"
  fi
  # shellcheck disable=SC2086
  if out=$("$dermtl" extract --network vgg_m_scaled --weights "$work/vgg_m_64_8.mat" $options --out "$work/$name.npy" 2>&1); then
    n=$(sed -n 's/^\([0-9]*\) fc7 feature vectors written.*/\1/p' <<<"$out")
    /usr/bin/python3 - "$work/$name.npy" "$n" <<'PY' && echo "ok: extract reads $name ($n images)" || fail "extract $name: rows"
import sys, numpy as np
x = np.load(sys.argv[1])
ids = open(sys.argv[1][:-4] + ".ids").read().splitlines()
assert int(sys.argv[2]) > 0 and x.shape == (int(sys.argv[2]), 512) and len(ids) == x.shape[0], (x.shape, len(ids), sys.argv[2])
assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-4)
PY
  else
    fail "extract $options: $(tail -3 <<<"$out")"
  fi
done

# One dataset at a time, and none is refused saying which options there are.
if out=$("$dermtl" extract --weights "$work/vgg_m_64_8.mat" --out "$work/none.npy" 2>&1); then
  fail "extract without a dataset accepted"
else
  grep -qF -- "--isic2017" <<<"$out" || fail "extract without a dataset: $out"
fi
if out=$("$dermtl" inspect --tree "$d/tree" --isic2017 "$d/isic2017" 2>&1); then
  fail "inspect with two datasets accepted"
else
  grep -qF -- "expected exactly one of --labels, --atlas" <<<"$out" || fail "inspect with two datasets: $out"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: inspect and extract read every dataset format"
