# Precompiled headers for this repository's own build (issue 24): a build-time saving only. The
# library's headers are unchanged and need none; an installed dermtl carries none; a user's
# experiment (examples/experiment_in_ten_lines.cpp) compiles as a user's would, without one.
#
# About 95% of the lines a cells or test translation unit parses are third-party (the C++ standard
# library, xtensor, OpenCV's core, nlohmann/json, Hana, CLI11, Catch2; and Eigen, left out below):
# g++ spent about 15 s of CPU parsing them in each cells TU (a cells TU: 55.6 s without, 38.1 s
# with; a small test file gains about 1 s). They are compiled once per group of targets with the
# same flags, and every TU of the group loads the result.
# Only third-party headers are precompiled, so touching a dermtl header rebuilds what includes it
# and nothing else, and no macro of dermtl's (DERMTL_HAS_CUDA, DERMTL_SEPARATE_COMPILATION, ...)
# reaches the precompiled state.
#
#   dermtl_precompile(<target> [TESTS] [CLI])   the target compiles its own precompiled header
#   dermtl_precompile_like(<target> <donor>)    the target reuses <donor>'s (same flags required;
#                                               g++ checks them, -Winvalid-pch says when it cannot)
#
# C++ only: nvcc's translation units (.cu) keep parsing their headers. DERMTL_PRECOMPILED_HEADERS=OFF
# turns it all off (e.g. to check that every file includes what it uses: -DDERMTL_PRECOMPILED_HEADERS=OFF).
option(DERMTL_PRECOMPILED_HEADERS "Precompile the third-party headers of apps/ and tests/ (build time only)" ON)

set(DERMTL_PCH_STANDARD
  <algorithm> <array> <atomic> <chrono> <cmath> <concepts> <cstddef> <cstdint> <cstdio> <cstdlib>
  <cstring> <deque> <filesystem> <fstream> <functional> <iostream> <limits> <map> <memory> <mutex>
  <numeric> <optional> <set> <span> <sstream> <string> <string_view> <system_error> <tuple>
  <type_traits> <unordered_map> <utility> <variant> <vector>)
# Not Eigen: g++ 12 loses the system-header status of a precompiled header's contents for its
# middle-end warnings, and Eigen's AVX-512 packet code then warns -Wmaybe-uninitialized in every TU
# that multiplies matrices (75 warnings in the build, none without the precompiled header).
set(DERMTL_PCH_THIRD_PARTY
  <xtensor/xtensor.hpp> <xtensor/xview.hpp> <opencv2/core.hpp> <nlohmann/json.hpp>
  <boost/hana/tuple.hpp> <boost/hana/type.hpp> <boost/hana/for_each.hpp> <boost/hana/transform.hpp>
  <boost/hana/filter.hpp> <boost/hana/cartesian_product.hpp> <boost/hana/at.hpp> <boost/hana/front.hpp>)

function(dermtl_precompile target)
  if(NOT DERMTL_PRECOMPILED_HEADERS)
    return()
  endif()
  cmake_parse_arguments(ARG "TESTS;CLI" "" "" ${ARGN})
  set(headers ${DERMTL_PCH_STANDARD} ${DERMTL_PCH_THIRD_PARTY})
  if(ARG_CLI)
    list(APPEND headers <CLI/CLI.hpp>)
  endif()
  if(ARG_TESTS)
    list(APPEND headers <catch2/catch.hpp>)
  endif()
  set(cxx_only "")
  foreach(h IN LISTS headers)
    string(REPLACE ">" "$<ANGLE-R>" h "${h}")  # a '>' inside a generator expression is written so
    list(APPEND cxx_only "$<$<COMPILE_LANGUAGE:CXX>:${h}>")
  endforeach()
  target_precompile_headers(${target} PRIVATE ${cxx_only})
endfunction()

function(dermtl_precompile_like target donor)
  if(NOT DERMTL_PRECOMPILED_HEADERS)
    return()
  endif()
  target_precompile_headers(${target} REUSE_FROM ${donor})
endfunction()
