#!/usr/bin/env bash
# On a GPU machine (H100/H200, NVIDIA driver >= 580 for CUDA 13, cuDNN 9 and cuBLAS 13 from
# pip wheels or the toolkit, PyTorch with CUDA). Two ways (docs/cuda.md):
#
#   bash scripts/gpu_check.sh prebuilt [DIR]   runs what scripts/gpu_build.sh built elsewhere
#       (DIR, default build-gpu/carry) and builds nothing -- the device tool's way. Writes under
#       $OUT (default ./gpu-check-out) four files: summary.txt (driver, versions, each step's
#       verdict and time), tests.log, bench.log, choices.log (the cuDNN algorithm, math type and
#       workspace each convolution direction settled on, from DERMTL_CUDA_LOG_CHOICES=1).
#       Steps: nvidia-smi's driver first (stops below 580); cuDNN/cuBLAS found in python's
#       site-packages and put on LD_LIBRARY_PATH; versions (cudnnGetVersion()); the device probe;
#       each test tag in its own process under `timeout 120` (a sticky fault cannot cascade);
#       bench_cuda in float32, deterministic, TF32 and bf16 against the device's CUDA PyTorch
#       (bf16: torch.autocast).
#       Environment: DERMTL_PYTHON (default python3), STEP_TIMEOUT (default 120), ITERATIONS (10).
#
#   bash scripts/gpu_check.sh [all|tests|bench ARGS|demo]   builds here first (needs the Debian
#       -dev packages of scripts/setup.sh; not the device tool's image):
#         all      the CUDA tests and benchmark, the [gpu] tests, bench_cuda, then the demo
#         tests    only the tests;  bench ARGS  only the benchmark (iterations, --tf32, --bf16, --deterministic)
#         demo     `dermtl demo --backend cuda` in float32, TF32 and bf16, every cell's AUC side by side
#       Output also in $BUILD_DIR/gpu_check.log. Environment: BUILD_DIR (default build-gpu), JOBS
#       (default: number of cores), DERMTL_PYTHON (python with torch+CUDA, default python3),
#       CUDA_ARCH (default 90).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
shift || true

if [ "$what" = prebuilt ]; then
  set +e
  dir=${1:-build-gpu/carry}
  out=${OUT:-$PWD/gpu-check-out}
  mkdir -p "$out"
  summary=$out/summary.txt tests=$out/tests.log bench=$out/bench.log choices=$out/choices.log
  : >"$summary"; : >"$tests"; : >"$bench"; : >"$choices"
  py=${DERMTL_PYTHON:-python3}
  step_timeout=${STEP_TIMEOUT:-120}
  iterations=${ITERATIONS:-10}
  failures=0
  say() { echo "$*" | tee -a "$summary"; }
  # step NAME LOG COMMAND...: runs under `timeout`, appends its output to LOG and the choice lines
  # (dermtl cuda: ...) to choices.log, and records its verdict and time in summary.txt.
  step() {
    local name=$1 log=$2
    shift 2
    local start=$SECONDS
    echo "===== $name: $*" >>"$log"
    timeout -k 10 "$step_timeout" "$@" >"$out/.step" 2>&1
    local rc=$?
    cat "$out/.step" >>"$log"
    grep '^dermtl cuda: ' "$out/.step" | sed "s|^|[$name] |" >>"$choices"
    local verdict=PASS
    [ "$rc" = 0 ] || { verdict="FAIL (exit $rc$([ "$rc" = 124 ] && echo ", timed out after ${step_timeout} s"))"; failures=$((failures + 1)); }
    say "$(printf '%-44s %-40s %4d s' "$name" "$verdict" $((SECONDS - start)))"
    rm -f "$out/.step"
    return "$rc"
  }
  [ -x "$dir/test_backend_cuda" ] && [ -x "$dir/cuda_device_probe" ] && [ -x "$dir/bench_cuda" ] ||
    { say "FAIL: $dir lacks test_backend_cuda, cuda_device_probe or bench_cuda: run scripts/gpu_build.sh and carry its folder"; exit 1; }

  # 1. The driver, before anything loads CUDA: CUDA 13 needs release 580 or newer.
  smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1)
  say "nvidia-smi: $smi"
  driver=$(echo "$smi" | head -1 | awk -F', ' '{print $2}')
  major=${driver%%.*}
  if ! [[ "$major" =~ ^[0-9]+$ ]]; then
    say "FAIL: nvidia-smi gave no driver version (found: '$smi'); this needs an NVIDIA GPU with driver >= 580"; exit 1
  fi
  if [ "$major" -lt 580 ]; then
    say "FAIL: NVIDIA driver $driver is older than 580, which CUDA 13 (this build's runtime) needs; update the driver"; exit 1
  fi

  # 2. cuDNN and cuBLAS from the device's pip wheels (nvidia-cudnn-cu13, nvidia-cublas), else the toolkit.
  site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null)
  libdirs=""
  for lib in libcudnn.so.9 libcublas.so.13 libcublasLt.so.13; do
    found=$(find -H "$site/nvidia" "$site/torch/lib" /usr/local/cuda/lib64 -name "$lib" 2>/dev/null | head -1)
    if [ -z "$found" ]; then say "FAIL: $lib not found under $site/nvidia, $site/torch/lib or /usr/local/cuda/lib64"; exit 1; fi
    d=$(dirname "$found")
    case ":$libdirs:" in *":$d:"*) ;; *) libdirs=${libdirs:+$libdirs:}$d ;; esac
  done
  export LD_LIBRARY_PATH=$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # The host libraries carried beside the binaries, only where the image lacks them (or is older).
  if ldd "$dir/test_backend_cuda" | grep -q "not found"; then
    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$PWD/$dir/lib
    ldd "$dir/test_backend_cuda" | grep -q "not found" && LD_LIBRARY_PATH=$PWD/$dir/lib:$LD_LIBRARY_PATH
  fi
  say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  say "ldd test_backend_cuda: $(ldd "$dir/test_backend_cuda" | awk '{print $1, $3}' | tr '\n' ' ')"
  say "glibc: $(ldd --version 2>&1 | head -1); python: $("$py" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available())' 2>&1 | tail -1); wheels: $("$py" -m pip list 2>/dev/null | grep -iE '^nvidia-(cudnn|cublas)' | tr -s ' ' | tr '\n' ' ')"
  export DERMTL_CUDA_LOG_CHOICES=1 DERMTL_PYTHON=$py OMP_NUM_THREADS=4

  # 3. Versions (cudnnGetVersion(): the cuDNN loaded; the build used cuDNN 9.19's headers) and the probe.
  step "versions (bench_cuda --versions)" "$bench" "$dir/bench_cuda" --versions
  grep '^versions:' "$bench" | tail -1 >>"$summary"
  if ! step "cuda_device_probe" "$tests" "$dir/cuda_device_probe"; then
    tail -3 "$tests" | tee -a "$summary"; say "stopping: the device probe failed"; exit 1
  fi
  tail -1 "$tests" >>"$summary"

  # 4. The tests, one tag a process (the last one: every [gpu] case without those tags).
  tags=(conv2d dense max_pool lrn pointwise dropout sgd network determinism precision bf16 algorithm bad_input)
  rest="[gpu]"
  for t in "${tags[@]}"; do
    step "test [gpu][$t]" "$tests" "$dir/test_backend_cuda" "[gpu][$t]" --durations yes
    rest="$rest~[$t]"
  done
  step "test $rest" "$tests" "$dir/test_backend_cuda" "$rest" --durations yes
  CUDA_VISIBLE_DEVICES=-1 step "test [no_device] (GPUs hidden)" "$tests" "$dir/test_backend_cuda" "[no_device]"
  DERMTL_CUDA_SYNC_CHECK=1 step "test [gpu][conv2d] with DERMTL_CUDA_SYNC_CHECK=1" "$tests" \
    "$dir/test_backend_cuda" "[gpu][conv2d]"

  # 5. The benchmark against PyTorch (torch_cuda_throughput.py beside the binary): float32, deterministic,
  #    TF32 and bf16.
  step "bench float32, batch 32 (+ projections)" "$bench" "$dir/bench_cuda" "$iterations" --batches 32
  step "bench float32, batch 64" "$bench" "$dir/bench_cuda" "$iterations" --batches 64
  step "bench deterministic, batch 32" "$bench" "$dir/bench_cuda" "$iterations" --batches 32 --deterministic
  step "bench tf32, batch 32" "$bench" "$dir/bench_cuda" "$iterations" --batches 32 --tf32
  step "bench bf16, batch 32" "$bench" "$dir/bench_cuda" "$iterations" --batches 32 --bf16
  say "choices logged: $(wc -l <"$choices") lines in choices.log"
  say "failed steps: $failures"
  [ "$failures" = 0 ]
  exit $?
fi

build=${BUILD_DIR:-build-gpu}
jobs=${JOBS:-$(nproc)}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDERMTL_WITH_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" -DDERMTL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target test_backend_cuda cuda_device_probe bench_cuda dermtl_cli
demo_precision() {
  "$build/apps/dermtl" demo --backend cuda --out "$build/demo-float32"
  "$build/apps/dermtl" demo --backend cuda --precision tf32 --out "$build/demo-tf32"
  "$build/apps/dermtl" demo --backend cuda --precision bf16 --out "$build/demo-bf16"
  /usr/bin/python3 scripts/compare_reports.py "$build/demo-float32/report/report.json" \
    "$build/demo-tf32/report/report.json" --names float32 tf32
  /usr/bin/python3 scripts/compare_reports.py "$build/demo-float32/report/report.json" \
    "$build/demo-bf16/report/report.json" --names float32 bf16
}
exec > >(tee "$build/gpu_check.log") 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
case "$what" in
  all)
    status=0
    ctest --test-dir "$build" -L gpu -V --timeout 600 || status=$?
    "$build/benchmarks/bench_cuda" "$@" || status=$?
    demo_precision || status=$?
    exit $status ;;
  demo) demo_precision ;;
  tests) ctest --test-dir "$build" -L gpu -V ;;
  bench) "$build/benchmarks/bench_cuda" "$@" ;;
  *) echo "usage: $0 prebuilt [DIR] | [all|tests|bench|demo] [bench args...]" >&2; exit 2 ;;
esac
