#pragma once
// CPU element-wise layers and the loss: ReLU, inverted dropout, softmax + cross-entropy, the
// finite check that the network runs after each layer, and the SGD step.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void relu_forward(const tensor& x, tensor& y);

// dx = dy where the output was positive (the subgradient at 0 is 0, as in PyTorch).
DERMTL_DECL void relu_backward(const tensor& y, const tensor& dy, tensor& dx);

// Inverted dropout: in training each unit is kept with probability 1-p and scaled by 1/(1-p);
// the mask (0 or 1/(1-p)) is drawn from `gen` sequentially, so a seed fixes it exactly.
DERMTL_DECL void dropout_forward(const tensor& x, float p, bool training, rng& gen, tensor& mask, tensor& y);

DERMTL_DECL void dropout_backward(const tensor& dy, float p, bool training, const tensor& mask, tensor& dx);

// Mean cross-entropy of softmax(logits) against integer labels, computed stably (log-sum-exp with
// the row maximum subtracted, in double). Writes d(loss)/d(logits) = (softmax - onehot) / N.
// logits: N x K x 1 x 1. Requires every label in [0, K).
DERMTL_DECL double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits);

// Row-wise softmax probabilities (for evaluation).
DERMTL_DECL void softmax(const tensor& logits, tensor& probs);

// One fused pass of Nesterov-momentum SGD over n floats of a parameter buffer (Lasagne's
// formulation), element by element:
//   g' = g + 2 * l2 * w   (penalty l2 * sum(w^2), Lasagne's regularization.l2; l2 = 0 for biases)
//   v  = momentum * v - lr * g'
//   w += momentum * v - lr * g'
// The one loop of the CPU and oneDNN backends' sgd_nesterov_update (oneDNN's over its physical
// layout). Not inline in ops<cpu>: with separate compilation it is compiled with the other
// kernels, so how its products and sums contract to FMA follows the component's flags, not those
// of the unit that trains (the project's cells compile at -O1, which forms no FMA;
// DERMTL_CELLS_OPTIMIZATION in CMakeLists.txt).
DERMTL_DECL void nesterov_step(float* w, const float* g, float* v, std::ptrdiff_t n, float lr, float momentum,
                               float l2);

// nesterov_step over a whole tensor (w, g and v of one shape).
DERMTL_DECL void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2);

// Index of the first NaN/Inf, or -1 when all values are finite.
DERMTL_DECL std::ptrdiff_t first_non_finite(const tensor& t);

}  // namespace dermtl::backend::cpu_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/cpu/impl/pointwise.ipp"
#endif
