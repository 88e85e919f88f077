#!/usr/bin/env bash
# `dermtl grid --shard K/N` (issue 15, item 1): a small synthetic grid -- scaled VGG-M from scratch,
# fine-tuned, the three designs, 2 folds: 6 (cell, fold) work items -- run whole into one folder
# and as 4 shards into another. The shards are disjoint and together cover the grid: the stored
# fold results are identical to the whole run's, scores compared exactly (same binary, same
# thread count); so do a grid's parts (--part sources/independent/dependent). Slurm's array variables choose the shard when --shard is absent; a bad shard or
# an index outside the array is refused, naming what is wrong. Usage: shard_test.sh DERMTL_BINARY
set -eu
dermtl=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grid=(grid --network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/none/finetune/*' --epochs 1 --folds 2 --no-progress)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$dermtl" "${grid[@]}" --out "$work/whole" > "$work/whole.txt" 2> "$work/whole.log" || { tail "$work/whole.log"; exit 1; }
for k in 0 1 2 3; do
  "$dermtl" "${grid[@]}" --out "$work/shared" --shard "$k/4" > "$work/shard$k.txt" 2> "$work/shard$k.log" ||
    { tail "$work/shard$k.log"; exit 1; }
  grep -q "shard $k/4: " "$work/shard$k.txt" || fail "shard $k/4 printed no summary: $(cat "$work/shard$k.txt")"
done
# Round robin over items 0..5: shards 0 and 1 own two items each, shards 2 and 3 one each.
for k in 0 1; do grep -q "shard $k/4: 2 (cell, fold) work item(s) of 6" "$work/shard$k.txt" || fail "shard $k/4 did not run 2 of 6"; done
for k in 2 3; do grep -q "shard $k/4: 1 (cell, fold) work item(s) of 6" "$work/shard$k.txt" || fail "shard $k/4 did not run 1 of 6"; done

/usr/bin/python3 "$(dirname "$0")/../support/same_fold_results.py" "$work/whole" "$work/shared" 6 --fingerprint ||
  failures=$((failures + 1))

# A rerun of a shard finds its items stored and computes nothing.
"$dermtl" "${grid[@]}" --out "$work/shared" --shard 1/4 > "$work/again.txt" 2> "$work/again.log"
if grep -q "Fold_.*: AUC" "$work/again.log"; then fail "a rerun of shard 1/4 recomputed stored folds"; fi

# Without --shard, Slurm's job array variables choose the shard: task 5 of --array=4-7 is 1/4.
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_MAX=7 SLURM_ARRAY_TASK_COUNT=4 \
  "$dermtl" "${grid[@]}" --out "$work/shared" > "$work/slurm.txt" 2> "$work/slurm.log" || { tail "$work/slurm.log"; fail "slurm-array shard"; }
grep -q "shard 1/4: 2 (cell, fold)" "$work/slurm.txt" || fail "SLURM_ARRAY_TASK_ID=5 of 4-7 was not shard 1/4: $(cat "$work/slurm.txt")"

# Parts (--part): a grid whose cells train a source model (Retinopathy) run as its three parts into
# one folder -- the sources, then the cells that need none and those that use one, each part
# sharded on its own -- stores exactly the whole run's results; the dependent part finds the
# source trained by the sources part instead of training it again.
parts=(grid --network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/[nr]*/finetune/malignant_vs_benign' --epochs 1
       --folds 2 --no-progress)
"$dermtl" "${parts[@]}" --out "$work/parts-whole" --compare-with-paper > /dev/null 2> "$work/parts-whole.log" ||
  { tail "$work/parts-whole.log"; exit 1; }
# grid --compare-with-paper: the paper's values beside the scaled network's, with the note; the
# plain whole run above (synthetic data) shows none.
grep -qF "Compared with the paper on request, although the configuration differs" "$work/parts-whole/report/table1.md" ||
  fail "grid --compare-with-paper wrote no note"
if grep -qF ": paper" "$work/whole/report/table1.md"; then fail "a synthetic grid's report shows the paper's values unasked"; fi
"$dermtl" "${parts[@]}" --out "$work/parts" --part sources > "$work/sources.txt" 2> "$work/sources.log" ||
  { tail "$work/sources.log"; exit 1; }
grep -q "part sources, shard 0/1: 1 source model(s)" "$work/sources.txt" || fail "sources part: $(cat "$work/sources.txt")"
grep -q "trained the retinopathy source model" "$work/sources.log" || fail "the sources part trained no source"
[ -s "$work/parts/work/sources/done/vgg_m_64_8_onednn_retinopathy.json" ] ||
  [ -s "$work/parts/work/sources/done/vgg_m_64_8_cpu_retinopathy.json" ] || fail "no record of the trained source"
"$dermtl" "${parts[@]}" --out "$work/parts" --part independent > "$work/independent.txt" 2> "$work/independent.log" ||
  { tail "$work/independent.log"; exit 1; }
grep -q "2 (cell, fold) work item(s) of 2 done, in 1 cell(s)" "$work/independent.txt" ||
  fail "independent part: $(cat "$work/independent.txt")"
for k in 0 1; do
  "$dermtl" "${parts[@]}" --out "$work/parts" --part dependent --shard "$k/2" > "$work/dependent$k.txt" 2> "$work/dependent$k.log" ||
    { tail "$work/dependent$k.log"; exit 1; }
  grep -q "1 (cell, fold) work item(s) of 2 done" "$work/dependent$k.txt" || fail "dependent $k/2: $(cat "$work/dependent$k.txt")"
  grep -q "trained the retinopathy source" "$work/dependent$k.log" && fail "dependent part $k/2 trained the source again"
  grep -q "reused the cached retinopathy source model" "$work/dependent$k.log" || fail "dependent part $k/2 did not reuse the source"
done
/usr/bin/python3 "$(dirname "$0")/../support/same_fold_results.py" "$work/parts-whole" "$work/parts" 4 --fingerprint ||
  failures=$((failures + 1))

# Bad shards: each refused before any work, naming the option or the variable.
expect_refused() {
  local text=$1; shift
  if out=$("$@" 2>&1); then fail "accepted: $*"; return; fi
  case "$out" in *"$text"*) echo "ok: refused ($text)" ;; *) fail "message lacks '$text': $out" ;; esac
}
expect_refused "--shard 3/2: expected K from 0 to 1" "$dermtl" "${grid[@]}" --out "$work/bad" --shard 3/2
expect_refused "--shard 0/0: expected at least 1 shard" "$dermtl" "${grid[@]}" --out "$work/bad" --shard 0/0
expect_refused "--shard: expected K/N" "$dermtl" "${grid[@]}" --out "$work/bad" --shard 2
expect_refused "--shard: expected K/N" "$dermtl" "${grid[@]}" --out "$work/bad" --shard -1/4
expect_refused "SLURM_ARRAY_TASK_ID=9 is outside the job array 0-3" \
  env SLURM_ARRAY_TASK_ID=9 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 "$dermtl" "${grid[@]}" --out "$work/bad"
expect_refused "--part nothing: expected all, sources, independent or dependent" "$dermtl" "${grid[@]}" --out "$work/bad" --part nothing
expect_refused "SLURM_ARRAY_TASK_ID=" env SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 \
  "$dermtl" "${grid[@]}" --out "$work/bad"
if [ -e "$work/bad" ]; then fail "a refused shard still wrote $work/bad"; fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: shards and parts are disjoint, cover the grid, match the whole run exactly; Slurm's array picks the shard; bad shards refused"
