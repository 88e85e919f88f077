#pragma once
// Softmax + cross-entropy on a network's logits (N x K x 1 x 1), numerically stable.
// Returns the mean loss over the batch and writes d(loss)/d(logits) for network::backward.
#include <span>

#include "dermtl/backend/tags.hpp"

namespace dermtl::nn {

template <class Backend, class Tensor>
double softmax_cross_entropy(const Tensor& logits, std::span<const int> labels, Tensor& dlogits) {
    return backend::ops<Backend>::softmax_cross_entropy(logits, labels, dlogits);
}

}  // namespace dermtl::nn
