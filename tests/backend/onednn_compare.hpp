#pragma once
// What the oneDNN tests (test_onednn.cpp, test_onednn_bf16.cpp) compare with: oneDNN's result
// against the CPU reference's, within one tolerance (test_onednn.cpp's comment derives it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "../nn/layer_check.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::testing::onednn_compare {

inline constexpr double tolerance = 1e-4;

inline double max_abs(const host_tensor& t) {
    double m = 0;
    for (float v : t) m = std::max(m, double(std::abs(v)));
    return m;
}

inline void require_close(const host_tensor& got, const host_tensor& want, const std::string& what, double tol = tolerance) {
    INFO(what << ": onednn " << describe(dims_of(got)) << " vs cpu " << describe(dims_of(want)));
    REQUIRE(dims_of(got) == dims_of(want));
    const double bound = tol * std::max(1.0, max_abs(want));
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(double(got.data()[i]) - double(want.data()[i]));
        if (!(d <= worst)) {
            worst = d;
            at = i;
        }
    }
    INFO("max |onednn - cpu| = " << worst << " at element " << at << " (bound " << bound << ")");
    REQUIRE(worst <= bound);
}

}  // namespace dermtl::testing::onednn_compare
