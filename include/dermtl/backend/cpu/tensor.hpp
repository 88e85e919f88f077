#pragma once
// The CPU backend computes directly on host tensors (core/tensor.hpp). Parameters use the same
// rank-4 type: conv weights OutC x InC x KH x KW (PyTorch's order), dense weights Out x In x 1 x 1,
// biases Out x 1 x 1 x 1.
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend::cpu_detail {

using tensor = host_tensor;

}  // namespace dermtl::backend::cpu_detail
