#pragma once
// Comparing dermtl's float32 results with an oracle's (float64) results.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace dermtl::testing {

// Largest |ours - oracle| relative to the largest |oracle| (the oracle's scale).
template <class A, class B>
double relative_error(const A& ours, const B& oracle) {
    REQUIRE(ours.size() == oracle.size());
    double diff = 0, scale = 1e-12;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        diff = std::max(diff, std::abs(double(ours.data()[i]) - double(oracle.data()[i])));
        scale = std::max(scale, std::abs(double(oracle.data()[i])));
    }
    return diff / scale;
}

}  // namespace dermtl::testing
