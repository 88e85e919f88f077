#!/usr/bin/env bash
# Issue 25, the binary knows its CPU (apps/cpu_check/): `dermtl --version` says the build's instruction
# set, and a program built for an extension the CPU lacks stops at start-up, before anything of it
# runs, naming the extension and the DERMTL_NATIVE=OFF build. A real CPU without the build's
# extensions is not at hand: the test hook DERMTL_TEST_CPU_LACKS makes the check treat the named ones
# as absent (it can only make the check refuse). Exit 77 (skipped) for a build with nothing beyond x86-64.
# Usage: cpu_check_test.sh DERMTL_BINARY OTHER_PROJECT_EXECUTABLE...
set -u
dermtl=$1
shift
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

version=$("$dermtl" --version 2>&1) || fail "dermtl --version exited $?: $version"
grep -q "^dermtl [0-9]" <<<"$version" || fail "--version does not say the version: $version"
grep -q "^instruction set: " <<<"$version" || fail "--version does not say the instruction set: $version"
echo "$version"
# `slurm submit` builds nothing, and warns when this binary was built with -march=native (before
# anything else: here the selection is refused after the warning).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dermtl" slurm submit --cells 'no_such_cell/*' --synthetic --dry-run --out "$tmp/slurm" > /dev/null 2> "$tmp/slurm.err"
if grep -q "^(-march=native" <<<"$version"; then
  grep -qF "dermtl slurm submit: warning: this dermtl was built with -march=native" "$tmp/slurm.err" ||
    fail "slurm submit does not warn about -march=native: $(cat "$tmp/slurm.err")"
  grep -qF -- "-DDERMTL_NATIVE=OFF" "$tmp/slurm.err" || fail "slurm submit's warning does not name -DDERMTL_NATIVE=OFF"
else
  grep -qF "warning: this dermtl was built with" "$tmp/slurm.err" && fail "slurm submit warns about a build without -march=native"
fi
[ -e "$tmp/slurm" ] && fail "a refused slurm submit still wrote $tmp/slurm"

# The first extension the build enabled beyond x86-64, by the name the refusal uses.
ext=$(sed -n 's/.*checked at start-up: \([^ ]*\).*/\1/p' <<<"$version")
if [ -z "$ext" ]; then
  echo "skipped: this build enabled nothing beyond x86-64 (DERMTL_NATIVE=OFF): the start-up check has nothing to refuse"
  exit 77
fi

# The .preinit_array entry: the check runs before the executable's constructors.
if command -v readelf > /dev/null; then
  readelf -S "$dermtl" | grep -q "\.preinit_array" || fail "$dermtl has no .preinit_array section (the start-up check)"
fi

# refused PROGRAM ARGS...: with $ext "absent", exit 1 with the message and nothing else on stdout.
refused() {
  local out err rc name
  name=$(basename "$1")
  out=$(DERMTL_TEST_CPU_LACKS="$ext" "$@" 2> "$tmp/err")
  rc=$?
  err=$(cat "$tmp/err")
  [ "$rc" -eq 1 ] || fail "$name $*: expected exit 1 from the start-up check, found $rc: $err"
  [ -z "$out" ] || fail "$name: something ran before the check refused: $(head -c 200 <<<"$out")"
  grep -qF "$name: this program was built for instruction-set extensions this CPU lacks: $ext" <<<"$err" ||
    fail "$name: the refusal does not name '$ext': $err"
  grep -qF -- "-DDERMTL_NATIVE=OFF" <<<"$err" || fail "$name: the refusal does not name the DERMTL_NATIVE=OFF build: $err"
  grep -qF "docs/cluster.md" <<<"$err" || fail "$name: the refusal does not point to docs/cluster.md: $err"
  echo "ok: $name refused at start-up ($ext)"
}
refused "$dermtl" --help
refused "$dermtl" synth lesions --count 4 --out "$tmp/synth"
[ -e "$tmp/synth" ] && fail "a refused dermtl still wrote $tmp/synth"
for program in "$@"; do refused "$program"; done
# A name the build does not hold, or a prefix of one, refuses nothing.
DERMTL_TEST_CPU_LACKS="${ext}x,no_such_extension" "$dermtl" --version > /dev/null 2>&1 ||
  fail "DERMTL_TEST_CPU_LACKS naming no extension of the build made dermtl refuse"
[ "$failures" -eq 0 ]
