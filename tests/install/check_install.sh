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

# A network-only user: find_package(dermtl COMPONENTS nn) with every other dependency made
# unfindable, so the package must not ask for them.
"$cmake" --no-warn-unused-cli -S "$src/tests/install/consumer_nn" -B "$prefix/consumer-nn-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON -DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_JPEG=ON -DCMAKE_DISABLE_FIND_PACKAGE_PNG=ON -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON > /dev/null
"$cmake" --build "$prefix/consumer-nn-build" > /dev/null
"$prefix/consumer-nn-build/consumer_nn"
# The nn headers compile with only Eigen, xtensor and OpenMP on the include path.
if grep -E '^\s*(INCLUDES|LINK_LIBRARIES|DEFINES) =' "$prefix/consumer-nn-build/build.ninja" |
    grep -qi 'opencv\|yaml\|cli11\|fmt\|nlohmann\|boost\|matio\|linear\|libsvm\|jpeg\|png\|libz'; then
  echo "consumer_nn: built with a dependency dermtl::nn does not need:"
  grep -E '^\s*(INCLUDES|LINK_LIBRARIES|DEFINES) =' "$prefix/consumer-nn-build/build.ninja"
  exit 1
fi
# The oneDNN backend's component and its pkg-config module, where the build has it.
if [ -f "$prefix/share/cmake/dermtl/dermtl_onednn-targets.cmake" ]; then
  PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --libs dermtl-onednn | grep -q -- "-ldnnl"
  "$cmake" -S "$src/tests/install/consumer_onednn" -B "$prefix/consumer-onednn-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
  "$cmake" --build "$prefix/consumer-onednn-build" > /dev/null
  "$prefix/consumer-onednn-build/consumer_onednn"
fi
echo "install: find_package(dermtl), find_package(dermtl COMPONENTS nn) and (where built) COMPONENTS onednn consumers built and ran"
