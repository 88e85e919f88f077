#!/usr/bin/env bash
# expect_error.sh <snippet.cpp> <compiler> [flags...]
# Passes when the snippet FAILS to compile and the compiler's output contains the text of the
# snippet's `// expect: <text>` line (the static_assert message it must produce).
set -u
snippet=$1; shift
expected=$(sed -n 's|^// expect: ||p' "$snippet")
if [ -z "$expected" ]; then echo "FAIL: $snippet has no '// expect: <text>' line"; exit 1; fi
out=$("$@" "$snippet" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then echo "FAIL: $snippet compiled, but it must be rejected with: $expected"; exit 1; fi
if ! grep -qF -- "$expected" <<<"$out"; then
  echo "FAIL: $snippet was rejected, but without the expected message: $expected"
  echo "--- compiler output (first 40 lines) ---"; head -40 <<<"$out"; exit 1
fi
echo "ok: $snippet rejected with: $expected"
