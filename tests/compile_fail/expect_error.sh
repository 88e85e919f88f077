#!/usr/bin/env bash
# expect_error.sh <snippet.cpp> <compiler> [flags...]
# Passes when the snippet FAILS to compile and the compiler's output contains the text of each of
# the snippet's `// expect: <text>` lines (the static_assert message it must produce, and where a
# snippet has several lines, what else the compiler must say).
set -u
snippet=$1; shift
mapfile -t expected < <(sed -n 's|^// expect: ||p' "$snippet")
if [ ${#expected[@]} -eq 0 ]; then echo "FAIL: $snippet has no '// expect: <text>' line"; exit 1; fi
out=$("$@" "$snippet" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then echo "FAIL: $snippet compiled, but it must be rejected with: ${expected[0]}"; exit 1; fi
for text in "${expected[@]}"; do
  if ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: $snippet was rejected, but without the expected message: $text"
    echo "--- compiler output (first 40 lines) ---"; head -40 <<<"$out"; exit 1
  fi
  echo "ok: $snippet rejected with: $text"
done
