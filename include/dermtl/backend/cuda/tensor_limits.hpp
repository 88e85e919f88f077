#pragma once
// cuDNN's limit on the size of one tensor, checked on the host before any descriptor is set.
//
// cudnnSetTensor4dDescriptor refuses a tensor of more than 2^31 - 1 elements (its sizes and
// strides are int) with a bare CUDNN_STATUS_BAD_PARAM, before anything is allocated: a VGG-16
// batch of 669 at 224x224 (conv1_1's output, 669 x 64 x 224 x 224) is the first to hit it. This
// check says so in words -- the shape, what it is for, the limit and the largest batch of that
// sample shape that fits -- so a batch that is too large reads as such (PyTorch splits the batch
// there; dermtl asks for a smaller one). Plain C++ (no CUDA header), so every build tests it.
#include <cstddef>
#include <string>

#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend::cuda_detail {

// The most elements one cuDNN tensor descriptor may describe (INT32_MAX).
inline constexpr std::size_t cudnn_max_tensor_elements = 2147483647;

// The largest batch of samples shaped like d[1..3] that stays within the limit (0 when one sample
// is already too large).
inline std::size_t largest_batch_within_cudnn_limit(const dims4& d) {
    const std::size_t per_sample = d[1] * d[2] * d[3];
    return per_sample == 0 ? cudnn_max_tensor_elements : cudnn_max_tensor_elements / per_sample;
}

// Throws backend_error (a limit of the backend, so a network names the layer) when `d` has more elements than cuDNN accepts; `what` names the tensor
// ("the input of conv2d (...)"). No-op for shapes within the limit.
inline void check_cudnn_tensor_elements(const dims4& d, const std::string& what) {
    // The element count, overflow-safe (a product past size_t is over the limit too).
    std::size_t n = 1;
    bool over = false;
    for (std::size_t v : d) over = over || __builtin_mul_overflow(n, v, &n);
    if (!over && n <= cudnn_max_tensor_elements) return;
    const std::size_t fits = largest_batch_within_cudnn_limit(d);
    std::string msg = "backend::cuda: " + what + " has shape " + describe(d) + ", " +
                      (over ? std::string("more than 2^31 - 1") : std::to_string(n)) +
                      " elements; cuDNN describes at most 2147483647 (2^31 - 1) elements per tensor";
    if (fits >= 1)
        msg += "; use a batch of at most " + std::to_string(fits) + " (samples of " + std::to_string(d[1]) + "x" +
               std::to_string(d[2]) + "x" + std::to_string(d[3]) + ") instead of " + std::to_string(d[0]);
    else
        msg += "; even one sample of " + std::to_string(d[1]) + "x" + std::to_string(d[2]) + "x" +
               std::to_string(d[3]) + " is over the limit: use smaller images or fewer channels";
    throw backend_error(msg);
}

}  // namespace dermtl::backend::cuda_detail
