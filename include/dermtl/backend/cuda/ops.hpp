#pragma once
// backend::ops<backend::cuda>: every operation the layers need, on device tensors -- cuDNN 9 for
// convolution, pooling, LRN, ReLU and softmax; cuBLAS for dense layers; small kernels for the
// element-wise work, the loss, the fused SGD update and the non-finite check. Satisfies the
// backend contract (backend/contract.hpp, checked below), with its conventions (float32 NCHW;
// forward reshapes its outputs; backward overwrites parameter gradients and writes dx only when
// asked); the CUDA-only extras at the end are the numeric options and synchronize().
//
// Header-only, include this header in a translation unit compiled by nvcc (a .cu file) in a build
// configured with -DDERMTL_WITH_CUDA=ON (meson: -Dcuda=enabled), and link dermtl::cuda. With
// DERMTL_SEPARATE_COMPILATION, the kernels come compiled by nvcc in dermtl::cuda_compiled
// (libdermtl_cuda.a; cuda/kernels.hpp), and the rest is host code: a .cpp file that the C++
// compiler compiles may include it, linking dermtl::cuda_compiled. Tensors move between backends
// explicitly: from_host/to_host copy, nothing is shared.
//
// First use: the first device allocation or operation checks for a GPU and throws
// backend_error("backend::cuda: no CUDA device: ...") when there is none. Every CUDA, cuDNN and
// cuBLAS call is checked (cuda/check.hpp); running out of device memory names the bytes, what
// they were for and a batch size estimated to fit. Device buffers of a given shape are allocated
// once: descriptors, algorithm choices and per-shape plans live in each layer's state
// (conv_state, dense_state, pool_state, lrn_state, dropout_state), never in process-wide maps, and
// the training step allocates nothing once the batch size is fixed. The process-wide part is the
// device context (cuda/context.hpp): handles, the shared workspace and the numeric options.
#include "dermtl/core/config.hpp"

#if DERMTL_HEADER_ONLY && !defined(__CUDACC__)
#error "dermtl/backend/cuda/ops.hpp must be compiled by nvcc: put the code that names backend::cuda in a .cu file, or define DERMTL_SEPARATE_COMPILATION and link dermtl::cuda_compiled (its kernels compiled by nvcc)"
#endif

#include <cstdint>
#include <span>
#include <string>

#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/conv.hpp"
#include "dermtl/backend/cuda/dense.hpp"
#include "dermtl/backend/cuda/lrn.hpp"
#include "dermtl/backend/cuda/numerics.hpp"
#include "dermtl/backend/cuda/pointwise.hpp"
#include "dermtl/backend/cuda/pool.hpp"
#include "dermtl/backend/cuda/tag.hpp"
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend {

template <>
struct ops<cuda> {
    using tensor = cuda_detail::device_tensor;
    using window_geometry = cuda_detail::window_geometry;
    using lrn_params = cuda_detail::lrn_params;
    using conv_state = cuda_detail::conv_state;
    using dense_state = cuda_detail::dense_state;
    using pool_state = cuda_detail::pool_state;
    using lrn_state = cuda_detail::lrn_state;
    using dropout_state = cuda_detail::dropout_state;

    // Moving data between the host and the device (synchronous copies).
    static tensor from_host(const host_tensor& h) {
        tensor t(dims_of(h));
        if (t.size()) DERMTL_CUDA_CHECK(cudaMemcpy(t.data(), h.data(), t.bytes(), cudaMemcpyHostToDevice));
        return t;
    }
    static host_tensor to_host(const tensor& t) {
        host_tensor h(t.dims());
        if (t.size()) DERMTL_CUDA_CHECK(cudaMemcpy(h.data(), t.data(), t.bytes(), cudaMemcpyDeviceToHost));
        return h;
    }
    // Into an existing host tensor, reusing its memory when the shape matches.
    static void to_host(const tensor& t, host_tensor& h) {
        ensure_shape(h, t.dims());
        if (t.size()) DERMTL_CUDA_CHECK(cudaMemcpy(h.data(), t.data(), t.bytes(), cudaMemcpyDeviceToHost));
    }
    // Into an existing device tensor (no allocation once shapes are fixed): the training loop's upload.
    static void from_host(const host_tensor& h, tensor& t) {
        t.reshape(dims_of(h));
        if (t.size()) DERMTL_CUDA_CHECK(cudaMemcpy(t.data(), h.data(), t.bytes(), cudaMemcpyHostToDevice));
    }
    static void copy(const tensor& from, tensor& to) { cuda_detail::copy(from, to); }
    static dims4 dims(const tensor& t) { return t.dims(); }
    static void reshape(tensor& t, const dims4& d) { t.reshape(d); }
    static std::ptrdiff_t first_non_finite(const tensor& t) { return cuda_detail::first_non_finite(t); }
    // CUDA-only: first_non_finite of several tensors with one host synchronization; a network uses
    // it to check every layer's output once per forward pass (nn/network.hpp).
    static void first_non_finite_each(std::span<const tensor* const> ts, std::span<std::ptrdiff_t> out) {
        cuda_detail::first_non_finite_each(ts, out);
    }

    static void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                               conv_state& s) {
        cuda_detail::conv2d_forward(x, w, b, g, y, s);
    }
    static void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                conv_state& s, tensor& dw, tensor& db, tensor* dx) {
        cuda_detail::conv2d_backward(x, w, dy, g, s, dw, db, dx);
    }

    static void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& s) {
        cuda_detail::dense_forward(x, w, b, y, s);
    }
    static void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw,
                               tensor& db, tensor* dx) {
        cuda_detail::dense_backward(x, w, dy, s, dw, db, dx);
    }

    static void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, pool_state& s) {
        cuda_detail::max_pool_forward(x, g, y, s);
    }
    // pool_state is taken non-const (the CPU takes const): the state re-plans if the options changed.
    static void max_pool_backward(const tensor& x, const tensor& y, const tensor& dy, const window_geometry& g,
                                  pool_state& s, tensor& dx) {
        cuda_detail::max_pool_backward(x, y, dy, g, s, dx);
    }

    static void lrn_forward(const tensor& x, const lrn_params& p, tensor& y, lrn_state& s) {
        cuda_detail::lrn_forward(x, p, y, s);
    }
    static void lrn_backward(const tensor& x, const tensor& y, const tensor& dy, const lrn_params& p, lrn_state& s,
                             tensor& dx) {
        cuda_detail::lrn_backward(x, y, dy, p, s, dx);
    }

    static void relu_forward(const tensor& x, tensor& y) { cuda_detail::relu_forward(x, y); }
    static void relu_backward(const tensor& x, const tensor& y, const tensor& dy, tensor& dx) {
        cuda_detail::relu_backward(x, y, dy, dx);
    }

    static void dropout_forward(const tensor& x, float p, bool training, rng& gen, dropout_state& s, tensor& y) {
        cuda_detail::dropout_forward(x, p, training, gen, s, y);
    }
    static void dropout_backward(const tensor& dy, float p, bool training, const dropout_state& s, tensor& dx) {
        cuda_detail::dropout_backward(dy, p, training, s, dx);
    }

    static double softmax_cross_entropy(const tensor& logits, std::span<const int> labels, tensor& dlogits) {
        return cuda_detail::softmax_cross_entropy(logits, labels, dlogits);
    }
    static void softmax(const tensor& logits, tensor& probs) { cuda_detail::softmax(logits, probs); }

    // The CPU backend's fused Nesterov update (see cpu/pointwise.hpp for the formula), one kernel.
    static void sgd_nesterov_update(tensor& w, const tensor& g, tensor& v, float lr, float momentum, float l2) {
        cuda_detail::sgd_nesterov_update(w, g, v, lr, momentum, l2);
    }
    static void fill(tensor& t, float value) { cuda_detail::fill(t, value); }

    // What a network may compute in here (backend/contract.hpp's check_numerics; cuda/numerics.hpp):
    // float32, tf32 and deterministic on every GPU (applied process-wide by use_precision and
    // set_options); bf16, carried by the network's layers, from compute capability 8.0 -- asking for
    // it checks the device, and throws config_error naming it and the reason below that.
    static void check_numerics(const numerics& n) {
        if (n.precision != precision_kind::bf16) return;
        const cuda_detail::context& ctx = cuda_detail::context::get();  // no device: backend_error
        if (const std::string why = cuda_detail::numerics_refusal(n, ctx.major(), ctx.minor(), ctx.device_name());
            !why.empty())
            throw config_error(why);
    }

    // CUDA-only: numeric options (determinism, TF32) and the device. Set them before training;
    // changing them makes every layer choose its cuDNN algorithms again.
    static const cuda_options& options() { return cuda_detail::context::get().options(); }
    static void set_options(const cuda_options& o) { cuda_detail::context::get().set_options(o); }
    template <class Precision>
    static void use_precision() {
        cuda_options o = options();
        o.tf32 = Precision::tf32_tensor_cores;
        set_options(o);
    }
    static const std::string& device_name() { return cuda_detail::context::get().device_name(); }
    // Waits for the device to finish (timing).
    static void synchronize() { DERMTL_CUDA_CHECK(cudaDeviceSynchronize()); }
};

static_assert(backend_ops<ops<cuda>>,
              "backend::ops<cuda> (backend/cuda/ops.hpp) breaks the backend contract backend::backend_ops: an "
              "operation is missing or has another signature; the operations are listed in "
              "dermtl/backend/contract.hpp");

}  // namespace dermtl::backend
