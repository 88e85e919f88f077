#!/usr/bin/env bash
# compile_time.sh: how long dermtl takes to build, measured (issue 24, item 6). A benchmark: it
# builds the whole project from nothing, so never run it in CI; run it on an otherwise idle machine.
#
#   bash benchmarks/compile_time.sh [--build-dir DIR] [--jobs N] [--source DIR] [--targets "T..."]
#                                   [-- CMAKE_ARGS...]
#     --build-dir  fresh build folder, deleted first (default: build-compile-time)
#     --jobs       parallel jobs of the builds (default: 2, the CI machine's cores)
#     --source     the source tree (default: this script's repository)
#     --targets    build only these targets instead of all (e.g. "test_core", to try the script)
#     CMAKE_ARGS   passed to cmake's configure (e.g. -DDERMTL_WITH_CUDA=OFF)
#
# Every compile runs under `/usr/bin/time` (CMAKE_CXX_COMPILER_LAUNCHER and
# CMAKE_CUDA_COMPILER_LAUNCHER), which appends one line per translation unit to a log: seconds,
# peak resident memory (KiB) and object file. It prints:
#   - the clean build's wall time at -j<jobs>, and how many translation units it compiled;
#   - the 10 slowest translation units, with their time and peak memory;
#   - the rebuild time after touching include/dermtl/nn/layers/relu.hpp, then report/html.hpp (their
#     modification times are put back afterwards, so other build folders do not rebuild, unless the
#     header was saved meanwhile);
#   - the compile-and-link time of examples/experiment_in_ten_lines.cpp alone (one job), header-only
#     (without DERMTL_SEPARATE_COMPILATION, linking the dependency libraries only) and against the
#     compiled components (the build's libdermtl_*.a), from the build's compile_commands.json and
#     its link command (`ninja -t commands`);
#   - how many translation units include OpenCV, libjpeg/libpng, zlib, matio, nlohmann_json and
#     Hana (`ninja -t deps`).
# as Markdown tables ready for docs/performance.md's "Build" section. The logs stay in
# <build-dir>/compile_time/.
set -euo pipefail

build=build-compile-time
jobs=2
src=$(cd "$(dirname "$0")/.." && pwd)
targets=()
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --source) src=$(cd "$2" && pwd); shift 2 ;;
    --targets) read -r -a targets <<< "$2"; shift 2 ;;
    --) shift; cmake_args=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compile_time.sh: unknown argument '$1' (expected --build-dir, --jobs, --source, --targets" \
         "or -- CMAKE_ARGS; see --help)" >&2
       exit 2 ;;
  esac
done
for tool in /usr/bin/time cmake ninja python3; do
  command -v "$tool" > /dev/null ||
    { echo "compile_time.sh: $tool not found (Debian: apt-get install time cmake ninja-build python3)" >&2; exit 1; }
done
[ -f "$src/CMakeLists.txt" ] && [ -d "$src/include/dermtl" ] ||
  { echo "compile_time.sh: --source $src is not a dermtl tree (expected CMakeLists.txt and include/dermtl/)" >&2
    exit 1; }

mkdir -p "$build"
build=$(cd "$build" && pwd)
case "$src/" in
  "$build/"*) echo "compile_time.sh: --build-dir $build would delete the source tree $src" >&2; exit 1 ;;
esac
# Deleted only when it is empty or a CMake build folder (never a folder of anything else).
if [ -n "$(ls -A "$build")" ] && [ ! -f "$build/CMakeCache.txt" ]; then
  echo "compile_time.sh: --build-dir $build is neither empty nor a CMake build folder; not deleting it" >&2
  exit 1
fi
echo "compile_time.sh: deleting $build for a clean build" >&2
rm -rf "$build"
mkdir -p "$build/compile_time"
out=$build/compile_time
log=$out/tu.log

# The launcher: runs one compiler command under /usr/bin/time and appends "seconds KiB object".
cat > "$out/timed_compile.sh" <<EOF
#!/usr/bin/env bash
# Written by benchmarks/compile_time.sh: one compile, timed, appended to $log.
object=unknown
args=("\$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  if [ "\${args[i]}" = -o ]; then object=\${args[i+1]}; fi
done
exec /usr/bin/time -a -o "$log" -f "%e %M \$object" "\$@"
EOF
chmod +x "$out/timed_compile.sh"

now() { date +%s.%N; }
seconds_since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
tu_count() { grep -cE '^[0-9.]+ [0-9]+ ' "$log" 2> /dev/null || true; }
build_targets() { ninja -C "$build" -j "$jobs" "${targets[@]}" > "$out/ninja.log" 2>&1 ||
  { tail -50 "$out/ninja.log" >&2; echo "compile_time.sh: the build failed (log: $out/ninja.log)" >&2; exit 1; }; }

echo "compile_time.sh: configuring $src in $build" >&2
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$out/timed_compile.sh" -DCMAKE_CUDA_COMPILER_LAUNCHER="$out/timed_compile.sh" \
  "${cmake_args[@]}" > "$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log" >&2; echo "compile_time.sh: configure failed (log: $out/configure.log)" >&2; exit 1; }

# 1. The clean build.
echo "compile_time.sh: clean build at -j$jobs (${targets[*]:-all targets})" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(now)
build_targets
clean_s=$(seconds_since "$start")
clean_tus=$(tu_count)
cp "$log" "$out/clean.log"

# 2. Rebuilds after touching one header; its modification time is put back afterwards.
rebuild_after_touch() {  # rebuild_after_touch HEADER: sets rebuild_s and rebuild_tus
  local header=$src/include/dermtl/$1 saved=$out/mtime.ref before start
  rebuild_s=- rebuild_tus=-
  [ -f "$header" ] || { echo "compile_time.sh: $header not found; its rebuild is not measured" >&2; return; }
  echo "compile_time.sh: rebuild after touching $1" >&2
  touch -r "$header" "$saved"
  before=$(tu_count)
  touch "$header"
  touch -r "$header" "$out/touched.ref"
  # Put the old time back, unless someone saved the header meanwhile (then its new time stays).
  trap '[ "$header" -nt "$out/touched.ref" ] || touch -r "$saved" "$header"' EXIT
  start=$(now)
  build_targets
  rebuild_s=$(seconds_since "$start")
  [ "$header" -nt "$out/touched.ref" ] || touch -r "$saved" "$header"
  trap - EXIT
  rebuild_tus=$(($(tu_count) - before))
}
rebuild_after_touch nn/layers/relu.hpp
relu_s=$rebuild_s relu_tus=$rebuild_tus
rebuild_after_touch report/html.hpp
html_s=$rebuild_s html_tus=$rebuild_tus

# 3. A user's one-experiment program, compiled and linked alone, each way. The compiled libraries
# are built first (not timed) when the targets did not include them.
compiled_libs=()
for component in nn io protocol report onednn; do
  if ninja -C "$build" -t query "dermtl_${component}_compiled" > /dev/null 2>&1; then
    compiled_libs+=("dermtl_${component}_compiled")
  fi
done
if [ ${#compiled_libs[@]} -gt 0 ]; then
  ninja -C "$build" -j "$jobs" "${compiled_libs[@]}" > "$out/ninja-libs.log" 2>&1 ||
    { tail -50 "$out/ninja-libs.log" >&2; echo "compile_time.sh: building the compiled libraries failed" >&2; exit 1; }
fi
# Prints "compile_s compile_KiB link_s" for one way (header_only or compiled), or "- - -".
example_alone() {
  python3 - "$build" "$src/examples/experiment_in_ten_lines.cpp" "$out" "$1" "$out/timed_compile.sh" <<'EOF'
import json, os, re, resource, shlex, subprocess, sys, time
build, source, out, way, launcher = sys.argv[1:6]
try:
    entries = json.load(open(os.path.join(build, "compile_commands.json")))
except OSError:
    entries = []
entry = next((e for e in entries if os.path.realpath(e["file"]) == os.path.realpath(source)), None)
# The link command: the last of the commands ninja runs for the target (Ninja has no link.txt).
commands = subprocess.run(["ninja", "-C", build, "-t", "commands", "experiment_in_ten_lines"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip().splitlines()
if entry is None or not commands:
    sys.stderr.write("compile_time.sh: examples/experiment_in_ten_lines.cpp is not in this build; not measured\n")
    print("- - -")
    sys.exit(0)
obj = os.path.join(out, f"experiment_in_ten_lines.{way}.o")
exe = os.path.join(out, f"experiment_in_ten_lines.{way}")
args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
if args and os.path.realpath(args[0]) == os.path.realpath(launcher):
    args = args[1:]
compile_cmd, skip = [], 0
for i, a in enumerate(args):
    if skip:
        skip -= 1
        continue
    if a in ("-o", "-MT", "-MF"):
        skip = 1
        continue
    if a in ("-MD", "-MMD"):
        continue
    if way == "header_only" and a == "-DDERMTL_SEPARATE_COMPILATION":
        continue
    compile_cmd.append(a)
compile_cmd += ["-o", obj]
# ": && c++ ... OBJECT -o PROGRAM LIBRARIES... && :", run from the build folder; the object and
# the program become ours.
link_cmd = shlex.split(commands[-1])
while link_cmd and link_cmd[0] in (":", "&&"):
    link_cmd.pop(0)
while link_cmd and link_cmd[-1] in (":", "&&"):
    link_cmd.pop()
link_cmd = [obj if a.endswith("experiment_in_ten_lines.cpp.o") else a for a in link_cmd]
link_cmd[link_cmd.index("-o") + 1] = exe
if way == "header_only":
    link_cmd = [a for a in link_cmd if not re.search(r"(^|/)libdermtl_[a-z]+\.a$", a)]
def timed(cmd, cwd):
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"compile_time.sh: experiment_in_ten_lines ({way}) failed: {shlex.join(cmd)}\n"
                         f"{r.stdout[-4000:]}\n")
        sys.exit(1)
    return time.monotonic() - start
compile_s = timed(compile_cmd, entry["directory"])
compile_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
link_s = timed(link_cmd, build)
print(f"{compile_s:.1f} {compile_kib} {link_s:.1f}")
EOF
}
echo "compile_time.sh: examples/experiment_in_ten_lines.cpp alone, header-only then compiled" >&2
example_alone header_only > "$out/example_header_only.txt"
if [ ${#compiled_libs[@]} -gt 0 ]; then
  example_alone compiled > "$out/example_compiled.txt"
else
  echo "compile_time.sh: this tree has no compiled components (dermtl_*_compiled): header-only only" >&2
  echo "- - -" > "$out/example_compiled.txt"
fi
read -r ho_compile ho_kib ho_link < "$out/example_header_only.txt"
read -r co_compile co_kib co_link < "$out/example_compiled.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# 4. Who includes what: the dependencies ninja recorded for each object file.
ninja -C "$build" -t deps > "$out/deps.txt"
include_counts() {  # include_counts LABEL REGEX
  awk -v label="$1" -v re="$2" '
    /^[^ \t].*: #deps/ { obj = $1; sub(/:$/, "", obj); objs[obj] = 1; next }
    /^[ \t]+/ && obj != "" && $1 ~ re { hit[obj] = 1 }
    END { n = 0; t = 0; for (o in objs) { t++; if (o in hit) n++ }
          printf "| TUs that include %s | %d of %d |\n", label, n, t }' \
    "$out/deps.txt"
}

# 5. The tables.
mib() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
sum() { [ "$1" = - ] && echo - || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }
commit=$(git -C "$src" rev-parse --short HEAD 2> /dev/null || echo unknown)
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2> /dev/null)" ]; then
  commit="$commit (with local changes)"
fi
cxx=$(grep -m1 '^CMAKE_CXX_COMPILER:' "$build/CMakeCache.txt" | cut -d= -f2)
echo
echo "Measured by benchmarks/compile_time.sh on $(date -u +%Y-%m-%d), commit $commit, $(nproc) cores" \
  "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $("$cxx" --version | head -1)," \
  "-j$jobs, targets: ${targets[*]:-all}. Load average before: $load_before; after: $load_after."
echo
echo "| Measure | Value |"
echo "|---|---|"
echo "| Clean build, wall time (-j$jobs) | $clean_s s ($clean_tus TUs) |"
echo "| Rebuild after touching \`nn/layers/relu.hpp\` | $relu_s s ($relu_tus TUs) |"
echo "| Rebuild after touching \`report/html.hpp\` | $html_s s ($html_tus TUs) |"
example_row() {  # example_row WAY COMPILE_S KIB LINK_S
  echo "| \`experiment_in_ten_lines\` alone, $1: compile + link | $(sum "$2" "$4") s ($2 + $4 s, $(mib "$3") MiB) |"
}
example_row header-only "$ho_compile" "$ho_kib" "$ho_link"
example_row "against the compiled components" "$co_compile" "$co_kib" "$co_link"
include_counts "OpenCV" "/opencv2/"
include_counts "libjpeg or libpng" "/(jpeglib|png)[.]h$"
include_counts "zlib" "/zlib[.]h$"
include_counts "matio" "/matio[.]h$"
include_counts "nlohmann_json (json.hpp)" "/nlohmann/json[.]hpp$"
include_counts "nlohmann_json (any header)" "/nlohmann/"
include_counts "Hana (the umbrella boost/hana.hpp)" "/boost/hana[.]hpp$"
include_counts "Hana (any header)" "/boost/hana"
echo
echo "The 10 slowest translation units of the clean build:"
echo
echo "| Translation unit | Seconds | Peak memory (MiB) |"
echo "|---|---:|---:|"
# sed, not head: head stops reading after 10 lines, and sort, still writing, then dies of SIGPIPE,
# which pipefail turns into this script's exit status (141) after a complete table.
grep -E '^[0-9.]+ [0-9]+ ' "$out/clean.log" | sort -k1,1 -rn | sed -n '1,10p' |
  while read -r s kib object; do
    tu=$(sed -E 's|CMakeFiles/[^/]+\.dir/||; s|^\./||; s|\.o$||' <<< "$object")
    echo "| \`$tu\` | $s | $(mib "$kib") |"
  done
