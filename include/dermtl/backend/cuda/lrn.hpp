#pragma once
// CUDA local response normalization across channels through cuDNN 9, in dermtl's
// MatConvNet/Lasagne convention y = x / (kappa + alpha * sum x^2)^beta (alpha NOT divided by the
// window size). cuDNN follows Caffe, y = x / (k + (alpha'/n) * sum x^2)^beta, so it is given
// alpha' = alpha * size; the window (size odd) is centred on the channel in both.
#include <cstddef>
#include <string>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/backend/lrn_params.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

using backend::lrn_params;

// Per-layer LRN state: the cuDNN descriptor, set once.
struct lrn_state {
    unique_descriptor<cudnnLRNDescriptor_t, cudnnDestroyLRNDescriptor> desc;
};

inline cudnnLRNDescriptor_t lrn_descriptor(const lrn_params& p, lrn_state& s) {
    if (s.desc) return s.desc.get();
    if (p.size < CUDNN_LRN_MIN_N || p.size > CUDNN_LRN_MAX_N || double(p.kappa) < CUDNN_LRN_MIN_K ||
        double(p.beta) < CUDNN_LRN_MIN_BETA)
        throw config_error("backend::cuda lrn: cuDNN needs a window of " + std::to_string(CUDNN_LRN_MIN_N) + ".." +
                           std::to_string(CUDNN_LRN_MAX_N) + " channels, kappa >= " + std::to_string(CUDNN_LRN_MIN_K) +
                           " and beta >= " + std::to_string(CUDNN_LRN_MIN_BETA) + "; got size " +
                           std::to_string(p.size) + ", kappa " + std::to_string(p.kappa) + ", beta " +
                           std::to_string(p.beta));
    context::get();  // first use: checks for a device
    cudnnLRNDescriptor_t raw = nullptr;
    DERMTL_CUDNN_CHECK(cudnnCreateLRNDescriptor(&raw));
    s.desc.reset(raw);
    DERMTL_CUDNN_CHECK(cudnnSetLRNDescriptor(raw, unsigned(p.size), double(p.alpha) * double(p.size),
                                             double(p.beta), double(p.kappa)));
    return raw;
}

inline void lrn_forward(const device_tensor& x, const lrn_params& p, device_tensor& y, lrn_state& s) {
    const cudnnLRNDescriptor_t desc = lrn_descriptor(p, s);
    y.reshape(x.dims());
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnLRNCrossChannelForward(context::get().cudnn(), desc, CUDNN_LRN_CROSS_CHANNEL_DIM1, &one,
                                                   x.descriptor(), x.data(), &zero, y.descriptor(), y.data()));
}

inline void lrn_backward(const device_tensor& x, const device_tensor& y, const device_tensor& dy, const lrn_params& p,
                         lrn_state& s, device_tensor& dx) {
    const cudnnLRNDescriptor_t desc = lrn_descriptor(p, s);
    dx.reshape(x.dims());
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnLRNCrossChannelBackward(context::get().cudnn(), desc, CUDNN_LRN_CROSS_CHANNEL_DIM1, &one,
                                                    y.descriptor(), y.data(), dy.descriptor(), dy.data(),
                                                    x.descriptor(), x.data(), &zero, dx.descriptor(), dx.data()));
}

}  // namespace dermtl::backend::cuda_detail
