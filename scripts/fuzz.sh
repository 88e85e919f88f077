#!/usr/bin/env bash
# Fuzzing in CI: builds the libFuzzer targets of tests/fuzz/ with clang (+ ASan + UBSan) and runs
# each for a bounded time over a copy of its checked-in seed corpus (tests/fuzz/corpus/<target>/).
#   bash scripts/fuzz.sh [target...]      targets: csv folds mat image checkpoint results safetensors (default all)
# Per target it prints the executions done and every crash found (replayed once for its message and
# the top of its stack); crash inputs are kept under $FUZZ_BUILD_DIR/runs/<target>/artifacts/.
# Before fuzzing it replays the known findings (tests/fuzz/findings/<target>/, all fixed: regression
# inputs now) and reports any that crashes again. Exit status: 1 when a target not listed in
# FUZZ_REPORT_ONLY crashed, on a known finding or on a new input (crash, sanitizer report,
# non-dermtl exception, leak or out-of-memory); timeouts are reported only.
# Environment:
#   FUZZ_SECONDS      fuzzing time per target (default 30)
#   FUZZ_REPORT_ONLY  targets whose crashes are reported without failing the run (for a reader
#                     under repair). Default empty: every target can fail the run (the findings of
#                     tests/fuzz/findings/README.md are all fixed).
#   FUZZ_BUILD_DIR    build folder (default build-fuzz); FUZZ_CXX clang++ to use (default: newest found)
#   JOBS              build parallelism (default: number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
report_only=" ${FUZZ_REPORT_ONLY-} "
all_targets=(csv folds mat image checkpoint results safetensors)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t'; expected one of: ${all_targets[*]}" >&2; exit 2; }
done

# clang 18 or newer: dermtl's layers take float template parameters (nn/layers/lrn.hpp).
cxx=${FUZZ_CXX:-}
if [ -z "$cxx" ]; then
  for c in clang++-22 clang++-19 clang++-18 clang++; do
    if command -v "$c" >/dev/null; then cxx=$c; break; fi
  done
fi
[ -n "$cxx" ] || { echo "fuzz.sh: no clang++ found (Debian 12: apt-get install clang-19 libclang-rt-19-dev libomp-19-dev)" >&2; exit 2; }
llvm_bin=$(dirname "$(readlink -f "$(command -v "$cxx")")")
if [ -x "$llvm_bin/llvm-symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$llvm_bin/llvm-symbolizer"; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

t0=$SECONDS
cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"
echo "fuzz.sh: built ${targets[*]} with $cxx in $((SECONDS - t0)) s"

# One line per finding: what went wrong (the first report line) and the first frame in dermtl's
# headers (else in the target, else the first frame), from a replay's log.
describe() {
  local log=$1 what where
  # Numbers that vary between inputs of one bug (sizes, addresses, YAML positions) are blanked.
  what=$(grep -m1 -E "fuzz finding:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$log" |
         sed -E 's/^==[0-9]+== ?//; s/ on address 0x[0-9a-f]+.*//; s/^fuzz finding: //; s/ \(pc 0x.*//' |
         sed -E 's/0x[0-9a-f]{5,}/0x.../g; s/-?[0-9]{5,}/N/g; s/line [0-9]+, column [0-9]+/line L, column C/g' |
         cut -c1-220 || true)
  if [[ "$what" == fuzz_* ]]; then echo "$what"; return; fi  # the target's own message names the step
  for pattern in "/include/dermtl/" "/tests/fuzz/" " in "; do
    where=$(grep -m1 -E "^ +#[0-9]+ .*${pattern}" "$log" | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ (in )?//' |
            sed -E 's/\(.*\) (\/[^ ]+:[0-9]+)/ \1/' | cut -c1-220 || true)
    [ -z "$where" ] || break
  done
  echo "${what:-(no message)} | at ${where:-?}"
}

# One scratch folder for every target process (tests/fuzz/fuzz_support.hpp), on tmpfs where there
# is one, removed at the end: crashing processes leave their inputs' files behind.
scratch=$(mktemp -d -p /dev/shm dermtl-fuzz.XXXXXX 2>/dev/null || mktemp -d -t dermtl-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export DERMTL_FUZZ_SCRATCH=$scratch

# fuzz_target T: replays T's known findings, fuzzes it for $seconds, and replays what it found;
# prints its report, and leaves $run/summary.line and, on a crash, $run/failed.
fuzz_target() {
  local t=$1 bin run known again execs cov crashes timeouts line
  bin=$(readlink -f "$build/fuzz_$t")
  run=$build/runs/$t
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp tests/fuzz/corpus/"$t"/* "$run/corpus/"
  echo "=== fuzz_$t: ${seconds} s over $(ls "$run/corpus" | wc -l) seeds"

  # The known findings are fixed: each must replay as a plain rejection, or the target fails.
  known=0 again=0
  if [ -d tests/fuzz/findings/"$t" ]; then
    for f in tests/fuzz/findings/"$t"/*; do
      [ -f "$f" ] && [[ "$f" != *.md ]] || continue
      known=$((known + 1))
      if ! ( timeout 60 "$bin" -rss_limit_mb=2048 -timeout=10 "$f"; exit $? ) >"$run/replay.log" 2>&1; then
        # (subshell: bash's "Aborted" goes to the log)
        again=$((again + 1))
        echo "  known finding $(basename "$f") crashes again: $(describe "$run/replay.log")"
      fi
    done
    [ "$known" -eq 0 ] || echo "  known findings: $again of $known crash again (tests/fuzz/findings/$t/)"
  fi

  # Fork mode with ignore_*: one crash does not end the run, so every target gets its full time.
  # fuzz_$t runs in $run, so its crash inputs (artifacts/) stay in the build folder.
  ( cd "$run" && timeout -k 10 $((seconds + 120)) "$bin" -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
      -ignore_timeouts=1 -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix=artifacts/ corpus >fuzz.log 2>&1 ) || true
  execs=$(grep -oE "^#[0-9]+:" "$run/fuzz.log" | tail -1 | tr -dc 0-9)
  cov=$(grep -oE "cov: [0-9]+" "$run/fuzz.log" | tail -1 | tr -dc 0-9)
  crashes=$(find "$run/artifacts" -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' | wc -l)
  timeouts=$(find "$run/artifacts" -name 'timeout-*' | wc -l)
  line="fuzz_$t: ${execs:-0} executions in ${seconds} s, coverage ${cov:-?}, crashes ${crashes}, timeouts ${timeouts}"
  [ "$again" -eq 0 ] || line+=", known findings crashing again ${again}"
  echo "  $line"
  # Replay up to 8 findings (the stack unwound through uninstrumented libraries too), grouped.
  find "$run/artifacts" -type f | sort | head -8 | while read -r a; do
    ( ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0 timeout 30 "$bin" -rss_limit_mb=2048 -timeout=10 "$a"; exit $? ) \
      >"$run/replay.log" 2>&1 || true
    echo "$(describe "$run/replay.log")"
  done | sort | uniq -c | sed 's/^ */    /'
  [ $((crashes + timeouts)) -le 8 ] || echo "    (8 of $((crashes + timeouts)) replayed; all inputs in $run/artifacts/)"
  if [ $((crashes + again)) -gt 0 ]; then
    if [[ "$report_only" == *" $t "* ]]; then
      line+=" (report-only: FUZZ_REPORT_ONLY)"
    else
      touch "$run/failed"
    fi
  fi
  echo "$line" > "$run/summary.line"
}

# The targets run FUZZ_PARALLEL at a time (default: the job count), each a single libFuzzer
# worker, so that the stage's wall time is about (targets / parallel) x $seconds. Each report is
# printed whole, in the targets' order, when its target is done.
parallel=${FUZZ_PARALLEL:-$jobs}
[ "$parallel" -ge 1 ] 2>/dev/null || parallel=1
pids=()
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  mkdir -p "$build/runs"
  fuzz_target "$t" > "$build/runs/$t.report" 2>&1 &
  pids+=($!)
done
failed=()
summary=()
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  wait "${pids[$i]}" || true
  cat "$build/runs/$t.report"
  summary+=("$(cat "$build/runs/$t/summary.line" 2>/dev/null || echo "fuzz_$t: no summary (the run itself failed; see above)")")
  if [ -f "$build/runs/$t/failed" ] || [ ! -f "$build/runs/$t/summary.line" ]; then failed+=("$t"); fi
done

echo "=== fuzz summary ($((SECONDS - t0)) s in all)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in ${failed[*]}; new inputs are under $build/runs/<target>/artifacts/, known ones under tests/fuzz/findings/<target>/" >&2
  exit 1
fi
