#!/usr/bin/env bash
# slurm.grid (issue 15, items 1, 2 and 4 "Tiny grid", "Wrong shard"): a tiny synthetic grid --
# scaled VGG-M from scratch, from ImageNet (the synthetic stand-in) and from Retinopathy (a source
# model trained here), fine-tuned, two designs, 2 folds: 12 (cell, fold) work items and 1 source --
# submitted with `dermtl slurm submit --tasks 4 --throttle 2` to the test cluster (cluster.sh) as
# three arrays: the source (1 task), the 8 items that need no source (3 tasks, 2 at a time, at
# once), and the 4 items that use it (1 task, --dependency=afterok on the source's job). Its fold
# results are identical, scores compared exactly, to the same grid run locally with `dermtl grid`
# at the same OpenMP thread count; the source was trained once, by the sources job; `dermtl slurm
# status` reports every item done and `dermtl report` builds the tables from the shared folder. A
# dry run writes the scripts without submitting; a missing sbatch, a task index outside the array
# and a second submission with another configuration into the same folder are refused with a
# clear message.
# Usage: grid_test.sh DERMTL_BINARY. Exit 77 (skipped) when not root or Slurm is not installed.
set -euo pipefail
dermtl=$1
source "$(cd "$(dirname "$0")" && pwd)/test_lib.sh"
slurm_test_begin slurm.grid

selection=(--network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/[nir]*/finetune/mel*' --epochs 1 --folds 2 --no-progress)
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

# A dry run: the scripts and the work items, nothing submitted.
"$dermtl" slurm submit "${selection[@]}" --tasks 4 --throttle 2 --cpus-per-task 1 --mem 1G --time 0:30:00 \
  --setup 'module load dermtl-test' --setup 'export DERMTL_SITE=1' --launcher 'apptainer exec dermtl.sif' \
  --out "$dir/dry" --dry-run > "$dir/dry.txt"
grep -q "^module load dermtl-test$" "$dir/dry/slurm/independent.sbatch" || fail "dry run: no --setup line"
grep -q "^export DERMTL_SITE=1$" "$dir/dry/slurm/independent.sbatch" || fail "dry run: no second --setup line"
grep -q "^apptainer exec dermtl.sif '.*dermtl' grid " "$dir/dry/slurm/independent.sbatch" || fail "dry run: no --launcher"
grep -q -- "--array=0-0%1" "$dir/dry/slurm/sources.sbatch" || fail "dry run: the sources array is not one task"
grep -q -- "--array=0-2%2" "$dir/dry/slurm/independent.sbatch" || fail "dry run: no throttled 3-task independent array"
grep -q -- "--array=0-0%1" "$dir/dry/slurm/dependent.sbatch" || fail "dry run: the dependent array is not one task"
for part in sources independent dependent; do
  script=$dir/dry/slurm/$part.sbatch
  grep -q -- "--signal=B:USR1@120" "$script" || fail "dry run: no warning signal in $part.sbatch"
  grep -q -- "--requeue" "$script" || fail "dry run: no --requeue in $part.sbatch"
  grep -q -- "grid .* --part $part " "$script" || fail "dry run: $part.sbatch does not run --part $part"
done
grep -q "1 source model(s) in 1 array task(s)" "$dir/dry.txt" || fail "dry run: $(cat "$dir/dry.txt")"
grep -q "8 (cell, fold) work items in 3 array task(s)" "$dir/dry.txt" || fail "dry run: $(cat "$dir/dry.txt")"
grep -q "4 (cell, fold) work items in 1 array task(s)" "$dir/dry.txt" || fail "dry run: $(cat "$dir/dry.txt")"
"$dermtl" slurm status --out "$dir/dry" | grep -q "13 not submitted" || fail "dry-run status"

start_cluster 4
# sbatch rejecting the script: Slurm's message and the script's path.
if out=$("$dermtl" slurm submit "${selection[@]}" --tasks 4 --partition no_such_partition --out "$dir/rejected" 2>&1); then
  fail "a script for a partition that does not exist was accepted"
fi
case "$out" in *"sbatch rejected $dir/rejected/slurm/"*".sbatch"*"nvalid partition"*) echo "ok: sbatch's refusal shown with the script" ;;
  *) fail "sbatch rejecting: $out" ;; esac
# submit generates the synthetic data and the ImageNet stand-in (trained) before the arrays start:
# on one thread, as the local run did, so the stand-in is bitwise the same.
# --setup and --launcher run in every task (here a harmless line, and `env` as the launcher).
OMP_NUM_THREADS=1 "$dermtl" slurm submit "${selection[@]}" --tasks 4 --throttle 2 --cpus-per-task 1 --mem 1G \
  --time 0:30:00 --setup 'echo "setup ran in task $SLURM_ARRAY_TASK_ID"' --launcher env --out "$dir/run" \
  > "$dir/submit.txt" || fail "submit: $(cat "$dir/submit.txt")"
job_of_part() { sed -n "s/^submitted job \([0-9]*\) ($1).*/\1/p" "$dir/submit.txt"; }
sources=$(job_of_part sources); independent=$(job_of_part independent); dependent=$(job_of_part dependent)
[ -n "$sources" ] && [ -n "$independent" ] && [ -n "$dependent" ] || fail "not three jobs in: $(cat "$dir/submit.txt")"
grep -q "submitted job $dependent (dependent), after job $sources" "$dir/submit.txt" || fail "$(cat "$dir/submit.txt")"
# While the source trains, the dependent job waits on it (unless the source was already done).
dependency=$(squeue -h -j "$dependent" -o %E 2>/dev/null | head -1)
if [ -n "$(squeue -h -j "$sources" -o %i 2>/dev/null)" ]; then
  case "$dependency" in *"afterok:$sources"*) echo "ok: job $dependent waits for $dependency" ;;
    *) fail "the dependent job's dependency is '$dependency', expected afterok:$sources" ;; esac
fi
# At most 2 tasks of the independent array at a time; wait until every job has left the queue.
max_running=0
for _ in $(seq 1 600); do
  running=$(squeue -h -r -j "$independent" -t RUNNING -o %i 2>/dev/null | wc -l)
  [ "$running" -gt "$max_running" ] && max_running=$running
  [ -z "$(squeue -h -j "$sources,$independent,$dependent" -o %i 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$sources,$independent,$dependent" -o %i 2>/dev/null)" ] || fail "jobs not done after 300 s"
[ "$max_running" -le 2 ] || fail "$max_running tasks ran at once; the throttle is 2"
echo "ok: the arrays ran, at most $max_running independent tasks at once"
# The source model was trained once, by the sources job; the dependent task found it.
grep -q "trained the retinopathy source model" "$dir"/run/slurm/sources-*.out || fail "the sources job trained no source"
grep -q "reused the cached retinopathy source model" "$dir"/run/slurm/dependent-*.out || fail "the dependent task did not reuse the source"
if grep -q "trained the retinopathy source model" "$dir"/run/slurm/independent-*.out "$dir"/run/slurm/dependent-*.out; then
  fail "a cell task trained the source model again"
fi
grep -q "setup ran in task 2" "$dir"/run/slurm/independent-*_2.out || fail "the --setup line did not run in task 2"
"$dermtl" slurm status --out "$dir/run" > "$dir/status.txt"
grep -q "13 work items: 13 done;" "$dir/status.txt" || fail "status: $(tail -5 "$dir/status.txt")"

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
# The same folder for a grid with another configuration: refused, naming what differs.
other=(--network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/[nir]*/finetune/mel*' --epochs 2 --folds 2 --no-progress)
if out=$("$dermtl" slurm submit "${other[@]}" --tasks 3 --out "$dir/run" --dry-run 2>&1); then
  fail "a second submission with other settings into the same folder was accepted"
fi
case "$out" in *"belongs to a grid with another configuration"*'epochs: 1 there, 2 now'*) echo "ok: another configuration refused" ;;
  *) fail "another configuration: $out" ;; esac
echo "ok: slurm submit ran the grid as throttled arrays, sources first, with results identical to the local run"
