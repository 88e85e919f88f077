#pragma once
// The per-layer bf16 bound of the backends' [bf16] tests (test_onednn.cpp, test_cuda.cpp), stated
// there: with u = 2^-8 (one rounding to bf16), a layer computed from bf16-rounded inputs with
// float32 accumulation over K terms is within factor * M_i of float32's, M_i the layer computed on
// absolute values, factor = 2u + u^2 + K 2^-24 (plus what the backend stores in bf16).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "dermtl/backend/precision.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::testing {

inline constexpr double u_bf16 = backend::unit_roundoff(backend::precision_kind::bf16);
inline constexpr double u_f32 = backend::unit_roundoff(backend::precision_kind::float32);
inline const backend::numerics bf16_numerics{backend::precision_kind::bf16, false};

// |t| elementwise: the inputs of the magnitude layer M.
inline host_tensor abs_of(host_tensor t) {
    for (auto& v : t) v = std::abs(v);
    return t;
}

// |got - want| <= factor * magnitude (+ u |want|, one more bf16 rounding, when the output is
// stored in bf16) elementwise; and not all equal, so a layer that silently computed in float32 fails.
inline void require_bf16_bound(const host_tensor& got, const host_tensor& want, const host_tensor& magnitude,
                               double factor, bool stored_bf16, const std::string& what) {
    INFO(what);
    REQUIRE(dims_of(got) == dims_of(want));
    double worst_ratio = 0, worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(double(got.data()[i]) - double(want.data()[i]));
        const double bound = factor * double(magnitude.data()[i]) +
                             (stored_bf16 ? u_bf16 * (1 + 2 * u_bf16) * std::abs(double(want.data()[i])) : 0.0) + 1e-30;
        worst = std::max(worst, d);
        worst_ratio = std::max(worst_ratio, d / bound);
    }
    INFO("max |bf16 - float32| = " << worst << ", largest error / bound = " << worst_ratio);
    CHECK(worst_ratio <= 1.0);
    CHECK(worst > 0.0);  // bf16 really rounded something
}

}  // namespace dermtl::testing
