#!/usr/bin/env bash
# slurm.grid (issue 15, items 2 and 4 "Tiny grid", "Wrong shard"): a tiny synthetic grid -- scaled
# VGG-M, from scratch and from ImageNet (the synthetic stand-in, a source), fine-tuned, the three
# designs, 2 folds: 12 (cell, fold) work items -- submitted with `dermtl slurm submit` to the test
# cluster (cluster.sh) as an array of 3 tasks, 2 at a time. Its fold results are identical,
# scores compared exactly, to the same grid run locally with `dermtl grid` at the same OpenMP
# thread count; `dermtl slurm status` reports every item done and `dermtl report` builds the
# tables from the shared folder. A dry run writes the script without submitting; a missing sbatch
# and a task index outside the array are refused with a clear message.
# Usage: grid_test.sh DERMTL_BINARY. Exit 77 (skipped) when not root or Slurm is not installed.
set -euo pipefail
dermtl=$1
source "$(cd "$(dirname "$0")" && pwd)/test_lib.sh"
slurm_test_begin slurm.grid

selection=(--network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/[ni]*/finetune/*' --epochs 1 --folds 2 --no-progress)
cd "$dir/work"

# Missing Slurm: a clear message, nothing submitted.
if out=$(PATH=/usr/bin/false-dir:/nonexistent "$dermtl" slurm submit "${selection[@]}" --out "$dir/nopath" 2>&1); then
  fail "submit without sbatch on PATH succeeded"
fi
case "$out" in *"'sbatch' was not found on PATH: Slurm is not installed"*) echo "ok: missing sbatch named" ;;
  *) fail "missing sbatch: $out" ;; esac

# The local reference run, one OpenMP thread like each task (--cpus-per-task 1).
OMP_NUM_THREADS=1 "$dermtl" grid "${selection[@]}" --out "$dir/local" > "$dir/local.txt" 2> "$dir/local.log" ||
  { tail "$dir/local.log"; fail "local grid"; }

# A dry run: the script and the work items, nothing submitted.
"$dermtl" slurm submit "${selection[@]}" --tasks 3 --throttle 2 --cpus-per-task 1 --mem 1G --time 0:30:00 \
  --out "$dir/dry" --dry-run > "$dir/dry.txt"
grep -q -- "--array=0-2%2" "$dir/dry/slurm/grid.sbatch" || fail "dry run: no throttled array in the script"
grep -q -- "--signal=B:USR1@120" "$dir/dry/slurm/grid.sbatch" || fail "dry run: no warning signal"
grep -q -- "--requeue" "$dir/dry/slurm/grid.sbatch" || fail "dry run: no --requeue"
grep -q "12 (cell, fold) work items in 3 array tasks" "$dir/dry.txt" || fail "dry run: $(cat "$dir/dry.txt")"
"$dermtl" slurm status --out "$dir/dry" | grep -q "12 not submitted" || fail "dry-run status"

start_cluster 4
# submit generates the synthetic data and the ImageNet stand-in (trained) before the array starts:
# on one thread, as the local run did, so the stand-in is bitwise the same.
OMP_NUM_THREADS=1 "$dermtl" slurm submit "${selection[@]}" --tasks 3 --throttle 2 --cpus-per-task 1 --mem 1G \
  --time 0:30:00 --out "$dir/run" > "$dir/submit.txt" || fail "submit: $(cat "$dir/submit.txt")"
job=$(sed -n 's/^submitted job \([0-9]*\).*/\1/p' "$dir/submit.txt")
[ -n "$job" ] || fail "no job id in: $(cat "$dir/submit.txt")"
echo "submitted job $job"
# At most 2 tasks at a time; wait until the array has left the queue.
max_running=0
for _ in $(seq 1 480); do
  running=$(squeue -h -r -j "$job" -t RUNNING -o %i 2>/dev/null | wc -l)
  [ "$running" -gt "$max_running" ] && max_running=$running
  [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] || fail "job $job not done after 240 s"
[ "$max_running" -le 2 ] || fail "$max_running tasks ran at once; the throttle is 2"
echo "ok: the array ran, at most $max_running tasks at once"
"$dermtl" slurm status --out "$dir/run" > "$dir/status.txt"
grep -q "12 done;" "$dir/status.txt" || fail "status: $(tail -3 "$dir/status.txt")"

/usr/bin/python3 "$test_lib_here/../support/same_fold_results.py" "$dir/local" "$dir/run" 12 ||
  fail "the array's fold results differ from the local run's"
"$dermtl" report --results "$dir/run/work/results" --out "$dir/report" > "$dir/report.txt" || fail "report: $(cat "$dir/report.txt")"
[ -s "$dir/report/report.md" ] || fail "no report from the shared folder"

# A task index outside the array is refused by `grid`, naming the variable.
if out=$(SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 "$dermtl" grid "${selection[@]}" --out "$dir/run" 2>&1); then
  fail "an index outside the array was accepted"
fi
case "$out" in *"SLURM_ARRAY_TASK_ID=5 is outside the job array 0-2"*) echo "ok: index outside the array refused" ;;
  *) fail "outside the array: $out" ;; esac
echo "ok: slurm submit ran the grid as a throttled array with results identical to the local run"
