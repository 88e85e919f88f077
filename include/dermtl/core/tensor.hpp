#pragma once
// The host tensor: float32, NCHW, batch size at run time, stored by xtensor. Data pipelines produce
// host tensors whatever the backend; the CPU backend computes on them directly and other backends
// copy them to their device explicitly.
#include <array>
#include <cstddef>
#include <string>

#include "dermtl/core/intrinsics.hpp"

#include <xtensor/xtensor.hpp>

namespace dermtl {

using host_tensor = xt::xtensor<float, 4>;
using dims4 = std::array<std::size_t, 4>;

// "[N,C,H,W]" (appended piece by piece: `"[" + std::to_string(...)` trips GCC 12's bogus -Wrestrict).
inline std::string describe(const dims4& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < 4; ++i) {
        s += std::to_string(d[i]);
        s += i < 3 ? "," : "]";
    }
    return s;
}

inline dims4 dims_of(const host_tensor& t) { return {t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]}; }

// Resizes only when the shape changes, so buffers are reused across batches of the same size.
inline void ensure_shape(host_tensor& t, const dims4& d) {
    if (dims_of(t) != d) t.resize(d);
}

}  // namespace dermtl
