#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/quickstart.sh demo   install what is missing, build, run the main job (`dermtl demo`)
#   bash scripts/quickstart.sh test   install what is missing, build, run the whole test suite
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}
shift || true
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

bash scripts/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release

case "$what" in
  demo)
    cmake --build "$build" -j "$jobs" --target dermtl_cli
    exec "$build/apps/dermtl" demo "$@" ;;
  test)
    cmake --build "$build" -j "$jobs"
    ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@" ;;
  *) echo "usage: $0 demo|test [args...]" >&2; exit 2 ;;
esac
