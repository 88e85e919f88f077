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

namespace dermtl::testing {

// The same formula evaluated at two call sites (a table's cell and the metric computed here; the
// CPU ops and a backend that delegates to them). GCC contracts a*b+c into an FMA by default
// (-ffp-contract=fast), and an inline function is contracted independently wherever it is
// inlined, so on another CPU (AVX2 + FMA instead of AVX-512, say) the two results may differ in
// their last bits. Each contraction changes one rounding (<= 2^-53 relative); the metrics and
// statistics compared this way take at most a few thousand operations, so 1e-12 relative bounds
// the difference with a wide margin while still catching any real change (a different fold, sample
// or formula moves the value by far more). Bitwise equality is asserted only where the same
// compiled code runs twice (resume, same seed).
inline Catch::Detail::Approx same_formula(double want) { return Catch::Detail::Approx(want).epsilon(1e-12).margin(1e-14); }

template <class A, class B>
bool same_formula_all(const A& a, const B& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (double(a[i]) != same_formula(double(b[i]))) return false;
    return true;
}

// float32 tensors from two call sites of the same kernels: a few float ulps of the tensor's scale.
template <class A, class B>
bool same_kernels(const A& a, const B& b) {
    return a.size() == b.size() && relative_error(a, b) <= 1e-5;
}

}  // namespace dermtl::testing
