#pragma once
// CUDA element-wise layers and the loss: ReLU and softmax through cuDNN, inverted dropout with
// masks drawn from dermtl::rng on the host (the same draws as the CPU backend, so a seed gives the
// same mask on both), softmax + cross-entropy and the non-finite search as small kernels.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::backend::cuda_detail {

inline void copy(const device_tensor& from, device_tensor& to) {
    to.reshape(from.dims());
    if (from.size())
        DERMTL_CUDA_CHECK(cudaMemcpyAsync(to.data(), from.data(), from.bytes(), cudaMemcpyDeviceToDevice, nullptr));
}

inline void fill(device_tensor& t, float value) {
    if (!t.size()) return;
    kernels::fill(t.data(), value, t.size());
}

inline void relu_forward(const device_tensor& x, device_tensor& y) {
    context& ctx = context::get();
    y.reshape(x.dims());
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnActivationForward(ctx.cudnn(), ctx.relu_descriptor(), &one, x.descriptor(), x.data(), &zero,
                                              y.descriptor(), y.data()));
}

inline void relu_backward(const device_tensor& x, const device_tensor& y, const device_tensor& dy, device_tensor& dx) {
    context& ctx = context::get();
    dx.reshape(y.dims());
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnActivationBackward(ctx.cudnn(), ctx.relu_descriptor(), &one, y.descriptor(), y.data(),
                                               dy.descriptor(), dy.data(), x.descriptor(), x.data(), &zero,
                                               dx.descriptor(), dx.data()));
}

// Per-layer dropout state: the device mask and its host staging buffer (both reused).
struct dropout_state {
    device_tensor mask;
    std::vector<float> host_mask;
};

inline void dropout_forward(const device_tensor& x, float p, bool training, rng& gen, dropout_state& s,
                            device_tensor& y) {
    if (!training || p == 0.0f) {
        copy(x, y);
        return;
    }
    y.reshape(x.dims());
    s.mask.reshape(x.dims());
    // The CPU backend's draws, in its order: mask[i] = uniform() >= p ? 1/(1-p) : 0.
    const float keep_scale = 1.0f / (1.0f - p);
    s.host_mask.resize(x.size());
    for (float& m : s.host_mask) m = gen.uniform() >= p ? keep_scale : 0.0f;
    DERMTL_CUDA_CHECK(cudaMemcpy(s.mask.data(), s.host_mask.data(), x.bytes(), cudaMemcpyHostToDevice));
    kernels::multiply(x.data(), s.mask.data(), y.data(), x.size());
}

inline void dropout_backward(const device_tensor& dy, float p, bool training, const dropout_state& s,
                             device_tensor& dx) {
    if (!training || p == 0.0f) {
        copy(dy, dx);
        return;
    }
    dx.reshape(dy.dims());
    kernels::multiply(dy.data(), s.mask.data(), dx.data(), dy.size());
}

// Row-wise softmax probabilities (cuDNN, accurate mode, over C*H*W per sample).
inline void softmax(const device_tensor& logits, device_tensor& probs) {
    context& ctx = context::get();
    probs.reshape(logits.dims());
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnSoftmaxForward(ctx.cudnn(), CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE, &one,
                                           logits.descriptor(), logits.data(), &zero, probs.descriptor(), probs.data()));
}

// Mean cross-entropy of softmax(logits); the same checks, messages and arithmetic (double) as the
// CPU backend. Per-row losses come back to the host and are summed in order (deterministic).
inline double softmax_cross_entropy(const device_tensor& logits, std::span<const int> labels, device_tensor& dlogits) {
    const dims4 d = logits.dims();
    const std::size_t n = d[0], k = d[1] * d[2] * d[3];
    if (labels.size() != n)
        throw shape_error("softmax_cross_entropy: expected " + std::to_string(n) + " labels (one per logit row), got " +
                          std::to_string(labels.size()));
    for (std::size_t i = 0; i < n; ++i)
        if (labels[i] < 0 || std::size_t(labels[i]) >= k)
            throw config_error("softmax_cross_entropy: label of sample " + std::to_string(i) + " is " +
                               std::to_string(labels[i]) + ", expected 0.." + std::to_string(k - 1));
    context& ctx = context::get();
    dlogits.reshape(d);
    // Scratch layout: n doubles (losses), then n ints (labels).
    auto* scratch = static_cast<unsigned char*>(ctx.scratch(n * (sizeof(double) + sizeof(int))));
    auto* loss = reinterpret_cast<double*>(scratch);
    auto* dev_labels = reinterpret_cast<int*>(scratch + n * sizeof(double));
    DERMTL_CUDA_CHECK(cudaMemcpy(dev_labels, labels.data(), n * sizeof(int), cudaMemcpyHostToDevice));
    kernels::softmax_cross_entropy(logits.data(), dev_labels, n, k, dlogits.data(), loss);
    thread_local std::vector<double> host_loss;
    host_loss.resize(n);
    DERMTL_CUDA_CHECK(cudaMemcpy(host_loss.data(), loss, n * sizeof(double), cudaMemcpyDeviceToHost));
    double total = 0;
    for (double l : host_loss) total += l;
    return total / double(n);
}

// Index of the first NaN/Inf, or -1 when all values are finite (one small copy back).
inline std::ptrdiff_t first_non_finite(const device_tensor& t) {
    if (!t.size()) return -1;
    context& ctx = context::get();
    auto* first = static_cast<unsigned long long*>(ctx.scratch(sizeof(unsigned long long)));
    DERMTL_CUDA_CHECK(cudaMemsetAsync(first, 0xff, sizeof(unsigned long long), nullptr));
    kernels::first_non_finite(t.data(), t.size(), first);
    unsigned long long host = 0;
    DERMTL_CUDA_CHECK(cudaMemcpy(&host, first, sizeof(host), cudaMemcpyDeviceToHost));
    return host == ~0ull ? -1 : std::ptrdiff_t(host);
}

// first_non_finite of several tensors with one copy back (one host synchronization): a network
// checks every layer's output once per forward pass this way, not once per layer. out[i] is the
// index of the first NaN/Inf of *ts[i], or -1 (also for an empty tensor).
inline void first_non_finite_each(std::span<const device_tensor* const> ts, std::span<std::ptrdiff_t> out) {
    if (out.size() != ts.size())
        throw shape_error("backend::cuda first_non_finite_each: " + std::to_string(ts.size()) + " tensors but " +
                          std::to_string(out.size()) + " results");
    if (ts.empty()) return;
    context& ctx = context::get();
    auto* first = static_cast<unsigned long long*>(ctx.scratch(ts.size() * sizeof(unsigned long long)));
    DERMTL_CUDA_CHECK(cudaMemsetAsync(first, 0xff, ts.size() * sizeof(unsigned long long), nullptr));
    for (std::size_t i = 0; i < ts.size(); ++i) {
        const device_tensor& t = *ts[i];
        if (!t.size()) continue;
        kernels::first_non_finite(t.data(), t.size(), first + i);
    }
    thread_local std::vector<unsigned long long> host;
    host.resize(ts.size());
    DERMTL_CUDA_CHECK(cudaMemcpy(host.data(), first, ts.size() * sizeof(unsigned long long), cudaMemcpyDeviceToHost));
    for (std::size_t i = 0; i < ts.size(); ++i) out[i] = host[i] == ~0ull ? -1 : std::ptrdiff_t(host[i]);
}

inline void sgd_nesterov_update(device_tensor& w, const device_tensor& g, device_tensor& v, float lr, float momentum,
                                float l2) {
    if (g.dims() != w.dims() || v.dims() != w.dims())
        throw shape_error("backend::cuda sgd_nesterov_update: weight " + describe(w.dims()) + ", gradient " +
                          describe(g.dims()) + " and velocity " + describe(v.dims()) + " must have one shape");
    if (!w.size()) return;
    kernels::sgd_nesterov(w.data(), g.data(), v.data(), w.size(), lr, momentum, l2);
}

}  // namespace dermtl::backend::cuda_detail
