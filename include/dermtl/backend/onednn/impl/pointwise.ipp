// Definitions of dermtl/backend/onednn/pointwise.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/pointwise.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include "dermtl/backend/cpu/pointwise.hpp"
#include "dermtl/backend/onednn/tensor.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::backend::onednn_detail {

// bf16 elements of t's buffer (its layout's size, padding included).
DERMTL_DECL std::ptrdiff_t bf16_count(const tensor& t) { return std::ptrdiff_t(t.desc().get_size() / 2); }

DERMTL_DECL void relu_forward(const tensor& x, tensor& y) {
    y.assume(x.dims(), x.desc());
    if (x.bf16()) {  // max(x, 0) on the bits: a set sign bit gives +0
        const std::ptrdiff_t n = bf16_count(x);
        const auto* in = reinterpret_cast<const std::uint16_t*>(x.data());
        auto* out = reinterpret_cast<std::uint16_t*>(y.data());
#pragma omp parallel for simd schedule(static)
        for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = (in[i] & 0x8000u) ? std::uint16_t(0) : in[i];
        return;
    }
    const std::ptrdiff_t n = std::ptrdiff_t(x.physical_floats());
    const float* in = x.data();
    float* out = y.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = std::max(in[i], 0.0f);
}

DERMTL_DECL void relu_backward(const tensor& y, const tensor& dy, tensor& dx) {
    dy.relayout(y.desc());
    dx.assume(y.dims(), y.desc());
    if (y.bf16()) {  // y > 0: sign bit clear and not zero
        const std::ptrdiff_t n = bf16_count(y);
        const auto* yd = reinterpret_cast<const std::uint16_t*>(y.data());
        const auto* g = reinterpret_cast<const std::uint16_t*>(dy.data());
        auto* out = reinterpret_cast<std::uint16_t*>(dx.data());
#pragma omp parallel for simd schedule(static)
        for (std::ptrdiff_t i = 0; i < n; ++i)
            out[i] = (!(yd[i] & 0x8000u) && (yd[i] & 0x7fffu)) ? g[i] : std::uint16_t(0);
        return;
    }
    const std::ptrdiff_t n = std::ptrdiff_t(y.physical_floats());
    const float* yd = y.data();
    const float* g = dy.data();
    float* out = dx.data();
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = yd[i] > 0.0f ? g[i] : 0.0f;
}

DERMTL_DECL void dropout_forward(const tensor& x, float p, bool training, rng& gen, tensor& mask, tensor& y) {
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

DERMTL_DECL void dropout_backward(const tensor& dy, float p, bool training, const tensor& mask, tensor& dx) {
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

DERMTL_DECL loss_scratch& loss_buffers() {
    thread_local loss_scratch s;
    return s;
}

DERMTL_DECL double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
    auto& s = loss_buffers();
    dermtl::ensure_shape(s.logits, logits.dims());
    logits.read_plain(s.logits.data());
    const double loss = cpu_detail::softmax_cross_entropy(s.logits, labels, s.grad);
    dlogits.assume_plain(logits.dims());
    std::copy(s.grad.begin(), s.grad.end(), dlogits.data());
    return loss;
}

DERMTL_DECL void softmax(const tensor& logits, tensor& probs) {
    auto& s = loss_buffers();
    dermtl::ensure_shape(s.logits, logits.dims());
    logits.read_plain(s.logits.data());
    cpu_detail::softmax(s.logits, s.grad);
    probs.assume_plain(logits.dims());
    std::copy(s.grad.begin(), s.grad.end(), probs.data());
}

DERMTL_DECL void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
    g.relayout(w.desc());
    v.relayout(w.desc());
    cpu_detail::nesterov_step(w.data(), g.data(), v.data(), std::ptrdiff_t(w.physical_floats()), lr, momentum, l2);
}

DERMTL_DECL std::ptrdiff_t first_non_finite(const tensor& t) {
    // NaN and Inf are the floats whose exponent bits are all ones: a branch-free scan that the
    // compiler vectorizes (this runs after every layer). bf16 is float32's upper half.
    if (t.bf16()) {
        const auto* half = reinterpret_cast<const std::uint16_t*>(t.data());
        const std::ptrdiff_t n = bf16_count(t);
        std::uint32_t bad = 0;
#pragma omp parallel for simd schedule(static) reduction(| : bad)
        for (std::ptrdiff_t i = 0; i < n; ++i) bad |= std::uint32_t((half[i] & 0x7f80u) == 0x7f80u);
        if (!bad) return -1;
        host_tensor h(t.dims());
        t.read_plain(h.data());
        return cpu_detail::first_non_finite(h);
    }
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
