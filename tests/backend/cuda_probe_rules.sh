#!/bin/sh
# The GPU tests' skip rule, on any machine (ctest backend.cuda_probe_rules): cuda_device_probe
# pointed at no driver skips (77); pointed at a stub libcuda of CUDA 12.4 -- by path, and found on
# LD_LIBRARY_PATH as libcuda.so.1 -- it fails (1), naming the driver's and the runtime's versions.
# Usage: cuda_probe_rules.sh PROBE STUB_LIBCUDA
set -u
probe=$1
stub=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$probe" --libcuda /nonexistent/libcuda.so.1 --proc-version /nonexistent/version); rc=$?
echo "no driver -> $rc: $out"
[ "$rc" = 77 ] || fail "no driver: expected exit 77 (skip), got $rc"
echo "$out" | grep -q "skipped: no NVIDIA driver" || fail "no driver: expected 'skipped: no NVIDIA driver'"

out=$(DERMTL_STUB_DRIVER_VERSION=12040 "$probe" --libcuda "$stub" --proc-version /nonexistent/version); rc=$?
echo "stub driver 12.4 by path -> $rc: $out"
[ "$rc" = 1 ] || fail "driver too old: expected exit 1 (fail, not skip), got $rc"
for want in "FAIL:" "supports CUDA 12.4" "cuDriverGetVersion 12040" "CUDA runtime is 13." "update the driver"; do
  echo "$out" | grep -qF "$want" || fail "driver too old: the message lacks '$want'"
done

out=$(LD_LIBRARY_PATH="$(dirname "$stub")" DERMTL_STUB_DRIVER_VERSION=11080 "$probe" --proc-version /nonexistent/version); rc=$?
echo "stub driver 11.8 on LD_LIBRARY_PATH -> $rc: $out"
[ "$rc" = 1 ] || fail "driver too old (LD_LIBRARY_PATH): expected exit 1, got $rc"
echo "$out" | grep -qF "supports CUDA 11.8" || fail "driver too old (LD_LIBRARY_PATH): the message lacks 'supports CUDA 11.8'"

# A new-enough stub is a driver the runtime cannot use: a failure naming cudaGetDeviceCount, not a skip.
out=$(DERMTL_STUB_DRIVER_VERSION=13000 CUDA_VISIBLE_DEVICES=0 "$probe" --libcuda "$stub" --proc-version /nonexistent/version); rc=$?
echo "stub driver 13.0 -> $rc: $out"
[ "$rc" = 1 ] || fail "unusable driver: expected exit 1, got $rc"
echo "$out" | grep -qF "cudaGetDeviceCount failed" || fail "unusable driver: the message lacks 'cudaGetDeviceCount failed'"
echo "ok: no driver skips; a driver too old or unusable fails, naming the versions"
