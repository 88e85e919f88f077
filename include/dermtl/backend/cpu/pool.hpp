#pragma once
// CPU max pooling with padding (padded cells never win) and the argmax kept for the backward pass.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "dermtl/backend/cpu/conv.hpp"  // window_geometry
#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::cpu_detail {

// argmax[i] = index, within its input plane, of the element that produced output i.
DERMTL_DECL void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, std::vector<std::int32_t>& argmax);

DERMTL_DECL void max_pool_backward(const tensor& dy, const window_geometry& g, const std::vector<std::int32_t>& argmax,
                                   tensor& dx);

}  // namespace dermtl::backend::cpu_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/cpu/impl/pool.ipp"
#endif
