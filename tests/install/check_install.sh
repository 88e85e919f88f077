#!/usr/bin/env bash
# check_install.sh <cmake> <build-dir> <source-dir>
# Installs the build into a scratch prefix, then builds a consumer project with find_package(dermtl)
# and checks the pkg-config file, as a user would.
set -euo pipefail
cmake=$1 build=$2 src=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" > /dev/null
test -f "$prefix/include/dermtl/dermtl.hpp"
test -f "$prefix/share/cmake/dermtl/dermtlConfig.cmake"
test -f "$prefix/share/cmake/dermtl/dermtlConfigVersion.cmake"
incdir=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags-only-I dermtl | tr ' ' '\n' | grep -- "dermtl\|pkgconfig" | head -1)
test "$(realpath "${incdir#-I}")" = "$(realpath "$prefix/include")"
"$cmake" -S "$src/tests/install/consumer" -B "$prefix/consumer-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
"$cmake" --build "$prefix/consumer-build" > /dev/null
"$prefix/consumer-build/consumer"
