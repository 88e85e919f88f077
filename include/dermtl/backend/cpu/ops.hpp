#pragma once
// backend::ops<backend::cpu>: every operation the layers need, on host tensors, with Eigen for
// the matrix products and OpenMP across images/planes. The reference implementation of the
// backend contract (backend/contract.hpp, which states the conventions every backend follows);
// the CUDA backend provides the same members in backend/cuda/ops.hpp.
//
// Bitwise reproducible: the same inputs and thread count give the same bits (fixed reduction
// orders in cpu/conv.hpp, 64-byte aligned buffers in core/tensor.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "dermtl/backend/cpu/conv.hpp"
#include "dermtl/backend/cpu/dense.hpp"
#include "dermtl/backend/cpu/lrn.hpp"
#include "dermtl/backend/cpu/pointwise.hpp"
#include "dermtl/backend/cpu/pool.hpp"
#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/tags.hpp"

namespace dermtl::backend {

template <>
struct ops<cpu> {
    using tensor = cpu_detail::tensor;
    using window_geometry = cpu_detail::window_geometry;
    using lrn_params = cpu_detail::lrn_params;

    // Per-layer state. Convolution and dense layers need none on the CPU (their column buffers
    // are per thread, cpu/conv.hpp); the types exist because the contract has layers own one.
    struct conv_state {};
    struct dense_state {};
    struct pool_state {
        std::vector<std::int32_t> argmax;
    };
    struct lrn_state {
        tensor scale, work;
    };
    struct dropout_state {
        tensor mask;
    };

    // Moving data: the CPU computes on host tensors, so these are copies.
    static tensor from_host(const host_tensor& h) { return h; }
    static host_tensor to_host(const tensor& t) { return t; }
    // Into an existing tensor, reusing its memory: the same calls exist on every backend, so a
    // backend-generic training loop uploads each batch without allocating.
    static void from_host(const host_tensor& h, tensor& t) { copy(h, t); }
    static void to_host(const tensor& t, host_tensor& h) { copy(t, h); }
    static void copy(const tensor& from, tensor& to) {
        dermtl::ensure_shape(to, dims_of(from));
        std::copy(from.begin(), from.end(), to.begin());
    }
    static dims4 dims(const tensor& t) { return dims_of(t); }
    static void reshape(tensor& t, const dims4& d) { dermtl::ensure_shape(t, d); }
    static std::ptrdiff_t first_non_finite(const tensor& t) { return cpu_detail::first_non_finite(t); }

    static void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                               conv_state& /*s*/) {
        cpu_detail::conv2d_forward(x, w, b, g, y);
    }
    static void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                conv_state& /*s*/, tensor& dw, tensor& db, tensor* dx) {
        cpu_detail::conv2d_backward(x, w, dy, g, dw, db, dx);
    }

    static void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& /*s*/) {
        cpu_detail::dense_forward(x, w, b, y);
    }
    static void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& /*s*/, tensor& dw,
                               tensor& db, tensor* dx) {
        cpu_detail::dense_backward(x, w, dy, dw, db, dx);
    }

    static void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, pool_state& s) {
        cpu_detail::max_pool_forward(x, g, y, s.argmax);
    }
    static void max_pool_backward(const tensor& /*x*/, const tensor& /*y*/, const tensor& dy, const window_geometry& g,
                                  const pool_state& s, tensor& dx) {
        cpu_detail::max_pool_backward(dy, g, s.argmax, dx);
    }

    static void lrn_forward(const tensor& x, const lrn_params& p, tensor& y, lrn_state& s) {
        cpu_detail::lrn_forward(x, p, y, s.scale);
    }
    static void lrn_backward(const tensor& x, const tensor& y, const tensor& dy, const lrn_params& p, lrn_state& s,
                             tensor& dx) {
        cpu_detail::lrn_backward(x, y, s.scale, dy, p, dx, s.work);
    }

    static void relu_forward(const tensor& x, tensor& y) { cpu_detail::relu_forward(x, y); }
    static void relu_backward(const tensor& /*x*/, const tensor& y, const tensor& dy, tensor& dx) {
        cpu_detail::relu_backward(y, dy, dx);
    }

    static void dropout_forward(const tensor& x, float p, bool training, rng& gen, dropout_state& s, tensor& y) {
        cpu_detail::dropout_forward(x, p, training, gen, s.mask, y);
    }
    static void dropout_backward(const tensor& dy, float p, bool training, const dropout_state& s, tensor& dx) {
        cpu_detail::dropout_backward(dy, p, training, s.mask, dx);
    }

    static double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
        return cpu_detail::softmax_cross_entropy(logits, labels, dlogits);
    }
    static void softmax(const tensor& logits, tensor& probs) { cpu_detail::softmax(logits, probs); }

    // One fused pass of Nesterov-momentum SGD over a parameter buffer (cpu/pointwise.hpp).
    static void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
        cpu_detail::sgd_nesterov_update(w, g, v, lr, momentum, l2);
    }
    static void fill(tensor& t, float value) { std::fill(t.begin(), t.end(), value); }
};

static_assert(backend_ops<ops<cpu>>,
              "backend::ops<cpu> (backend/cpu/ops.hpp) breaks the backend contract backend::backend_ops: an "
              "operation is missing or has another signature; the operations are listed in "
              "dermtl/backend/contract.hpp");

}  // namespace dermtl::backend
