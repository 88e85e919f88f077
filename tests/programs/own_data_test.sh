#!/usr/bin/env bash
# Issue 16: every experiment cell runs on the user's own data. Datasets in their real formats
# (tests/support/own_data_formats.py, from a synthetic derm7pt set) are targets of `dermtl grid`:
#  - HAM10000 (manifest with lesion_id): all three designs run; folds never split a lesion; akiec
#    is malignant in malignant_vs_benign, removed in melanoma_vs_benign, removed from the 3-class
#    design unless --akiec-as-carcinoma;
#  - ISIC 2016 (official split; --split cv): the binary designs run and the report says they
#    coincide; the 3-class design is refused (no carcinoma), as is ISIC's own label elsewhere;
#  - ISIC 2017 with its official validation set as the validation split;
#  - a folder per diagnosis; a clinic's manifest with its own columns and a --diagnosis-map;
#  - bad input: an unknown diagnosis (file:line, value, the option to map it), missing images
#    (the first ones and the count), too few cases for 5x2 CV (how many, how many needed).
# Usage: own_data_test.sh DERMTL_BINARY
set -eu
dermtl=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
run=(--network vgg_m_scaled --epochs 1 --folds 2 --max-folds 1 --no-progress)
grid() {  # grid NAME ARGS...: dermtl grid into $work/NAME, its output in $work/NAME.txt
  local name=$1; shift
  "$dermtl" grid "${run[@]}" --out "$work/$name" "$@" > "$work/$name.txt" 2>&1
}
refused() {  # refused TEXT ARGS...: dermtl grid ARGS fails, saying TEXT
  local text=$1; shift
  if out=$("$dermtl" grid "${run[@]}" --out "$work/refused" "$@" 2>&1); then fail "accepted: $*"; return; fi
  case "$out" in *"$text"*) echo "ok: refused ($text)" ;; *) fail "message lacks '$text': $out" ;; esac
}

"$dermtl" synth lesions --out "$work/synth" --count 240 --size 64 > /dev/null
/usr/bin/python3 "$here/../support/own_data_formats.py" "$work/synth" "$work/data" > /dev/null
d=$work/data

# HAM10000: the three designs; no lesion on both sides of a fold.
grid ham --ham10000 "$d/ham10000/HAM10000_metadata.csv" --images "$d/ham10000/images" \
  --cells 'vgg_m_64_8/*/none/finetune/*' || { tail "$work/ham.txt"; fail "HAM10000 grid"; }
/usr/bin/python3 - "$d/ham10000/HAM10000_metadata.csv" "$work/ham/work/results" <<'PY' || fail "HAM10000 folds or akiec labels"
import csv, glob, json, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lesion = {r["image_id"]: r["lesion_id"] for r in rows}
dx = {r["image_id"]: r["dx"] for r in rows}
results = glob.glob(os.path.join(sys.argv[2], "*", "Fold_1.json"))
assert len(results) == 3, results
for path in results:
    r = json.load(open(path))
    test = set(r["ids"])
    design = r["config"]["cell"]["labeling"]["name"]
    kept = {i for i in dx if not (dx[i] == "akiec" and design != "malignant_vs_benign")}
    kept -= {i for i in dx if dx[i] == "bcc" and design == "melanoma_vs_benign"}
    for l in {lesion[i] for i in kept}:
        sides = {i in test for i in kept if lesion[i] == l}
        assert len(sides) == 1, (design, "lesion split across train and test", l)
    akiec = [y for i, y in zip(r["ids"], r["labels"]) if dx[i] == "akiec"]
    if design == "malignant_vs_benign":
        assert all(y == 1 for y in akiec), akiec
    else:
        assert not akiec, (design, "kept akiec", akiec)
print("ok: HAM10000: 3 designs, no lesion split across a fold, akiec labelled by the design defaults")
PY
grid akiec --ham10000 "$d/ham10000/HAM10000_metadata.csv" --images "$d/ham10000/images" --akiec-as-carcinoma \
  --cells 'vgg_m_64_8/*/none/finetune/melanoma_carcinoma_benign' || { tail "$work/akiec.txt"; fail "--akiec-as-carcinoma"; }
/usr/bin/python3 - "$d/ham10000/HAM10000_metadata.csv" "$work/akiec/work/results" <<'PY' || fail "--akiec-as-carcinoma labels"
import csv, glob, json, os, sys
dx = {r["image_id"]: r["dx"] for r in csv.DictReader(open(sys.argv[1]))}
r = json.load(open(glob.glob(os.path.join(sys.argv[2], "*", "Fold_1.json"))[0]))
labels = {i: y for i, y in zip(r["ids"], r["labels"])}
akiec = [y for i, y in labels.items() if dx[i] == "akiec"]
assert akiec and all(y == 0 for y in akiec), akiec
assert r["config"]["fingerprint"]["labeling_rules"] == "actinic_keratosis_as_carcinoma=true"
print("ok: --akiec-as-carcinoma puts akiec into the carcinoma class, and says so in the fingerprint")
PY

# ISIC 2016: the binary designs (the same task there), the official split, or 5x2 over all.
grid isic2016 --isic2016 "$d/isic2016" --cells 'vgg_m_64_8/*/none/finetune/m*_vs_benign' ||
  { tail "$work/isic2016.txt"; fail "ISIC 2016 grid"; }
[ "$(ls "$work"/isic2016/work/results/*/official_split.json | wc -l)" = 2 ] || fail "ISIC 2016: no official_split results"
grep -q "are the same task" "$work/isic2016/report/report.md" || fail "the ISIC 2016 report does not say the designs coincide"
grid isic2016cv --isic2016 "$d/isic2016" --split cv --cells 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' ||
  { tail "$work/isic2016cv.txt"; fail "ISIC 2016 --split cv"; }
ls "$work"/isic2016cv/work/results/*/Fold_1.json > /dev/null || fail "ISIC 2016 --split cv stored no Fold_1"
refused "has no case of the class 'basal cell carcinoma'" --isic2016 "$d/isic2016" --cells 'vgg_m_64_8/*/none/finetune/*'
refused "Possible here: malignant vs. benign, melanoma vs. benign" --isic2016 "$d/isic2016" --cells 'vgg_m_64_8/*/none/finetune/*'
"$dermtl" grid --network vgg_m_scaled --list --isic2016 "$d/isic2016" --out "$work/list" > "$work/list.txt"
grep -q "^vgg_m_64_8/onednn/none/finetune/melanoma_carcinoma_benign  (not here: " "$work/list.txt" ||
  grep -q "^vgg_m_64_8/cpu/none/finetune/melanoma_carcinoma_benign  (not here: " "$work/list.txt" ||
  fail "grid --list does not mark the 3-class cells invalid on ISIC 2016: $(head -3 "$work/list.txt")"
grep -q "/none/finetune/malignant_vs_benign$" "$work/list.txt" || fail "grid --list marks malignant_vs_benign invalid on ISIC 2016"
"$dermtl" grid --network vgg_16_scaled --epochs 1 --no-progress --out "$work/refused16" \
  --cells '*/isic_binary' --ham10000 "$d/ham10000/HAM10000_metadata.csv" --images "$d/ham10000/images" > "$work/isic16.txt" 2>&1 &&
  fail "ISIC's own label accepted on HAM10000"
grep -q "ISIC's own benign/malignant label exists only in ISIC 2016" "$work/isic16.txt" || fail "isic_binary on HAM10000: $(cat "$work/isic16.txt")"

# ISIC 2017: the official validation set as the validation split.
grid isic2017 --isic2017 "$d/isic2017" --isic2017-validation split --cells 'vgg_m_64_8/*/none/finetune/melanoma_vs_benign' ||
  { tail "$work/isic2017.txt"; fail "ISIC 2017 grid"; }
grep -q '"validation": "given by the data' "$work"/isic2017/work/results/*/official_split.json ||
  fail "ISIC 2017: the official validation split is not in the fingerprint"

# A folder per diagnosis.
grid tree --tree "$d/tree" --cells 'vgg_m_64_8/*/none/finetune/melanoma_carcinoma_benign' || { tail "$work/tree.txt"; fail "tree grid"; }

# A clinic's manifest: 'naevus' is not in the vocabulary until mapped.
clinic=(--manifest "$d/clinic/visits.csv" --images "$d/clinic/photos" --image-column file --diagnosis-column finding
        --group-column lesion)
first=$(grep -n ',naevus,' "$d/clinic/visits.csv" | head -1 | cut -d: -f1)
refused "visits.csv:$first, column 'finding': unknown diagnosis 'naevus'" "${clinic[@]}" --cells 'vgg_m_64_8/*/none/finetune/*'
refused "--diagnosis-map FILE" "${clinic[@]}" --cells 'vgg_m_64_8/*/none/finetune/*'
"$dermtl" grid --network vgg_m_scaled --list "${clinic[@]}" --diagnosis-map "$d/clinic/map.csv" --out "$work/clinic" \
  > "$work/clinic.txt" 2>&1 || { cat "$work/clinic.txt"; fail "clinic manifest with --diagnosis-map"; }
if grep -q "/none/finetune/.*not here" "$work/clinic.txt"; then fail "a design refused on the mapped clinic data"; fi
cp "$d/clinic/visits.csv" "$d/clinic/missing.csv"
printf '%s\n' "2025/gone1.jpg,melanoma,L900" "2025/gone2.jpg,naevus,L901" >> "$d/clinic/missing.csv"
refused "2 of " --manifest "$d/clinic/missing.csv" --images "$d/clinic/photos" --image-column file --diagnosis-column finding \
  --diagnosis-map "$d/clinic/map.csv" --cells 'vgg_m_64_8/*/none/finetune/*'

# Too few melanomas for 5x2 cross-validation.
refused "has 3" --manifest "$d/few/few.csv" --images "$d/few/images" --cells 'vgg_m_64_8/*/none/finetune/melanoma_vs_benign'
refused "at least 4" --manifest "$d/few/few.csv" --images "$d/few/images" --cells 'vgg_m_64_8/*/none/finetune/melanoma_vs_benign'
refused "expected one target dataset" --isic2016 "$d/isic2016" --tree "$d/tree"

# A cell whose source the data options do not give is refused before any cell trains (the no-transfer
# cell the glob also picks, first in grid order, must not have run).
refused "it trains on the Retinopathy source: pass --retinopathy" --tree "$d/tree" \
  --cells 'vgg_m_64_8/*/[nr]*/finetune/melanoma_carcinoma_benign'
refused "it starts from ImageNet weights: pass --imagenet-weights" --tree "$d/tree" \
  --cells 'vgg_m_64_8/*/imagenet/frozen/melanoma_carcinoma_benign'
if [ -d "$work/refused/work/results" ] && [ -n "$(ls -A "$work/refused/work/results")" ]; then
  fail "a refused grid stored results: $(ls "$work/refused/work/results")"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: every target ran its valid cells and refused the others with reasons"
