#!/usr/bin/env bash
# Issue 25, help that works as written: every example cell or glob of the help texts (run's cell,
# grid's and slurm submit's --cells), with the options the help gives with it, matches at least one
# cell of `dermtl grid --list` with those options, in this build (a subset build included: the help
# is built from the cells it compiled). The examples atop apps/dermtl.cpp are checked where the build
# has their cells (skipped with the reason otherwise). A cell that names another backend than
# --backend is refused naming the option.
# Usage: help_examples_test.sh DERMTL_BINARY apps/dermtl.cpp
set -u
dermtl=$1
source_file=$2
failures=0 checked=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# matches PATTERN OPTIONS WHERE: PATTERN (a shell glob, as the registry's fnmatch) names a cell of `grid --list OPTIONS`.
matches() {
  local pattern=$1 options=$2 where=$3 cell
  # shellcheck disable=SC2086
  if ! "$dermtl" grid --list $options > "$tmp/list" 2> "$tmp/err"; then
    fail "$where: \`dermtl grid --list $options\` failed: $(cat "$tmp/err")"
    return
  fi
  checked=$((checked + 1))
  while read -r cell _; do
    # shellcheck disable=SC2053
    if [[ $cell == $pattern ]]; then echo "ok: $where: '$pattern' ($options) matches $cell"; return; fi
  done < "$tmp/list"
  fail "$where: '$pattern' matches no cell of \`dermtl grid --list $options\`: $(head -3 "$tmp/list")"
}

# The help texts: "e.g. CELL" or "e.g. 'GLOB'", then "(with OPTIONS)" when the example needs options.
for command in "run" "grid" "slurm submit"; do
  # shellcheck disable=SC2086
  help=$("$dermtl" $command --help 2>&1) || { fail "dermtl $command --help failed: $help"; continue; }
  found=0
  while IFS= read -r example; do
    pattern=$(sed -E "s/^e\.g\. '?([^ ';]+)'?.*/\1/" <<<"$example")
    options=$(sed -nE 's/.*\(with ([^)]*)\).*/\1/p' <<<"$example")
    [[ $pattern == */* ]] || continue
    found=$((found + 1))
    matches "$pattern" "$options" "dermtl $command --help"
    # The same cell on another backend than --backend: refused, naming the option.
    if [ "$command" = run ]; then
      backend=$(cut -d/ -f2 <<<"$pattern")
      other=cpu
      [ "$backend" = cpu ] && other=onednn
      other_cell=$(awk -F/ -v b="$other" 'BEGIN { OFS = "/" } { $2 = b; print }' <<<"$pattern")
      # shellcheck disable=SC2086
      out=$("$dermtl" run "$other_cell" $options --synthetic --out "$tmp/other" 2>&1)
      rc=$?
      checked=$((checked + 1))
      if [ $rc -eq 0 ] || ! grep -qF "names backend '$other', but --backend is '$backend'" <<<"$out" ||
         ! grep -qF -- "give --backend $other" <<<"$out"; then
        fail "run $other_cell: expected a refusal naming --backend, found (exit $rc): $out"
      else
        echo "ok: run $other_cell is refused naming --backend"
      fi
      [ -e "$tmp/other" ] && fail "a refused run still wrote $tmp/other"
    fi
  done < <(grep -oE "e\.g\. '?[a-z0-9_]+/[^ ';]+'?( \(with [^)]*\))?" <<<"$help")
  [ "$found" -ge 1 ] || fail "dermtl $command --help shows no example cell: $help"
done

# The comment atop apps/dermtl.cpp: `dermtl run CELL ...` and `dermtl grid --cells 'GLOB' ...` lines.
while IFS= read -r line; do
  pattern=$(sed -nE "s/.*dermtl run ([^ ]+).*/\1/p; s/.*dermtl grid --cells '([^']+)'.*/\1/p" <<<"$line")
  [ -n "$pattern" ] || continue
  options=""
  for o in --backend --network --protocol; do
    v=$(sed -nE "s/.* $o ([^ ]+).*/\1/p" <<<"$line")
    [ -n "$v" ] && options="$options $o $v"
  done
  # shellcheck disable=SC2086
  if ! "$dermtl" grid --list $options > /dev/null 2> "$tmp/err"; then
    if grep -qE "not compiled in this build|this build has no" "$tmp/err"; then
      echo "skipped: apps/dermtl.cpp's example '$pattern'$options: $(head -c 300 "$tmp/err")"
      continue
    fi
  fi
  matches "$pattern" "$options" "apps/dermtl.cpp's comment"
done < <(grep -E '^//   dermtl (run|grid --cells)' "$source_file")

echo "$checked help examples checked, $failures failed"
[ "$checked" -ge 4 ] || { echo "FAIL: expected at least 4 examples checked"; exit 1; }
[ "$failures" -eq 0 ]
