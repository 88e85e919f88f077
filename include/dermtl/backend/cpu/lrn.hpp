#pragma once
// CPU local response normalization across channels, MatConvNet/Lasagne convention:
//   y_c = x_c / (kappa + alpha * sum_{j in window(c)} x_j^2)^beta,  alpha NOT divided by the size,
// window(c) = c - (size-1)/2 .. c + (size-1)/2 clipped to the channels (size odd).
// Backward, with d_c = kappa + alpha * sum x_j^2:
//   dx_c = dy_c d_c^-beta - 2 alpha beta x_c sum_{j: c in window(j)} dy_j x_j d_j^(-beta-1).
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/backend/lrn_params.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::cpu_detail {

using backend::lrn_params;

// Also stores d (the denominators before the power) in `scale` for the backward pass.
DERMTL_DECL void lrn_forward(const tensor& x, const lrn_params& p, tensor& y, tensor& scale);

// `work` is scratch memory of x's shape, owned by the caller so the training step does not allocate.
DERMTL_DECL void lrn_backward(const tensor& x, const tensor& y, const tensor& scale, const tensor& dy, const lrn_params& p,
                              tensor& dx, tensor& work);

}  // namespace dermtl::backend::cpu_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/cpu/impl/lrn.ipp"
#endif
