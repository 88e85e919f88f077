// Definitions of backend/cpu/conv.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_nn with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/cpu/conv.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include <omp.h>

#include "dermtl/backend/cpu/eigen.hpp"

namespace dermtl::backend::cpu_detail {

// Column buffer of the calling thread; grows to the largest layer once, then is reused.
DERMTL_DECL std::vector<float, aligned_allocator<float>>& thread_buffer(int which) {
    thread_local std::vector<float, aligned_allocator<float>> buffers[2];
    return buffers[which];
}

// col[(c*KH + i)*KW + j][oy*OW + ox] = x[c][oy*SH - PT + i][ox*SW - PL + j] (0 outside).
DERMTL_DECL void im2col(const float* x, const window_geometry& g, float* col) {
    const std::size_t ohw = g.out_h * g.out_w;
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                float* row = col + ((c * g.kernel_h + i) * g.kernel_w + j) * ohw;
                const float* plane = x + c * g.height * g.width;
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const std::ptrdiff_t y = std::ptrdiff_t(oy * g.stride_h + i) - std::ptrdiff_t(g.pad_top);
                    float* out = row + oy * g.out_w;
                    if (y < 0 || y >= std::ptrdiff_t(g.height)) {
                        std::fill(out, out + g.out_w, 0.0f);
                        continue;
                    }
                    const float* in = plane + y * g.width;
                    for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                        const std::ptrdiff_t xx = std::ptrdiff_t(ox * g.stride_w + j) - std::ptrdiff_t(g.pad_left);
                        out[ox] = (xx >= 0 && xx < std::ptrdiff_t(g.width)) ? in[xx] : 0.0f;
                    }
                }
            }
}

// The adjoint of im2col: accumulates columns back into the image (dx must start at zero).
DERMTL_DECL void col2im(const float* col, const window_geometry& g, float* dx) {
    const std::size_t ohw = g.out_h * g.out_w;
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                const float* row = col + ((c * g.kernel_h + i) * g.kernel_w + j) * ohw;
                float* plane = dx + c * g.height * g.width;
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const std::ptrdiff_t y = std::ptrdiff_t(oy * g.stride_h + i) - std::ptrdiff_t(g.pad_top);
                    if (y < 0 || y >= std::ptrdiff_t(g.height)) continue;
                    float* out = plane + y * g.width;
                    const float* in = row + oy * g.out_w;
                    for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                        const std::ptrdiff_t xx = std::ptrdiff_t(ox * g.stride_w + j) - std::ptrdiff_t(g.pad_left);
                        if (xx >= 0 && xx < std::ptrdiff_t(g.width)) out[xx] += in[ox];
                    }
                }
            }
}

// Runs body(n) for every image n, choosing where the parallelism goes (see the file comment).
template <class Body>
void for_each_image(std::size_t batch, Body&& body) {
    if (batch >= static_cast<std::size_t>(omp_get_max_threads())) {
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t n = 0; n < std::ptrdiff_t(batch); ++n) body(std::size_t(n));
    } else {
        for (std::size_t n = 0; n < batch; ++n) body(n);
    }
}

// y = conv(x, w) + b. x: N x C x H x W, w: OutC x C x KH x KW, b: OutC, y: N x OutC x OH x OW.
DERMTL_DECL void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y) {
    const std::size_t batch = x.shape()[0], out_c = w.shape()[0];
    const std::size_t ckk = g.channels * g.kernel_h * g.kernel_w, ohw = g.out_h * g.out_w;
    ensure_shape(y, {batch, out_c, g.out_h, g.out_w});
    const cmap_rm wm(w.data(), Eigen::Index(out_c), Eigen::Index(ckk));
    const Eigen::Map<const Eigen::VectorXf> bias(b.data(), Eigen::Index(out_c));
    for_each_image(batch, [&](std::size_t n) {
        auto& col = thread_buffer(0);
        if (col.size() < ckk * ohw) col.resize(ckk * ohw);
        im2col(x.data() + n * g.channels * g.height * g.width, g, col.data());
        map_rm yn(y.data() + n * out_c * ohw, Eigen::Index(out_c), Eigen::Index(ohw));
        yn.noalias() = wm * cmap_rm(col.data(), Eigen::Index(ckk), Eigen::Index(ohw));
        yn.colwise() += bias;
    });
}

// Gradients of conv2d_forward: dw, db (overwritten) and, if wanted, dx (overwritten).
DERMTL_DECL void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g, tensor& dw,
                                 tensor& db, tensor* dx) {
    const std::size_t batch = x.shape()[0], out_c = w.shape()[0];
    const std::size_t ckk = g.channels * g.kernel_h * g.kernel_w, ohw = g.out_h * g.out_w;
    const std::size_t in_size = g.channels * g.height * g.width;
    const cmap_rm wm(w.data(), Eigen::Index(out_c), Eigen::Index(ckk));
    map_rm dwm(dw.data(), Eigen::Index(out_c), Eigen::Index(ckk));
    Eigen::Map<Eigen::VectorXf> dbv(db.data(), Eigen::Index(out_c));
    dwm.setZero();
    dbv.setZero();
    if (dx) {
        ensure_shape(*dx, dims_of(x));
        std::fill(dx->begin(), dx->end(), 0.0f);
    }
    const bool per_thread = batch >= static_cast<std::size_t>(omp_get_max_threads());
    auto image = [&](std::size_t n, map_rm& dw_acc, Eigen::Map<Eigen::VectorXf>& db_acc) {
        auto& col = thread_buffer(0);
        if (col.size() < ckk * ohw) col.resize(ckk * ohw);
        const cmap_rm dyn(dy.data() + n * out_c * ohw, Eigen::Index(out_c), Eigen::Index(ohw));
        im2col(x.data() + n * in_size, g, col.data());
        map_rm colm(col.data(), Eigen::Index(ckk), Eigen::Index(ohw));
        dw_acc.noalias() += dyn * colm.transpose();
        // A plain loop, not dyn.rowwise().sum(): Eigen's vectorized sum starts at the first
        // aligned element, so its rounding would depend on where the buffer happens to lie.
        const float* dyp = dy.data() + n * out_c * ohw;
        for (std::size_t o = 0; o < out_c; ++o) {
            float sum = 0.0f;
            for (std::size_t i = 0; i < ohw; ++i) sum += dyp[o * ohw + i];
            db_acc[Eigen::Index(o)] += sum;
        }
        if (dx) {
            colm.noalias() = wm.transpose() * dyn;
            col2im(col.data(), g, dx->data() + n * in_size);
        }
    };
    if (!per_thread) {
        for (std::size_t n = 0; n < batch; ++n) image(n, dwm, dbv);
        return;
    }
    // Per-thread partial sums, added up afterwards in thread order (not in arrival order, as a
    // critical section would): the same inputs and thread count give bitwise the same gradients,
    // which resuming a training run from a checkpoint relies on.
    const std::size_t acc_size = out_c * ckk + out_c;
    std::vector<const float*> partial(static_cast<std::size_t>(omp_get_max_threads()), nullptr);
#pragma omp parallel
    {
        auto& acc = thread_buffer(1);
        if (acc.size() < acc_size) acc.resize(acc_size);
        std::fill(acc.begin(), acc.begin() + std::ptrdiff_t(acc_size), 0.0f);
        map_rm dw_local(acc.data(), Eigen::Index(out_c), Eigen::Index(ckk));
        Eigen::Map<Eigen::VectorXf> db_local(acc.data() + out_c * ckk, Eigen::Index(out_c));
        partial[static_cast<std::size_t>(omp_get_thread_num())] = acc.data();
        const std::size_t team = static_cast<std::size_t>(omp_get_num_threads());
#pragma omp for schedule(static)
        for (std::ptrdiff_t n = 0; n < std::ptrdiff_t(batch); ++n) image(std::size_t(n), dw_local, db_local);
        // (implicit barrier: every partial sum is complete)
#pragma omp for schedule(static)
        for (std::ptrdiff_t e = 0; e < std::ptrdiff_t(acc_size); ++e) {
            float sum = 0.0f;
            for (std::size_t t = 0; t < team; ++t) sum += partial[t][e];
            if (std::size_t(e) < out_c * ckk)
                dw.data()[e] = sum;
            else
                db.data()[std::size_t(e) - out_c * ckk] = sum;
        }
    }
}

}  // namespace dermtl::backend::cpu_detail
