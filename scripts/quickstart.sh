#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/quickstart.sh demo   install what is missing, build, run the main job (`dermtl demo`)
#   bash scripts/quickstart.sh test   install what is missing, build, run the whole test suite, then
#                                     fuzz every reader (scripts/fuzz.sh) and run a fast subset of
#                                     the tests under ASan + UBSan (scripts/sanitize.sh)
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
# Each stage prints its wall time, so the CI budget (60 minutes on 2 cores) stays visible.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}
shift || true
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

stage() {  # stage NAME COMMAND...: runs COMMAND, then prints how long it took
  local name=$1 start=$SECONDS
  shift
  echo "== stage $name"
  "$@"
  echo "== stage $name: $((SECONDS - start)) s"
}

bash scripts/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release

case "$what" in
  demo)
    cmake --build "$build" -j "$jobs" --target dermtl_cli
    exec "$build/apps/dermtl" demo "$@" ;;
  test)
    cmake --build "$build" -j "$jobs"
    ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
    # Hostile input: each reader's libFuzzer target for a bounded time over its seed corpus
    # (clang, ASan + UBSan; crashes fail the stage except in FUZZ_REPORT_ONLY targets), then a
    # fast subset of the tests built with ASan + UBSan.
    stage fuzz env FUZZ_BUILD_DIR="$build-fuzz" JOBS="$jobs" bash scripts/fuzz.sh
    stage sanitizers env SANITIZE_BUILD_DIR="$build-asan" JOBS="$jobs" bash scripts/sanitize.sh ;;
  *) echo "usage: $0 demo|test [args...]" >&2; exit 2 ;;
esac
