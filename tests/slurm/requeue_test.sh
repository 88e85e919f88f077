#!/usr/bin/env bash
# slurm.requeue (issue 15, items 3 and 4 "Cancel and requeue", "Crash and rerun"): preemption loses
# at most one training step, and a crashed task's work is redone, nothing else.
#  1. One cell (scaled VGG-M from scratch, fine-tuned, 2 folds, 40 epochs) as a 1-task array.
#     Once its first checkpoint exists, `scancel --batch --signal=USR1` warns the task as Slurm
#     does before a time limit: dermtl finishes its step, writes a step checkpoint, exits 85 and
#     the script requeues the job; the rerun resumes mid-epoch. The fold results are identical,
#     scores compared exactly, to an uninterrupted local run at the same thread count.
#  2. The same submitted again into another folder, its dermtl process killed with SIGKILL mid-run:
#     resubmitting reruns only the unfinished work items (a finished fold's file is not rewritten)
#     and the results are again identical.
# Usage: requeue_test.sh DERMTL_BINARY. Exit 77 (skipped) when not root or Slurm is not installed.
set -euo pipefail
dermtl=$1
source "$(cd "$(dirname "$0")" && pwd)/test_lib.sh"
slurm_test_begin slurm.requeue
selection=(--network vgg_m_scaled --synthetic --cells 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' --epochs 40
           --folds 2 --no-progress)
submit=(slurm submit "${selection[@]}" --tasks 1 --cpus-per-task 1 --mem 1G --time 0:30:00)
cd "$dir/work"
OMP_NUM_THREADS=1 "$dermtl" grid "${selection[@]}" --out "$dir/local" > /dev/null 2> "$dir/local.log" ||
  { tail "$dir/local.log"; fail "local grid"; }
start_cluster 4

job_of() { sed -n 's/^submitted job \([0-9]*\).*/\1/p' "$1"; }
wait_for() {  # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local t=$1 _; shift
  for _ in $(seq 1 $((t * 4))); do "$@" && return 0; sleep 0.25; done
  return 1
}
has_checkpoint() { compgen -G "$1/work/checkpoints/*.ckpt" > /dev/null; }
gone() { [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; }
same_results() { /usr/bin/python3 "$test_lib_here/../support/same_fold_results.py" "$dir/local" "$1" 2; }

# 1. Warned, checkpointed, requeued, resumed.
OMP_NUM_THREADS=1 "$dermtl" "${submit[@]}" --out "$dir/warned" > "$dir/warned.txt" || fail "submit: $(cat "$dir/warned.txt")"
job=$(job_of "$dir/warned.txt")
wait_for 120 has_checkpoint "$dir/warned" || fail "no checkpoint within 120 s"
scancel --batch --signal=USR1 "${job}_0" || fail "scancel --signal=USR1"
wait_for 300 gone "$job" || fail "job $job not done after 300 s"
grep -q "checkpointed; requeueing" "$dir"/warned/slurm/*.out || fail "the task did not checkpoint and requeue"
same_results "$dir/warned" || fail "the requeued run's results differ from the uninterrupted run's"
echo "ok: USR1 -> step checkpoint, exit 85, requeue, resume; results identical to an uninterrupted run"

# 2. Killed, resubmitted: only the unfinished work items run again.
OMP_NUM_THREADS=1 "$dermtl" "${submit[@]}" --out "$dir/killed" > "$dir/killed.txt" || fail "submit: $(cat "$dir/killed.txt")"
job=$(job_of "$dir/killed.txt")
first_fold() { compgen -G "$dir/killed/work/results/*/Fold_1.json" > /dev/null; }
wait_for 200 first_fold || fail "fold 1 not stored within 200 s"
wait_for 60 has_checkpoint "$dir/killed" || true
# While its job is queued, the folder takes no second submission, even of the same grid.
if out=$("$dermtl" "${submit[@]}" --out "$dir/killed" --dry-run 2>&1); then fail "a second submission into a busy folder was accepted"; fi
case "$out" in *"of the earlier submission are still queued"*) echo "ok: a busy folder refused" ;; *) fail "busy folder: $out" ;; esac
# A crash: the task's dermtl process dies by SIGKILL (no handler runs); the task fails.
pkill -KILL -f "grid .*--out $dir/killed" || fail "no dermtl process of job $job to kill"
wait_for 120 gone "$job" || fail "killed job $job still queued"
grep -q "requeueing" "$dir"/killed/slurm/*.out && fail "a killed task requeued itself"
fold1=$(echo "$dir"/killed/work/results/*/Fold_1.json)
before=$(stat -c %Y.%N "$fold1")
compgen -G "$dir/killed/work/results/*/Fold_2.json" > /dev/null && fail "fold 2 finished before the kill; the test needs a longer run"
OMP_NUM_THREADS=1 "$dermtl" "${submit[@]}" --out "$dir/killed" > "$dir/killed2.txt" || fail "resubmit: $(cat "$dir/killed2.txt")"
job=$(job_of "$dir/killed2.txt")
wait_for 300 gone "$job" || fail "resubmitted job $job not done after 300 s"
[ "$(stat -c %Y.%N "$fold1")" = "$before" ] || fail "the finished fold 1 was recomputed"
same_results "$dir/killed" || fail "the rerun's results differ from the uninterrupted run's"
"$dermtl" slurm status --out "$dir/killed" | grep -q "2 work items: 2 done;" || fail "status after the rerun"
echo "ok: a killed task's unfinished work item reran, the finished one was kept; results identical"
