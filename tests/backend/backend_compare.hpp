#pragma once
// A backend's result against the CPU reference's, within one tolerance: what the oneDNN tests
// (test_onednn.cpp, test_onednn_bf16.cpp) and the CUDA tests (cuda_test_support.hpp) compare with.
// The two backends sum in different orders, so |got - cpu| <= tolerance * max(1, max |cpu|) per
// tensor (test_onednn.cpp's comment says why this bound).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "dermtl/core/tensor.hpp"

namespace dermtl::testing::backend_compare {

inline constexpr double tolerance = 1e-4;

inline double max_abs(const host_tensor& t) {
    double m = 0;
    for (float v : t) m = std::max(m, double(std::abs(v)));
    return m;
}

// Requires equal shapes, then checks |got - want| <= tol * max(1, max |want|), naming the worst
// element; `backend` names got's side in the messages. fatal: REQUIRE (ends the test case) or CHECK.
inline void compare_close(const host_tensor& got, const host_tensor& want, const std::string& what, double tol,
                          const char* backend, bool fatal) {
    INFO(what << ": " << backend << " " << describe(dims_of(got)) << " vs cpu " << describe(dims_of(want)));
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
    INFO("max |" << backend << " - cpu| = " << worst << " at element " << at << " (bound " << bound << ")");
    if (fatal)
        REQUIRE(worst <= bound);
    else
        CHECK(worst <= bound);
}

// The oneDNN tests' comparison: oneDNN against the CPU reference, ending the test case on failure.
inline void require_close(const host_tensor& got, const host_tensor& want, const std::string& what,
                          double tol = tolerance) {
    compare_close(got, want, what, tol, "onednn", true);
}

}  // namespace dermtl::testing::backend_compare
