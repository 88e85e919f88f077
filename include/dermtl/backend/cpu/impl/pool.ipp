// Definitions of dermtl/backend/cpu/pool.hpp (see core/config.hpp): inline in header-only use,
// compiled once into the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/cpu/pool.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>
#include "dermtl/backend/cpu/conv.hpp"  // window_geometry
#include "dermtl/backend/cpu/tensor.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, std::vector<std::int32_t>& argmax) {
    const std::size_t batch = x.shape()[0], planes = batch * g.channels;
    const std::size_t hw = g.height * g.width, ohw = g.out_h * g.out_w;
    ensure_shape(y, {batch, g.channels, g.out_h, g.out_w});
    argmax.resize(planes * ohw);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t p = 0; p < std::ptrdiff_t(planes); ++p) {
        const float* in = x.data() + std::size_t(p) * hw;
        float* out = y.data() + std::size_t(p) * ohw;
        std::int32_t* arg = argmax.data() + std::size_t(p) * ohw;
        for (std::size_t oy = 0; oy < g.out_h; ++oy) {
            const std::ptrdiff_t y0 = std::ptrdiff_t(oy * g.stride_h) - std::ptrdiff_t(g.pad_top);
            const std::ptrdiff_t ya = std::max<std::ptrdiff_t>(y0, 0);
            const std::ptrdiff_t yb = std::min<std::ptrdiff_t>(y0 + std::ptrdiff_t(g.kernel_h), std::ptrdiff_t(g.height));
            for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                const std::ptrdiff_t x0 = std::ptrdiff_t(ox * g.stride_w) - std::ptrdiff_t(g.pad_left);
                const std::ptrdiff_t xa = std::max<std::ptrdiff_t>(x0, 0);
                const std::ptrdiff_t xb = std::min<std::ptrdiff_t>(x0 + std::ptrdiff_t(g.kernel_w), std::ptrdiff_t(g.width));
                float best = -std::numeric_limits<float>::infinity();
                std::int32_t best_i = std::int32_t(ya * std::ptrdiff_t(g.width) + xa);
                for (std::ptrdiff_t yy = ya; yy < yb; ++yy)
                    for (std::ptrdiff_t xx = xa; xx < xb; ++xx) {
                        const float v = in[yy * std::ptrdiff_t(g.width) + xx];
                        if (v > best) {
                            best = v;
                            best_i = std::int32_t(yy * std::ptrdiff_t(g.width) + xx);
                        }
                    }
                out[oy * g.out_w + ox] = best;
                arg[oy * g.out_w + ox] = best_i;
            }
        }
    }
}

DERMTL_DECL void max_pool_backward(const tensor& dy, const window_geometry& g, const std::vector<std::int32_t>& argmax,
                                   tensor& dx) {
    const std::size_t batch = dy.shape()[0], planes = batch * g.channels;
    const std::size_t hw = g.height * g.width, ohw = g.out_h * g.out_w;
    ensure_shape(dx, {batch, g.channels, g.height, g.width});
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t p = 0; p < std::ptrdiff_t(planes); ++p) {
        float* out = dx.data() + std::size_t(p) * hw;
        std::fill(out, out + hw, 0.0f);
        const float* in = dy.data() + std::size_t(p) * ohw;
        const std::int32_t* arg = argmax.data() + std::size_t(p) * ohw;
        for (std::size_t i = 0; i < ohw; ++i) out[arg[i]] += in[i];
    }
}

}  // namespace dermtl::backend::cpu_detail
