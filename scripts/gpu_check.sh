#!/usr/bin/env bash
# The one command for a GPU machine (H100/H200, CUDA 13, cuDNN 9, PyTorch with CUDA):
#   bash scripts/gpu_check.sh            build the CUDA tests and benchmark, run the [gpu] tests,
#                                        then bench_cuda (dermtl vs PyTorch + cuDNN, same run)
#   bash scripts/gpu_check.sh tests      only the tests
#   bash scripts/gpu_check.sh bench ARGS only the benchmark (ARGS: iterations, --tf32, --deterministic)
#   bash scripts/gpu_check.sh demo       `dermtl demo --backend cuda` in float32 and in TF32, and the
#                                        AUC of every cell side by side (TF32's impact)
# Output is also written to $BUILD_DIR/gpu_check.log. Environment: BUILD_DIR (default build-gpu),
# JOBS (default: number of cores), DERMTL_PYTHON (python with torch+CUDA, default python3),
# CUDA_ARCH (default 90).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
shift || true
build=${BUILD_DIR:-build-gpu}
jobs=${JOBS:-$(nproc)}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDERMTL_WITH_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" -DDERMTL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target test_backend_cuda cuda_device_probe bench_cuda dermtl_cli
demo_precision() {
  "$build/apps/dermtl" demo --backend cuda --out "$build/demo-float32"
  "$build/apps/dermtl" demo --backend cuda --precision tf32 --out "$build/demo-tf32"
  /usr/bin/python3 scripts/compare_reports.py "$build/demo-float32/report/report.json" \
    "$build/demo-tf32/report/report.json" --names float32 tf32
}
exec > >(tee "$build/gpu_check.log") 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
case "$what" in
  all)
    status=0
    ctest --test-dir "$build" -L gpu -V || status=$?
    "$build/benchmarks/bench_cuda" "$@" || status=$?
    demo_precision || status=$?
    exit $status ;;
  demo) demo_precision ;;
  tests) ctest --test-dir "$build" -L gpu -V ;;
  bench) "$build/benchmarks/bench_cuda" "$@" ;;
  *) echo "usage: $0 [all|tests|bench|demo] [bench args...]" >&2; exit 2 ;;
esac
