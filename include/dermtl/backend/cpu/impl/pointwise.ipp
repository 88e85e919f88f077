// Definitions of dermtl/backend/cpu/pointwise.hpp (see core/config.hpp): inline in header-only use,
// compiled once into the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/cpu/pointwise.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void relu_forward(const tensor& x, tensor& y) {
    ensure_shape(y, dims_of(x));
    const std::ptrdiff_t n = std::ptrdiff_t(x.size());
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) y.data()[i] = std::max(x.data()[i], 0.0f);
}

DERMTL_DECL void relu_backward(const tensor& y, const tensor& dy, tensor& dx) {
    ensure_shape(dx, dims_of(y));
    const std::ptrdiff_t n = std::ptrdiff_t(y.size());
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) dx.data()[i] = y.data()[i] > 0.0f ? dy.data()[i] : 0.0f;
}

DERMTL_DECL void dropout_forward(const tensor& x, float p, bool training, rng& gen, tensor& mask, tensor& y) {
    ensure_shape(y, dims_of(x));
    if (!training || p == 0.0f) {
        std::copy(x.begin(), x.end(), y.begin());
        return;
    }
    ensure_shape(mask, dims_of(x));
    const float keep_scale = 1.0f / (1.0f - p);
    for (std::size_t i = 0; i < x.size(); ++i) mask.data()[i] = gen.uniform() >= p ? keep_scale : 0.0f;
    const std::ptrdiff_t n = std::ptrdiff_t(x.size());
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) y.data()[i] = x.data()[i] * mask.data()[i];
}

DERMTL_DECL void dropout_backward(const tensor& dy, float p, bool training, const tensor& mask, tensor& dx) {
    ensure_shape(dx, dims_of(dy));
    if (!training || p == 0.0f) {
        std::copy(dy.begin(), dy.end(), dx.begin());
        return;
    }
    const std::ptrdiff_t n = std::ptrdiff_t(dy.size());
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) dx.data()[i] = dy.data()[i] * mask.data()[i];
}

DERMTL_DECL double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
    const std::size_t n = logits.shape()[0], k = logits.shape()[1] * logits.shape()[2] * logits.shape()[3];
    if (labels.size() != n)
        throw shape_error("softmax_cross_entropy: expected " + std::to_string(n) + " labels (one per logit row), got " +
                          std::to_string(labels.size()));
    ensure_shape(dlogits, dims_of(logits));
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const int label = labels[i];
        if (label < 0 || std::size_t(label) >= k)
            throw config_error("softmax_cross_entropy: label of sample " + std::to_string(i) + " is " +
                               std::to_string(label) + ", expected 0.." + std::to_string(k - 1));
        const float* z = logits.data() + i * k;
        float* g = dlogits.data() + i * k;
        const double m = *std::max_element(z, z + k);
        double sum = 0;
        for (std::size_t j = 0; j < k; ++j) sum += std::exp(double(z[j]) - m);
        const double log_sum = std::log(sum) + m;
        total += log_sum - z[label];
        for (std::size_t j = 0; j < k; ++j)
            g[j] = float((std::exp(double(z[j]) - log_sum) - (int(j) == label ? 1.0 : 0.0)) / double(n));
    }
    return total / double(n);
}

DERMTL_DECL void softmax(const tensor& logits, tensor& probs) {
    const std::size_t n = logits.shape()[0], k = logits.size() / std::max<std::size_t>(n, 1);
    ensure_shape(probs, dims_of(logits));
    for (std::size_t i = 0; i < n; ++i) {
        const float* z = logits.data() + i * k;
        float* p = probs.data() + i * k;
        const double m = *std::max_element(z, z + k);
        double sum = 0;
        for (std::size_t j = 0; j < k; ++j) sum += std::exp(double(z[j]) - m);
        for (std::size_t j = 0; j < k; ++j) p[j] = float(std::exp(double(z[j]) - m) / sum);
    }
}

DERMTL_DECL void nesterov_step(float* w, const float* g, float* v, std::ptrdiff_t n, float lr, float momentum,
                               float l2) {
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const float step = lr * (g[i] + 2.0f * l2 * w[i]);
        v[i] = momentum * v[i] - step;
        w[i] += momentum * v[i] - step;
    }
}

DERMTL_DECL void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
    nesterov_step(w.data(), g.data(), v.data(), std::ptrdiff_t(w.size()), lr, momentum, l2);
}

DERMTL_DECL std::ptrdiff_t first_non_finite(const tensor& t) {
    const float* d = t.data();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (!std::isfinite(d[i])) return std::ptrdiff_t(i);
    return -1;
}

}  // namespace dermtl::backend::cpu_detail
