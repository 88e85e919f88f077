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

namespace dermtl::backend::onednn_detail {

inline void relu_forward(const tensor& x, tensor& y) {
    y.assume(x.dims(), x.desc());
    const std::ptrdiff_t n = std::ptrdiff_t(x.physical_floats());
    const float* in = x.data();
    float* out = y.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = std::max(in[i], 0.0f);
}

// dx = dy where y > 0, else 0 (the reference's subgradient at 0).
inline void relu_backward(const tensor& y, const tensor& dy, tensor& dx) {
    dy.relayout(y.desc());
    dx.assume(y.dims(), y.desc());
    const std::ptrdiff_t n = std::ptrdiff_t(y.physical_floats());
    const float* yd = y.data();
    const float* g = dy.data();
    float* out = dx.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = yd[i] > 0.0f ? g[i] : 0.0f;
}

// Inverted dropout with the reference's mask (cpu/pointwise.hpp): drawn sequentially in NCHW order.
inline void dropout_forward(const tensor& x, float p, bool training, rng& gen, tensor& mask, tensor& y) {
    x.relayout(plain_desc(x.desc().data.ndims ? x.desc().dims() : to_dims(x.dims())));
    y.assume(x.dims(), x.desc());
    const std::size_t n = x.size();
    if (!training || p == 0.0f) {
        std::copy(x.data(), x.data() + n, y.data());
        return;
    }
    mask.assume(x.dims(), x.desc());
    const float keep_scale = 1.0f / (1.0f - p);
    for (std::size_t i = 0; i < n; ++i) mask.data()[i] = gen.uniform() >= p ? keep_scale : 0.0f;
    const float* in = x.data();
    const float* m = mask.data();
    float* out = y.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) out[i] = in[i] * m[i];
}

inline void dropout_backward(const tensor& dy, float p, bool training, const tensor& mask, tensor& dx) {
    if (!training || p == 0.0f) {
        dx = dy;
        return;
    }
    dy.relayout(mask.desc());
    dx.assume(dy.dims(), mask.desc());
    const float* g = dy.data();
    const float* m = mask.data();
    float* out = dx.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(dy.size()); ++i) out[i] = g[i] * m[i];
}

// The loss and softmax: the reference's code (cpu/pointwise.hpp) on a plain copy of the logits,
// which are N x K with K the number of classes -- a few hundred bytes.
struct loss_scratch {
    host_tensor logits, grad;
};
inline loss_scratch& loss_buffers() {
    thread_local loss_scratch s;
    return s;
}

inline double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
    auto& s = loss_buffers();
    dermtl::ensure_shape(s.logits, logits.dims());
    logits.read_plain(s.logits.data());
    const double loss = cpu_detail::softmax_cross_entropy(s.logits, labels, s.grad);
    dlogits.assume_plain(logits.dims());
    std::copy(s.grad.begin(), s.grad.end(), dlogits.data());
    return loss;
}

inline void softmax(const tensor& logits, tensor& probs) {
    auto& s = loss_buffers();
    dermtl::ensure_shape(s.logits, logits.dims());
    logits.read_plain(s.logits.data());
    cpu_detail::softmax(s.logits, s.grad);
    probs.assume_plain(logits.dims());
    std::copy(s.grad.begin(), s.grad.end(), probs.data());
}

// The reference's fused Nesterov step (cpu/ops.hpp), over the weights' physical layout. Padding
// elements of a blocked layout are 0 in w, g and v, and stay 0.
inline void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
    g.relayout(w.desc());
    v.relayout(w.desc());
    const std::ptrdiff_t n = std::ptrdiff_t(w.physical_floats());
    float* wd = w.data();
    const float* gd = g.data();
    float* vd = v.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const float step = lr * (gd[i] + 2.0f * l2 * wd[i]);
        vd[i] = momentum * vd[i] - step;
        wd[i] += momentum * vd[i] - step;
    }
}

// Index, in logical NCHW order, of the first NaN/Inf, or -1. The physical buffer is scanned first
// (every layout holds the same values, plus zero padding); only a tensor with a non-finite value
// is converted to find its logical index.
inline std::ptrdiff_t first_non_finite(const tensor& t) {
    // NaN and Inf are the floats whose exponent bits are all ones: a branch-free scan that the
    // compiler vectorizes (this runs after every layer).
    const auto* bits = reinterpret_cast<const std::uint32_t*>(t.data());
    const std::ptrdiff_t n = std::ptrdiff_t(t.physical_floats());
    std::uint32_t bad = 0;
#pragma omp parallel for simd schedule(static) reduction(| : bad)
    for (std::ptrdiff_t i = 0; i < n; ++i) bad |= std::uint32_t((bits[i] & 0x7f800000u) == 0x7f800000u);
    if (!bad) return -1;
    host_tensor h(t.dims());
    t.read_plain(h.data());
    return cpu_detail::first_non_finite(h);
}

}  // namespace dermtl::backend::onednn_detail
