#pragma once
// CPU fully connected layer: Y = X W^T + b with Eigen's OpenMP-parallel GEMM.
// x: N x (C*H*W) flattened in NCHW order; w: Out x In x 1 x 1; b: Out; y: N x Out x 1 x 1.
#include <cstddef>

#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y);

// dw = dY^T X, db = column sums of dY (both overwritten); dx = dY W if wanted (shape of x).
DERMTL_DECL void dense_backward(const tensor& x, const tensor& w, const tensor& dy, tensor& dw, tensor& db, tensor* dx);

}  // namespace dermtl::backend::cpu_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/cpu/impl/dense.ipp"
#endif
