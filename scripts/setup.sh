#!/usr/bin/env bash
# Installs every Debian package dermtl needs (build, tests, oracles), only those missing.
# Idempotent: a second run installs nothing. apt only; needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain and build systems
  build-essential cmake ninja-build meson pkg-config git
  # the C++ stack (header-only framework dependencies)
  libeigen3-dev xtensor-dev xtl-dev libxsimd-dev libboost-dev libopencv-dev
  catch2 liblinear-dev libmatio-dev libyaml-cpp-dev nlohmann-json3-dev
  # libsvm: the reference code's classifier (sklearn SVC = libsvm), svm/libsvm_svc.hpp
  libsvm-dev
  libjpeg62-turbo-dev libpng-dev zlib1g-dev
  libcli11-dev libfmt-dev
  # the oneDNN backend (backend/onednn/, component dermtl::onednn): oneDNN 2.6, as PyTorch uses
  libdnnl-dev
  # Debian's oneDNN is built with the OpenCL GPU runtime, so its CMake config finds OpenCL; with
  # --no-install-recommends nothing pulls these in on a fresh machine
  ocl-icd-opencl-dev opencl-c-headers
  # fuzzing (tests/fuzz, scripts/fuzz.sh): clang with libFuzzer, its OpenMP and llvm-symbolizer;
  # clang 18+ because dermtl's layers take float template parameters (Debian 12's clang is 14)
  clang-19 libclang-rt-19-dev libomp-19-dev llvm-19
  # the Slurm tests (tests/slurm, label slurm): a private single-host cluster started by the
  # tests themselves (munged, slurmctld, slurmd; no systemd, nothing enabled system-wide)
  slurm-wlm munge
  # test oracles (run through /usr/bin/python3) and a fast BLAS for numpy
  python3 python3-numpy python3-torch python3-sklearn python3-scipy python3-yaml libopenblas0-pthread
  # R's pROC: the oracle for DeLong's AUC variance and paired test (tests/metrics, metrics/delong.hpp)
  r-base-core r-cran-proc
  # ONNX export (apps/programs/onnx_export.cpp, ONNX's generated protobuf classes) and its checker
  # (tests/oracles/onnx_check.py); ONNX Runtime for the tests comes from npm, below
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ONNX Runtime for the ONNX export tests (tests/oracles/onnxruntime_compare.js): npm's
# onnxruntime-node (pinned: 1.31.1, checked with Node 20), which ships its Linux x64 library in the
# package (about 290 MB), installed once into a fixed folder outside the clone and reused.
# --ignore-scripts: its install script downloads CUDA libraries from elsewhere, and the CPU runtime
# works without it. Debian's nodejs and npm are
# installed only when neither node nor npm is there (they conflict with other Node installs).
ort_dir=${DERMTL_ONNXRUNTIME_NODE:-/opt/dermtl/onnxruntime-node}
if [ -d "$ort_dir/node_modules/onnxruntime-node" ]; then
  echo "setup: onnxruntime-node present in $ort_dir"
else
  if ! command -v node > /dev/null && ! command -v npm > /dev/null; then
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  echo "setup: installing onnxruntime-node into $ort_dir"
  "${sudo_cmd[@]}" mkdir -p "$ort_dir"
  (cd "$ort_dir" && "${sudo_cmd[@]}" npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.31.1)
fi
