#!/usr/bin/env bash
# Faults survived (issue 25, item 5): kill -9 anywhere. A small grid -- one scaled VGG-M cell
# trained from scratch, one epoch, 2 folds of 60 synthetic lesions -- is killed with SIGKILL at 10
# seeded moments and resumed each time. The moments alternate between
#  - timed: a delay drawn between 2 % and 98 % of the uninterrupted run's wall time;
#  - inside a write: DERMTL_TEST_KILL_AT_WRITE=N (a test-only hook, io/atomic_file.hpp) kills the
#    process at its N-th atomic write (a fold result, a checkpoint, the content-hash cache, the
#    report), N drawn among the uninterrupted run's writes (the first at a checkpoint save, the
#    second at a fold result), after the temporary is written and before it is renamed. Timed
#    kills rarely land inside a write; this one always does, on a fresh folder, so N numbers the
#    uninterrupted run's writes.
# Also, a synthetic generation (dermtl synth) killed before its completion stamp is done again by
# the next run, not refused. Checked: a kill inside a write leaves its temporary behind, and the next run removes it, saying
# so; no run refuses to resume; every run that completes stores exactly the uninterrupted run's
# results (tests/support/same_run_results.py: fold results bit for bit but their wall time, the
# report's tables byte for byte) and leaves no temporary anywhere. A moment that comes after the
# run has completed kills nothing: that run is checked, the folder starts afresh and the moment is
# drawn again. Seeded: DERMTL_CHAOS_SEED (default 25) draws the moments; a failure names it.
# Usage: chaos_kill_test.sh DERMTL_BINARY
set -u
dermtl=$1
here=$(cd "$(dirname "$0")" && pwd)
seed=${DERMTL_CHAOS_SEED:-25}
RANDOM=$seed
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL (DERMTL_CHAOS_SEED=$seed): $*"; exit 1; }
temporaries() { find "$1" -name '*.tmp.*' 2>/dev/null; }

# The one cell these runs need; a subset build (-DDERMTL_CELLS) without it skips.
"$dermtl" grid --network vgg_m_scaled --list 2> /dev/null | grep -q '^vgg_m_64_8/[^/]*/none/finetune/malignant_vs_benign$' ||
  { echo "SKIP: this build lacks the cell vgg_m_64_8/*/none/finetune/malignant_vs_benign (-DDERMTL_CELLS)"; exit 77; }
"$dermtl" synth lesions --out "$work/lesions" --count 60 --size 64 > /dev/null || fail "dermtl synth lesions"
# A synthetic generation killed before it is complete (at its second atomic write, the completion
# stamp, every image written) is done again by the next run, not refused, and gives the same data.
rc=0
DERMTL_TEST_KILL_AT_WRITE=2 "$dermtl" synth lesions --out "$work/lesions-killed" --count 60 --size 64 > /dev/null \
  2> "$work/synth-killed.log" || rc=$?
[ "$rc" -eq 137 ] || { tail "$work/synth-killed.log"; fail "synth was not killed at its second atomic write (exit $rc)"; }
"$dermtl" synth lesions --out "$work/lesions-killed" --count 60 --size 64 > /dev/null 2> "$work/synth-again.log" ||
  { tail "$work/synth-again.log"; fail "a synthetic generation killed part way is not resumed"; }
diff -r "$work/lesions" "$work/lesions-killed" > /dev/null ||
  fail "a synthetic generation killed and resumed differs from an uninterrupted one: $(diff -rq "$work/lesions" "$work/lesions-killed")"
echo "ok: a synthetic generation killed before its completion stamp is resumed, identical"

grid=(grid --network vgg_m_scaled --atlas "$work/lesions/release_v0/meta/meta.csv"
      --cells 'vgg_m_64_8/*/none/finetune/malignant_vs_benign' --epochs 1 --folds 2 --no-progress)

# The uninterrupted run, its atomic writes numbered by the hook armed out of reach (it kills nothing).
t0=$(date +%s%N)
DERMTL_TEST_KILL_AT_WRITE=1000000 "$dermtl" "${grid[@]}" --out "$work/whole" > /dev/null 2> "$work/whole.log" ||
  { tail "$work/whole.log"; fail "the uninterrupted run"; }
ms=$((($(date +%s%N) - t0) / 1000000))
writes=$(grep -c "): atomic write [0-9]*: " "$work/whole.log")
[ "$writes" -ge 4 ] || { cat "$work/whole.log"; fail "expected the hook to number at least 4 atomic writes, found $writes"; }
[ -z "$(temporaries "$work/whole")" ] || fail "the uninterrupted run left temporaries: $(temporaries "$work/whole")"
echo "uninterrupted run: $ms ms, $writes atomic writes (seed $seed)"
# The first two kills inside a write land on a checkpoint save and on a fold result, the others anywhere.
numbered() { sed -n "s|^dermtl test hook (.*): atomic write \([0-9]*\): .* -> '.*$1'$|\1|p" "$work/whole.log"; }
mapfile -t checkpoint_writes < <(numbered '\.ckpt')
mapfile -t result_writes < <(numbered '/work/results/.*/Fold_[0-9]*\.json')
[ ${#checkpoint_writes[@]} -ge 1 ] && [ ${#result_writes[@]} -ge 1 ] ||
  fail "expected checkpoint saves and fold results among the atomic writes: $(grep -c . "$work/whole.log") lines"

victim=$work/victim
left=()  # temporaries that kills inside a write left behind, until a run removes them
kills=0 runs=0 completed=0 removed=0
completes() {  # the run into $victim completed: the uninterrupted run's results, and nothing left over
  [ ${#left[@]} -eq 0 ] || fail "run $runs completed but these temporaries were not removed: ${left[*]}"
  [ -z "$(temporaries "$victim")" ] || fail "run $runs completed and left temporaries: $(temporaries "$victim")"
  /usr/bin/python3 "$here/../support/same_run_results.py" "$work/whole" "$victim" > "$work/same.txt" ||
    { cat "$work/same.txt"; fail "after $kills kill(s), run $runs stored other results than the uninterrupted run"; }
  completed=$((completed + 1))
  rm -rf "$victim"
}
settle_left() {  # the temporaries earlier kills left: removed by the run of log $1 (saying so) unless killed before it looked
  local still=() t
  for t in "${left[@]+"${left[@]}"}"; do
    if grep -qF "removed '$t', the temporary of a write interrupted" "$1"; then
      [ ! -e "$t" ] || fail "run $runs said it removed '$t', which is still there"
      removed=$((removed + 1))
    else
      [ -e "$t" ] || fail "'$t' disappeared without a run saying it removed it"
      still+=("$t")
    fi
  done
  left=("${still[@]+"${still[@]}"}")
}
while [ "$kills" -lt 10 ]; do
  runs=$((runs + 1))
  [ "$runs" -le 40 ] || fail "40 runs made only $kills kills"
  log=$work/run$runs.log
  rc=0
  if [ $((kills % 2)) -eq 0 ]; then  # inside the N-th write of a fresh run (numbered as the uninterrupted run's)
    if [ -d "$victim" ]; then  # the last kill's folder, resumed to the end first
      "$dermtl" "${grid[@]}" --out "$victim" > /dev/null 2> "$log" || { tail "$log"; fail "run $runs, a resume"; }
      settle_left "$log"
      echo "run $runs: resumed to the end; checked, starting afresh"
      completes
      runs=$((runs + 1))
      log=$work/run$runs.log
    fi
    case $kills in
      0) n=${checkpoint_writes[RANDOM % ${#checkpoint_writes[@]}]} ;;
      2) n=${result_writes[RANDOM % ${#result_writes[@]}]} ;;
      *) n=$((1 + RANDOM % writes)) ;;
    esac
    DERMTL_TEST_KILL_AT_WRITE=$n "$dermtl" "${grid[@]}" --out "$victim" > /dev/null 2> "$log" || rc=$?
    how="at its atomic write $n"
  else  # after a delay
    delay=$((ms * (2 + RANDOM % 97) / 100))
    "$dermtl" "${grid[@]}" --out "$victim" > /dev/null 2> "$log" &
    pid=$!
    sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
    kill -9 "$pid" 2> /dev/null
    wait "$pid" || rc=$?
    pid=
    how="after $delay ms"
  fi
  settle_left "$log"
  if [ "$rc" -eq 0 ]; then
    echo "run $runs: completed before the kill ($how); checked, starting afresh"
    completes
    continue
  fi
  [ "$rc" -eq 137 ] || { tail "$log"; fail "run $runs (to be killed $how) exited $rc, expected a kill (137) or success"; }
  kills=$((kills + 1))
  if [[ $how == at* ]]; then
    tmp=$(sed -n "s/^dermtl test hook: SIGKILL at atomic write $n, before renaming '\(.*\)'$/\1/p" "$log")
    [ -n "$tmp" ] || { tail "$log"; fail "run $runs was killed but the hook did not say at which temporary"; }
    [ -f "$tmp" ] || fail "the kill inside the write of '$tmp' left no temporary behind"
    left+=("$tmp")
    echo "kill $kills: run $runs killed $how, '${tmp#"$victim/"}' left behind"
  else
    echo "kill $kills: run $runs killed $how"
  fi
done
# The last resume, uninterrupted.
runs=$((runs + 1))
log=$work/run$runs.log
"$dermtl" "${grid[@]}" --out "$victim" > /dev/null 2> "$log" || { tail "$log"; fail "the final resume (run $runs)"; }
settle_left "$log"
completes
[ "$removed" -ge 1 ] || fail "no run removed a temporary left by a kill inside a write"
echo "ok: $kills kills (5 inside a write, 5 timed) in $runs runs; $removed temporaries removed by the next run;" \
  "$completed completed run(s), each with the uninterrupted run's results bit for bit and no temporary left"
