#pragma once
// The CPU backend's tensor: float32, NCHW, batch size at run time, stored by xtensor.
// Parameters use the same rank-4 type: conv weights OutC x InC x KH x KW (PyTorch's order), dense
// weights Out x In x 1 x 1, biases Out x 1 x 1 x 1.
#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include <xtensor/xtensor.hpp>

namespace dermtl::backend::cpu_detail {

using tensor = xt::xtensor<float, 4>;
using dims = std::array<std::size_t, 4>;

inline std::string describe(const dims& d) {
    return "[" + std::to_string(d[0]) + "," + std::to_string(d[1]) + "," + std::to_string(d[2]) + "," +
           std::to_string(d[3]) + "]";
}

inline dims dims_of(const tensor& t) { return {t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]}; }

// Resizes only when the shape changes, so buffers are reused across batches of the same size.
inline void ensure_shape(tensor& t, const dims& d) {
    if (dims_of(t) != d) t.resize(d);
}

}  // namespace dermtl::backend::cpu_detail
