#pragma once
// backend::ops<backend::onednn>: the backend contract (backend/contract.hpp) on oneDNN 2.6's CPU
// primitives. Convolution (forward, backward-data, backward-weights), max pooling, LRN and the
// inner product run through oneDNN in the blocked layouts it chooses per layer shape; ReLU is
// fused into the preceding convolution where the network has one (conv2d_relu_forward) and is
// otherwise an element-wise pass; dropout, the loss and the SGD step are dermtl's own.
//
// Tensors are host memory with a layout (onednn/tensor.hpp): dims() is always the logical NCHW
// shape, and from_host/to_host convert to and from plain NCHW, so everything outside the backend
// sees what backend::cpu shows. backend::cpu is the reference this backend is tested against
// (tests/backend/test_onednn.cpp).
//
// Determinism: oneDNN's CPU primitives give the same bits for the same inputs, thread count,
// ISA and 64-byte-aligned buffers (its documented reproducibility conditions); dermtl's tensors
// are aligned, so the same binary on the same machine with the same thread count trains bitwise
// identically, and resumes so. Across ISAs (ONEDNN_MAX_CPU_ISA, another CPU) results agree only
// within a tolerance.
//
// Numerics (backend/precision.hpp): float32, or bf16 from avx512_core up (onednn/numerics.hpp),
// set per network (network::set_numerics), which gives each convolution and inner product its
// precision in its state; pooling, LRN and ReLU follow the type of their input.
//
// Per-layer state: the plans (primitive descriptors and primitives per input layout), the
// scratchpad, and pooling's and LRN's workspaces, all inside the layer's *_state.
#include <cstddef>
#include <span>

#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/onednn/conv.hpp"
#include "dermtl/backend/onednn/dense.hpp"
#include "dermtl/backend/onednn/lrn.hpp"
#include "dermtl/backend/onednn/numerics.hpp"
#include "dermtl/backend/onednn/pointwise.hpp"
#include "dermtl/backend/onednn/pool.hpp"
#include "dermtl/backend/onednn/tensor.hpp"
#include "dermtl/backend/tags.hpp"

namespace dermtl::backend {

template <>
struct ops<onednn> {
    using tensor = onednn_detail::tensor;
    using window_geometry = backend::window_geometry;
    using lrn_params = backend::lrn_params;

    using conv_state = onednn_detail::conv_state;
    using dense_state = onednn_detail::dense_state;
    using pool_state = onednn_detail::pool_state;
    using lrn_state = onednn_detail::lrn_state;
    struct dropout_state {
        tensor mask;
    };

    static tensor from_host(const host_tensor& h) {
        tensor t;
        from_host(h, t);
        return t;
    }
    static void from_host(const host_tensor& h, tensor& t) {
        t.assume_plain(dims_of(h));
        std::copy(h.begin(), h.end(), t.data());
    }
    static host_tensor to_host(const tensor& t) {
        host_tensor h;
        to_host(t, h);
        return h;
    }
    static void to_host(const tensor& t, host_tensor& h) {
        dermtl::ensure_shape(h, t.dims());
        if (t.size()) t.read_plain(h.data());
    }
    static void copy(const tensor& from, tensor& to) { to = from; }
    static dims4 dims(const tensor& t) { return t.dims(); }
    static void reshape(tensor& t, const dims4& d) { t.assume_plain(d); }
    static void fill(tensor& t, float value) {
        t.assume_plain(t.dims());
        std::fill(t.data(), t.data() + t.size(), value);
    }
    static std::ptrdiff_t first_non_finite(const tensor& t) { return onednn_detail::first_non_finite(t); }
    // Beyond the contract (backend::checks_numerics): float32, or bf16 where oneDNN has it.
    static void check_numerics(const backend::numerics& n) { onednn_detail::check_numerics(n); }

    static void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                               conv_state& s) {
        onednn_detail::conv2d_forward(x, w, b, g, y, s);
    }
    // Beyond the contract: y = max(conv(x, w) + b, 0) in one pass, ReLU as oneDNN's post-op. The
    // network calls it for a conv2d layer followed by relu (nn/network.hpp); the backward pass is
    // then relu_backward on this y, followed by conv2d_backward, as unfused.
    static void conv2d_relu_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g,
                                    tensor& y, conv_state& s) {
        onednn_detail::conv2d_forward(x, w, b, g, y, s, true);
    }
    static void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                conv_state& s, tensor& dw, tensor& db, tensor* dx) {
        onednn_detail::conv2d_backward(x, w, dy, g, s, dw, db, dx);
    }

    static void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& s) {
        onednn_detail::dense_forward(x, w, b, y, s);
    }
    static void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw,
                               tensor& db, tensor* dx) {
        onednn_detail::dense_backward(x, w, dy, s, dw, db, dx);
    }

    static void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, pool_state& s) {
        onednn_detail::max_pool_forward(x, g, y, s);
    }
    static void max_pool_backward(const tensor& x, const tensor& /*y*/, const tensor& dy, const window_geometry& g,
                                  pool_state& s, tensor& dx) {
        onednn_detail::max_pool_backward(x, dy, g, s, dx);
    }

    static void lrn_forward(const tensor& x, const lrn_params& p, tensor& y, lrn_state& s) {
        onednn_detail::lrn_forward(x, p, y, s);
    }
    static void lrn_backward(const tensor& x, const tensor& /*y*/, const tensor& dy, const lrn_params& p, lrn_state& s,
                             tensor& dx) {
        onednn_detail::lrn_backward(x, dy, p, s, dx);
    }

    static void relu_forward(const tensor& x, tensor& y) { onednn_detail::relu_forward(x, y); }
    static void relu_backward(const tensor& /*x*/, const tensor& y, const tensor& dy, tensor& dx) {
        onednn_detail::relu_backward(y, dy, dx);
    }

    static void dropout_forward(const tensor& x, float p, bool training, rng& gen, dropout_state& s, tensor& y) {
        onednn_detail::dropout_forward(x, p, training, gen, s.mask, y);
    }
    static void dropout_backward(const tensor& dy, float p, bool training, const dropout_state& s, tensor& dx) {
        onednn_detail::dropout_backward(dy, p, training, s.mask, dx);
    }

    static double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
        return onednn_detail::softmax_cross_entropy(logits, labels, dlogits);
    }
    static void softmax(const tensor& logits, tensor& probs) { onednn_detail::softmax(logits, probs); }
    static void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
        onednn_detail::sgd_nesterov_update(w, g, v, lr, momentum, l2);
    }
};

static_assert(backend_ops<ops<onednn>>,
              "backend::ops<onednn> (backend/onednn/ops.hpp) breaks the backend contract backend::backend_ops: an "
              "operation is missing or has another signature; the operations are listed in "
              "dermtl/backend/contract.hpp");

}  // namespace dermtl::backend
