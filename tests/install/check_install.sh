#!/usr/bin/env bash
# check_install.sh <cmake> <build-dir> <source-dir>
# Installs the build into a scratch prefix, then builds consumer projects as a user would, each way:
# header-only (find_package(dermtl [COMPONENTS nn|onednn]), linking no dermtl library) and
# separately compiled (COMPONENTS compiled|nn_compiled|onednn_compiled, linking libdermtl_*.a),
# runs them, checks the pkg-config files, and checks that a consumer which defines
# DERMTL_SEPARATE_COMPILATION without linking the compiled library fails to link, naming the symbol.
set -euo pipefail
cmake=$1 build=$2 src=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" > /dev/null
test -f "$prefix/include/dermtl/dermtl.hpp"
test -f "$prefix/share/cmake/dermtl/dermtlConfig.cmake"
test -f "$prefix/share/cmake/dermtl/dermtlConfigVersion.cmake"
onednn=false
if [ -f "$prefix/share/cmake/dermtl/dermtl_onednn-targets.cmake" ]; then onednn=true; fi

fail() { echo "install: $*" >&2; exit 1; }

# The compiled libraries and pkg-config files. dermtl.pc is architecture-independent
# (share/pkgconfig); dermtl-compiled.pc sits beside the libraries (<libdir>/pkgconfig).
libdir=$(dirname "$(find "$prefix" -name libdermtl_nn.a -print -quit)")
[ -n "$libdir" ] && [ "$libdir" != . ] || fail "libdermtl_nn.a was not installed under $prefix"
for component in nn io protocol report $($onednn && echo onednn); do
  test -f "$libdir/libdermtl_$component.a" || fail "libdermtl_$component.a was not installed in $libdir"
done
export PKG_CONFIG_PATH="$prefix/share/pkgconfig:$libdir/pkgconfig"
incdir=$(pkg-config --cflags-only-I dermtl | tr ' ' '\n' | grep -- "dermtl\|pkgconfig" | head -1)
test "$(realpath "${incdir#-I}")" = "$(realpath "$prefix/include")"
pkg-config --cflags dermtl | grep -q -- -DDERMTL_SEPARATE_COMPILATION &&
  fail "dermtl.pc (header-only) defines DERMTL_SEPARATE_COMPILATION: $(pkg-config --cflags dermtl)"
pkg-config --cflags dermtl-compiled | grep -q -- -DDERMTL_SEPARATE_COMPILATION ||
  fail "dermtl-compiled.pc does not define DERMTL_SEPARATE_COMPILATION: $(pkg-config --cflags dermtl-compiled)"
# Each library before those it needs, all of them before their dependencies (static linking).
pkg-config --libs dermtl-compiled | grep -q -- "-ldermtl_report -ldermtl_protocol -ldermtl_io -ldermtl_nn .*-lsvm" ||
  fail "dermtl-compiled.pc: expected -ldermtl_report -ldermtl_protocol -ldermtl_io -ldermtl_nn before -lsvm," \
    "found: $(pkg-config --libs dermtl-compiled)"
pcdir=$(pkg-config --libs-only-L dermtl-compiled | tr ' ' '\n' | grep -- "pkgconfig" | head -1)
test "$(realpath "${pcdir#-L}")" = "$(realpath "$libdir")" ||
  fail "dermtl-compiled.pc: -L${pcdir#-L} is not the folder of the libraries, $libdir"
if $onednn; then
  PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --libs dermtl-onednn | grep -q -- "-ldnnl"
  pkg-config --libs dermtl-onednn-compiled | grep -q -- "-ldermtl_onednn .*-ldermtl_nn" ||
    fail "dermtl-onednn-compiled.pc: expected -ldermtl_onednn before -ldermtl_nn," \
      "found: $(pkg-config --libs dermtl-onednn-compiled)"
fi

# The variables of a consumer's build.ninja that say what it compiles and links with, the scratch
# prefix taken out (its random name could spell a library's).
build_lines() {
  grep -E '^\s*(INCLUDES|LINK_LIBRARIES|LINK_FLAGS|DEFINES|FLAGS) =' "$1/build.ninja" | sed "s|$prefix|<prefix>|g"
}
# configure_and_build NAME MODE [CMAKE_ARGS...]: builds tests/install/NAME in $prefix/NAME-MODE,
# its output in $prefix/NAME-MODE.log (printed when it fails).
configure_and_build() {
  local name=$1 mode=$2
  shift 2
  local log="$prefix/$name-$mode.log"
  if ! { "$cmake" --no-warn-unused-cli -S "$src/tests/install/$name" -B "$prefix/$name-$mode" -G Ninja \
           -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DDERMTL_CONSUMER_MODE="$mode" "$@" &&
         "$cmake" --build "$prefix/$name-$mode"; } > "$log" 2>&1; then
    echo "install: building tests/install/$name ($mode) failed:" >&2
    sed "s|$prefix|<prefix>|g" "$log" >&2
    return 1
  fi
}
# expect_libraries NAME MODE LIBRARY...: the consumer links exactly these dermtl libraries (none
# for header-only) and defines DERMTL_SEPARATE_COMPILATION exactly when it links some.
expect_libraries() {
  local name=$1 mode=$2
  shift 2
  local lines found expected
  lines=$(build_lines "$prefix/$name-$mode")
  found=$(grep -o 'libdermtl_[a-z]*\.a' <<< "$lines" | sort -u | tr '\n' ' ' || true)
  expected=$(printf '%s\n' "$@" | grep . | sort -u | tr '\n' ' ' || true)
  [ "$found" = "$expected" ] ||
    fail "$name ($mode): expected to link [ $expected], links [ $found]; its build lines:"$'\n'"$lines"
  if grep -q DERMTL_SEPARATE_COMPILATION <<< "$lines"; then
    [ $# -gt 0 ] || fail "$name ($mode): header-only, yet compiled with DERMTL_SEPARATE_COMPILATION:"$'\n'"$lines"
  else
    [ $# -eq 0 ] || fail "$name ($mode): links the compiled libraries without DERMTL_SEPARATE_COMPILATION:"$'\n'"$lines"
  fi
}

# A whole-framework user (dermtl.hpp: networks and libsvm), each way.
compiled_all=(libdermtl_nn.a libdermtl_io.a libdermtl_protocol.a libdermtl_report.a)
if $onednn; then compiled_all+=(libdermtl_onednn.a); fi
configure_and_build consumer header_only
expect_libraries consumer header_only
"$prefix/consumer-header_only/consumer"
configure_and_build consumer compiled
expect_libraries consumer compiled "${compiled_all[@]}"
"$prefix/consumer-compiled/consumer"

# A network-only user, each way, with every other dependency made unfindable, so the package must
# not ask for them; the nn headers (and libdermtl_nn.a) need only Eigen, xtensor and OpenMP.
unfindable=(-DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON -DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_JPEG=ON -DCMAKE_DISABLE_FIND_PACKAGE_PNG=ON -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON)
for mode in header_only compiled; do
  configure_and_build consumer_nn $mode "${unfindable[@]}"
  if build_lines "$prefix/consumer_nn-$mode" |
      grep -qi 'opencv\|yaml\|cli11\|fmt\|nlohmann\|boost\|matio\|linear\|libsvm\|jpeg\|png\|libz'; then
    fail "consumer_nn ($mode): built with a dependency dermtl::nn does not need:"$'\n' \
      "$(build_lines "$prefix/consumer_nn-$mode")"
  fi
  "$prefix/consumer_nn-$mode/consumer_nn"
done
expect_libraries consumer_nn header_only
expect_libraries consumer_nn compiled libdermtl_nn.a

# The macro without the library: the headers only declare the compiled code, so the link fails and
# names what is missing (a conv layer's forward pass needs the CPU kernel, compiled in libdermtl_nn).
missing='dermtl::backend::cpu_detail::conv2d_forward('
if configure_and_build consumer_nn macro_without_library "${unfindable[@]}" 2> /dev/null; then
  fail "consumer_nn defines DERMTL_SEPARATE_COMPILATION without linking dermtl::nn_compiled, yet it linked"
fi
log=$(sed "s|$prefix|<prefix>|g" "$prefix/consumer_nn-macro_without_library.log")
grep -q "undefined reference to .${missing}\|undefined symbol: ${missing}" <<< "$log" ||
  fail "consumer_nn (DERMTL_SEPARATE_COMPILATION, no library): expected a link error naming ${missing}...)," \
    "found:"$'\n'"$log"

# A pkg-config user of the compiled mode: the whole-framework consumer, compiled and linked with
# nothing but `pkg-config --cflags --libs dermtl-compiled` (static libraries: their order matters).
# shellcheck disable=SC2046  # pkg-config's words are separate arguments
if ! c++ -O1 -w "$src/tests/install/consumer/main.cpp" -o "$prefix/consumer-pkg-config" \
     $(pkg-config --cflags --libs dermtl-compiled) > "$prefix/consumer-pkg-config.log" 2>&1; then
  fail "consumer built with pkg-config dermtl-compiled failed:"$'\n' \
    "$(sed "s|$prefix|<prefix>|g" "$prefix/consumer-pkg-config.log")"
fi
"$prefix/consumer-pkg-config"

# The oneDNN backend's component, each way, where the build has it.
if $onednn; then
  configure_and_build consumer_onednn header_only
  expect_libraries consumer_onednn header_only
  "$prefix/consumer_onednn-header_only/consumer_onednn"
  configure_and_build consumer_onednn compiled
  expect_libraries consumer_onednn compiled libdermtl_onednn.a libdermtl_nn.a
  "$prefix/consumer_onednn-compiled/consumer_onednn"
fi
echo "install: consumers built and ran header-only (linking no dermtl library) and separately compiled" \
  "(dermtl::compiled, pkg-config dermtl-compiled, dermtl::nn_compiled without libsvm$($onednn &&
    echo ', dermtl::onednn_compiled'));" \
  "DERMTL_SEPARATE_COMPILATION without the library failed to link, naming ${missing}...)"
