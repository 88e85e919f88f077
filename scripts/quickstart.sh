#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/quickstart.sh demo   install what is missing, build, run the main job (`dermtl demo`)
#   bash scripts/quickstart.sh test   install what is missing, build, run the whole test suite, then
#                                     a fast subset built for the baseline ISA (x86-64-v2), a subset
#                                     built with Meson, the fuzz targets for a bounded time, and an
#                                     ASan+UBSan test subset
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
# Each stage prints its wall time, so the CI budget (45 minutes on 2 cores) stays visible.
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

stage setup bash scripts/setup.sh
stage configure cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release

case "$what" in
  demo)
    stage build cmake --build "$build" -j "$jobs" --target dermtl_cli
    exec "$build/apps/dermtl" demo "$@" ;;
  test)
    stage build cmake --build "$build" -j "$jobs"
    stage test ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
    # The same tests must pass on any x86-64 machine, not only one whose -march=native finds
    # AVX-512: a fast subset built for x86-64-v2 (SSE4.2, no AVX, no FMA).
    baseline="$build-x86-64-v2"
    # oneDNN chooses its kernels at run time: capped at SSE4.1 to match. Header-only
    # (DERMTL_SEPARATE_COMPILATION=OFF): the project's own tests also cover the header-only
    # contract, and a subset compiles only the code it uses.
    stage baseline-configure cmake -S . -B "$baseline" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDERMTL_NATIVE=OFF \
      -DCMAKE_CXX_FLAGS=-march=x86-64-v2 -DDERMTL_WITH_CUDA=OFF -DDERMTL_BUILD_BENCHMARKS=OFF \
      -DDERMTL_ONEDNN_MAX_CPU_ISA=SSE41 -DDERMTL_SEPARATE_COMPILATION=OFF
    baseline_tests=(test_core test_metrics test_report test_svm test_backend test_backend_onednn)
    stage baseline-build cmake --build "$baseline" -j "$jobs" --target "${baseline_tests[@]}"
    stage baseline-test ctest --test-dir "$baseline" --output-on-failure -j "$jobs" \
      -R "^($(IFS='|'; echo "${baseline_tests[*]}"))\$"
    # The Meson twin builds it too (separately compiled, as the CMake build): the compiled
    # components, then test_core, test_nn, the protocol component's test_svm and tests/protocol's
    # test_stored_files (results and caches read back), built and run.
    meson_build="$build-meson"
    meson_setup=(meson setup "$meson_build" -Dcuda=disabled)
    if [ -d "$meson_build/meson-private" ]; then meson_setup+=(--reconfigure); fi
    stage meson-configure "${meson_setup[@]}"
    stage meson-build meson compile -C "$meson_build" -j "$jobs" test_core test_nn test_svm test_stored_files
    stage meson-test meson test -C "$meson_build" --no-rebuild --print-errorlogs core nn svm stored_files
    # Hostile input: each reader's libFuzzer target, 30 s over its seed corpus after replaying its
    # known (fixed) findings (clang, ASan + UBSan; any crash, new or known, fails the stage), then
    # a fast subset of the tests built with ASan + UBSan.
    stage fuzz env FUZZ_BUILD_DIR="$build-fuzz" JOBS="$jobs" bash scripts/fuzz.sh
    stage sanitizers env SANITIZE_BUILD_DIR="$build-asan" JOBS="$jobs" bash scripts/sanitize.sh ;;
  *) echo "usage: $0 demo|test [args...]" >&2; exit 2 ;;
esac
