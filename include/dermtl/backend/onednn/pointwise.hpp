#pragma once
// The oneDNN backend's element-wise work, written here rather than as oneDNN primitives:
//  - ReLU runs on the physical buffer in whatever layout it has (an element-wise map does not
//    care, and the zero padding of blocked layouts stays zero); where a convolution precedes it,
//    the network fuses it into the convolution instead (ops<onednn>::conv2d_relu_forward);
//  - dropout, the loss and softmax work on plain NCHW (the dense layers' outputs are plain), with
//    the reference's formulas and the same order of random draws, so a seed gives the same mask
//    as on backend::cpu;
//  - the optimizer step (oneDNN 2.6 has no optimizer primitive) runs over the weights' own
//    layout, with the gradient and the velocity converted to it once.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dermtl/backend/cpu/pointwise.hpp"
#include "dermtl/backend/onednn/tensor.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

DERMTL_DECL void relu_forward(const tensor& x, tensor& y);

// dx = dy where y > 0, else 0 (the reference's subgradient at 0).
DERMTL_DECL void relu_backward(const tensor& y, const tensor& dy, tensor& dx);

// Inverted dropout with the reference's mask (cpu/pointwise.hpp): drawn sequentially in NCHW order.
DERMTL_DECL void dropout_forward(const tensor& x, float p, bool training, rng& gen, tensor& mask, tensor& y);

DERMTL_DECL void dropout_backward(const tensor& dy, float p, bool training, const tensor& mask, tensor& dx);

// The loss and softmax: the reference's code (cpu/pointwise.hpp) on a plain copy of the logits,
// which are N x K with K the number of classes -- a few hundred bytes.
struct loss_scratch {
    host_tensor logits, grad;
};
DERMTL_DECL loss_scratch& loss_buffers();

DERMTL_DECL double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits);

DERMTL_DECL void softmax(const tensor& logits, tensor& probs);

// The reference's fused Nesterov step (cpu/pointwise.hpp), over the weights' physical layout. Padding
// elements of a blocked layout are 0 in w, g and v, and stay 0.
DERMTL_DECL void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2);

// Index, in logical NCHW order, of the first NaN/Inf, or -1. The physical buffer is scanned first
// (every layout holds the same values, plus zero padding); only a tensor with a non-finite value
// is converted to find its logical index.
DERMTL_DECL std::ptrdiff_t first_non_finite(const tensor& t);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/pointwise.ipp"
#endif
