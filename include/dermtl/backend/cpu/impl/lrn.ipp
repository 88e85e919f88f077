// Definitions of dermtl/backend/cpu/lrn.hpp (see core/config.hpp): inline in header-only use,
// compiled once into the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/cpu/lrn.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/backend/lrn_params.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void lrn_forward(const tensor& x, const lrn_params& p, tensor& y, tensor& scale) {
    const std::size_t batch = x.shape()[0], channels = x.shape()[1], hw = x.shape()[2] * x.shape()[3];
    const std::ptrdiff_t half = std::ptrdiff_t(p.size - 1) / 2;
    ensure_shape(y, dims_of(x));
    ensure_shape(scale, dims_of(x));
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t nc = 0; nc < std::ptrdiff_t(batch * channels); ++nc) {
        const std::size_t n = std::size_t(nc) / channels;
        const std::ptrdiff_t c = nc % std::ptrdiff_t(channels);
        const float* xn = x.data() + n * channels * hw;
        float* d = scale.data() + std::size_t(nc) * hw;
        std::fill(d, d + hw, 0.0f);
        const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(0, c - half);
        const std::ptrdiff_t hi = std::min<std::ptrdiff_t>(std::ptrdiff_t(channels) - 1, c + half);
        for (std::ptrdiff_t j = lo; j <= hi; ++j) {
            const float* xj = xn + std::size_t(j) * hw;
            for (std::size_t i = 0; i < hw; ++i) d[i] += xj[i] * xj[i];
        }
        const float* xc = xn + std::size_t(c) * hw;
        float* yc = y.data() + std::size_t(nc) * hw;
        for (std::size_t i = 0; i < hw; ++i) {
            d[i] = p.kappa + p.alpha * d[i];
            yc[i] = xc[i] * std::pow(d[i], -p.beta);
        }
    }
}

DERMTL_DECL void lrn_backward(const tensor& x, const tensor& y, const tensor& scale, const tensor& dy, const lrn_params& p,
                              tensor& dx, tensor& work) {
    const std::size_t batch = x.shape()[0], channels = x.shape()[1], hw = x.shape()[2] * x.shape()[3];
    const std::ptrdiff_t half = std::ptrdiff_t(p.size - 1) / 2;
    ensure_shape(dx, dims_of(x));
    // t_j = dy_j * x_j * d_j^(-beta-1) = dy_j * y_j / d_j.
    ensure_shape(work, dims_of(x));
    tensor& t = work;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t k = 0; k < std::ptrdiff_t(x.size()); ++k) t.data()[k] = dy.data()[k] * y.data()[k] / scale.data()[k];
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t nc = 0; nc < std::ptrdiff_t(batch * channels); ++nc) {
        const std::size_t n = std::size_t(nc) / channels;
        const std::ptrdiff_t c = nc % std::ptrdiff_t(channels);
        const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(0, c - half);
        const std::ptrdiff_t hi = std::min<std::ptrdiff_t>(std::ptrdiff_t(channels) - 1, c + half);
        float* out = dx.data() + std::size_t(nc) * hw;
        const float* xc = x.data() + std::size_t(nc) * hw;
        const float* dyc = dy.data() + std::size_t(nc) * hw;
        const float* dc = scale.data() + std::size_t(nc) * hw;
        for (std::size_t i = 0; i < hw; ++i) out[i] = 0.0f;
        for (std::ptrdiff_t j = lo; j <= hi; ++j) {
            const float* tj = t.data() + (n * channels + std::size_t(j)) * hw;
            for (std::size_t i = 0; i < hw; ++i) out[i] += tj[i];
        }
        const float k2ab = 2.0f * p.alpha * p.beta;
        for (std::size_t i = 0; i < hw; ++i) out[i] = dyc[i] * std::pow(dc[i], -p.beta) - k2ab * xc[i] * out[i];
    }
}

}  // namespace dermtl::backend::cpu_detail
