#!/usr/bin/env bash
# Builds, on a machine WITHOUT a GPU, the CUDA binaries that travel to a GPU machine, and nothing
# else: test_backend_cuda, cuda_device_probe and bench_cuda (each links dermtl::nn and CUDA only;
# the dermtl tool cannot travel: it links OpenCV & co., over 200 MiB). Then it strips them into one
# folder with what they need beside them, and checks that the folder and the working tree fit the
# device tool's 64 MiB. Prints the folder to carry. scripts/gpu_check.sh runs them there (docs/cuda.md).
#
#   bash scripts/gpu_build.sh
#
# Environment: BUILD_DIR (default build-gpu), CUDA_ARCH (default 90: H100/H200; a GPU the build
# has no code for is reported by cuda_device_probe with the CUDA_ARCH to use), JOBS (default 1).
# The build: Release, -DDERMTL_NATIVE=OFF (no -march=native: the device's CPU is another),
# the static CUDA runtime, no RPATH (cuDNN and cuBLAS come from the device's pip wheels through
# LD_LIBRARY_PATH), the header-only library (no compiled components to build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-gpu}
arch=${CUDA_ARCH:-90}
jobs=${JOBS:-1}
limit=$((64 * 1024 * 1024))

mkdir -p "$build"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDERMTL_WITH_CUDA=ON -DDERMTL_NATIVE=OFF \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" -DDERMTL_SEPARATE_COMPILATION=OFF -DDERMTL_WITH_ONEDNN=OFF \
  -DDERMTL_BUILD_TESTS=ON -DDERMTL_BUILD_BENCHMARKS=ON -DDERMTL_BUILD_EXAMPLES=OFF -DDERMTL_CELLS=vgg_m_scaled \
  -DCMAKE_SKIP_BUILD_RPATH=ON "${launcher[@]}" >"$build/configure.log" 2>&1 ||
  { tail -30 "$build/configure.log"; echo "gpu_build: cmake failed (log: $build/configure.log)" >&2; exit 1; }
targets=(test_backend_cuda cuda_device_probe bench_cuda)
ninja -C "$build" -j "$jobs" "${targets[@]}"

# The folder that travels: the stripped binaries, the PyTorch scripts bench_cuda runs (found beside
# the binary), and the few host libraries a bare image may lack (used only where missing).
carry="$build/carry"
rm -rf "$carry"
mkdir -p "$carry/lib"
cp "$build/tests/backend/test_backend_cuda" "$build/tests/backend/cuda_device_probe" "$build/benchmarks/bench_cuda" "$carry/"
strip --strip-unneeded "$carry/test_backend_cuda" "$carry/cuda_device_probe" "$carry/bench_cuda"
cp benchmarks/torch_cuda_throughput.py benchmarks/torch_throughput.py "$carry/"
for lib in libgomp.so.1 libstdc++.so.6 libgcc_s.so.1; do
  path=$(ldd "$carry/test_backend_cuda" | awk -v l="$lib" '$1 == l {print $3}')
  [ -n "$path" ] && cp -L "$path" "$carry/lib/"
done

# Only cuDNN, cuBLAS and the C/C++ runtimes may be needed from outside: never a shared CUDA runtime.
status=0
for bin in "$carry/test_backend_cuda" "$carry/cuda_device_probe" "$carry/bench_cuda"; do
  needed=$(readelf -d "$bin" | awk '/NEEDED/ {gsub(/[\[\]]/, "", $5); print $5}' | tr '\n' ' ')
  echo "$(basename "$bin"): needs $needed"
  if echo "$needed" | grep -q "libcudart"; then
    echo "gpu_build: $(basename "$bin") links the shared CUDA runtime; it must link cudart_static only" >&2
    status=1
  fi
  for n in $needed; do
    case "$n" in
      libcudnn.so.*|libcublas.so.*|libcublasLt.so.*|libgomp.so.*|libstdc++.so.*|libgcc_s.so.*|libm.so.*|libc.so.*|\
      libdl.so.*|librt.so.*|libpthread.so.*|ld-linux*) ;;
      *) echo "gpu_build: $(basename "$bin") needs $n, which the device image may not have" >&2; status=1 ;;
    esac
  done
done
glibc=$(objdump -T "$carry"/test_backend_cuda "$carry"/bench_cuda "$carry"/cuda_device_probe 2>/dev/null |
  grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1)
echo "newest glibc symbol version needed: $glibc (this machine: $(ldd --version | head -1))"

tree=$( (git ls-files -z; git ls-files -o --exclude-standard -z) | du --files0-from=- -cb 2>/dev/null | tail -1 | cut -f1)
size=$(du -sb "$carry" | cut -f1)
total=$((tree + size))
ls -l "$carry" "$carry/lib"
echo "carry: $carry = $size bytes; with the working tree ($tree bytes): $total of $limit bytes"
if [ "$total" -gt "$limit" ]; then
  echo "gpu_build: $total bytes do not fit the device tool's 64 MiB (carry $size + tree $tree)" >&2
  status=1
fi
[ "$status" = 0 ] || exit "$status"
echo "carry list: [\"$carry\"]"
echo "on the GPU machine: bash scripts/gpu_check.sh prebuilt $carry"
