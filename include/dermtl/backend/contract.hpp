#pragma once
// The backend contract: what every `backend::ops<Tag>` provides, written down and checked.
//
// Each specialization is followed, in its own header, by
//   static_assert(backend_ops<ops<Tag>>, "...");
// so a backend that misses an operation, or spells one differently, fails where it is defined
// and the compiler names the required expression that is invalid. Layers (nn/layers/*.hpp), the
// network (nn/network.hpp), the loss (nn/loss.hpp), the optimizer and the trainer (train/) call
// only what is listed here; a backend may offer more (the CUDA backend's options, synchronize()),
// which only code that names that backend uses.
//
// Conventions for every operation (the CPU backend, backend/cpu/ops.hpp, is the reference):
//  - tensors are float32, rank 4, NCHW. Parameters: conv weights OutC x InC x KH x KW (PyTorch's
//    order), dense weights Out x In x 1 x 1, biases Out x 1 x 1 x 1;
//  - forward operations (re)shape their outputs; backward operations overwrite (never
//    accumulate into) parameter gradients, which the caller has shaped like the parameters, and
//    write dx only when it is non-null (the first layer's input needs no gradient);
//  - `x`, `y` in a backward call are the input and output of the forward call just made with the
//    same state; operations may rely on the state that forward left;
//  - per-layer state (`*_state`) is owned by the layer's impl, one per layer: descriptors,
//    algorithm choices, per-shape plans, masks and scratch live there, never in process-wide
//    maps, so two layers never share mutable state and a training step allocates nothing once
//    the batch size is fixed;
//  - failures throw dermtl errors (shape_error, config_error, backend_error) that name the
//    operation, what was expected and what was found.
//
// Initialization is not a backend operation: weights are drawn on the host (nn/init.hpp) and
// uploaded with from_host, so every backend starts from the same numbers for a seed.
#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

#include "dermtl/backend/lrn_params.hpp"
#include "dermtl/backend/precision.hpp"
#include "dermtl/backend/tags.hpp"
#include "dermtl/backend/window_geometry.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend {

// Per-layer state: a layer holds one as a member, made empty and filled on first use.
// Requires: default construction touches no device; movable (layers live in a tuple).
template <class State>
concept layer_state = std::default_initializable<State> && std::movable<State> && std::destructible<State>;

// The tensor type and moving data.
//   tensor                 Represents a float32 NCHW array in the backend's memory. Default
//                          constructed empty (no allocation, no device call); copies are deep.
//   from_host(h) -> tensor A copy of the host tensor h.
//   from_host(h, t)        The same into t, reusing t's memory when it is large enough (the
//                          training loop's upload of each batch).
//   to_host(t) -> host     A host copy of t;  to_host(t, h): the same into h, reusing its memory.
//   copy(from, to)         to = from, reshaping to.
//   dims(t) -> dims4       The shape.
//   reshape(t, d)          Gives t shape d; the values are unspecified afterwards.
//   fill(t, v)             Every element = v.
//   first_non_finite(t)    Index of the first NaN/Inf in NCHW order, or -1 (checked after each layer).
template <class Ops>
concept backend_tensor_ops =
    std::semiregular<typename Ops::tensor> &&
    requires(const typename Ops::tensor& ct, typename Ops::tensor& t, const host_tensor& ch, host_tensor& h,
             const dims4& d, float value) {
        { Ops::from_host(ch) } -> std::same_as<typename Ops::tensor>;
        Ops::from_host(ch, t);
        { Ops::to_host(ct) } -> std::same_as<host_tensor>;
        Ops::to_host(ct, h);
        Ops::copy(ct, t);
        { Ops::dims(ct) } -> std::convertible_to<dims4>;
        Ops::reshape(t, d);
        Ops::fill(t, value);
        { Ops::first_non_finite(ct) } -> std::convertible_to<std::ptrdiff_t>;
    };

// The layers' operations, each with its per-layer state. Shapes are those of the layer
// descriptors (nn/layers/*.hpp); the geometry and LRN constants are the shared value types
// (window_geometry.hpp, lrn_params.hpp), made at compile time by the layers.
//   conv2d_forward(x, w, b, g, y, conv_state)       y = cross-correlation of x with w (window g) + b.
//   conv2d_backward(x, w, dy, g, conv_state, dw, db, dx)
//                                                   dw, db and, if dx, dx of conv2d_forward.
//   dense_forward(x, w, b, y, dense_state)          y = x W^T + b, x flattened to N x (C*H*W).
//   dense_backward(x, w, dy, dense_state, dw, db, dx)
//   max_pool_forward(x, g, y, pool_state)           Max over each window; padded cells never win;
//                                                   remembers the winners for the backward pass.
//   max_pool_backward(x, y, dy, g, pool_state, dx)  dy routed to the winners.
//   lrn_forward(x, p, y, lrn_state)                 y = x / (kappa + alpha sum x^2)^beta (cpu/lrn.hpp).
//   lrn_backward(x, y, dy, p, lrn_state, dx)
//   relu_forward(x, y);  relu_backward(x, y, dy, dx) dx = dy where y > 0, else 0.
//   dropout_forward(x, rate, training, gen, dropout_state, y)
//                                                   Inverted dropout in training (the mask drawn
//                                                   from gen in the CPU backend's order, so a seed
//                                                   gives the same mask on every backend); the
//                                                   identity otherwise.
//   dropout_backward(dy, rate, training, dropout_state, dx)
template <class Ops>
concept backend_layer_ops =
    std::same_as<typename Ops::window_geometry, window_geometry> && std::same_as<typename Ops::lrn_params, lrn_params> &&
    layer_state<typename Ops::conv_state> && layer_state<typename Ops::dense_state> &&
    layer_state<typename Ops::pool_state> && layer_state<typename Ops::lrn_state> &&
    layer_state<typename Ops::dropout_state> &&
    requires(const typename Ops::tensor& x, typename Ops::tensor& y, typename Ops::tensor* dx,
             const window_geometry& g, const lrn_params& p, float rate, bool training, rng& gen,
             typename Ops::conv_state& conv, typename Ops::dense_state& dense, typename Ops::pool_state& pool,
             typename Ops::lrn_state& lrn, typename Ops::dropout_state& drop) {
        Ops::conv2d_forward(x, x, x, g, y, conv);
        Ops::conv2d_backward(x, x, x, g, conv, y, y, dx);
        Ops::dense_forward(x, x, x, y, dense);
        Ops::dense_backward(x, x, x, dense, y, y, dx);
        Ops::max_pool_forward(x, g, y, pool);
        Ops::max_pool_backward(x, x, x, g, pool, y);
        Ops::lrn_forward(x, p, y, lrn);
        Ops::lrn_backward(x, x, x, p, lrn, y);
        Ops::relu_forward(x, y);
        Ops::relu_backward(x, x, x, y);
        Ops::dropout_forward(x, rate, training, gen, drop, y);
        Ops::dropout_backward(x, rate, training, drop, y);
    };

// The loss and the optimizer step.
//   softmax_cross_entropy(logits, labels, dlogits) -> double
//       Mean cross-entropy of the row-wise softmax of logits (N x K x 1 x 1) against labels;
//       writes d(loss)/d(logits). Requires labels.size() == N and each label in [0, K): throws
//       shape_error / config_error otherwise.
//   softmax(logits, probs)          Row-wise probabilities (evaluation).
//   sgd_nesterov_update(w, g, v, lr, momentum, l2)
//       One fused Nesterov-momentum step with L2 penalty (formula in cpu/pointwise.hpp); w, g, v one shape.
template <class Ops>
concept backend_training_ops =
    requires(const typename Ops::tensor& ct, typename Ops::tensor& t, std::span<const int> labels, float lr,
             float momentum, float l2) {
        { Ops::softmax_cross_entropy(ct, labels, t) } -> std::convertible_to<double>;
        Ops::softmax(ct, t);
        Ops::sgd_nesterov_update(t, ct, t, lr, momentum, l2);
    };

// Optional: `conv2d_relu_forward(x, w, b, g, y, conv_state)`, y = max(conv2d(x) + b, 0) in one
// pass. A backend that has it gets a conv2d followed by relu fused by the network (nn/network.hpp).
// Detected with void_t rather than a requires-expression: nvcc's front end rejects the latter here.
template <class Ops, class = void>
struct fuses_conv_relu : std::false_type {};
template <class Ops>
struct fuses_conv_relu<Ops, std::void_t<decltype(&Ops::conv2d_relu_forward)>> : std::true_type {};

// Optional: `check_numerics(const numerics&)`, for a backend that computes in more than float32
// (backend/precision.hpp): it throws config_error saying why this machine or build cannot give the
// numerics asked for (ops<onednn>: bf16 needs avx512_core; ops<cuda>: bf16 needs compute
// capability 8.0), and returns otherwise. A backend without it computes in float32 only. The
// network calls it where its numerics are set (network::set_numerics).
template <class Ops, class = void>
struct checks_numerics : std::false_type {};
template <class Ops>
struct checks_numerics<Ops, std::void_t<decltype(&Ops::check_numerics)>> : std::true_type {};

// The whole contract: what `backend::ops<Tag>` must satisfy for every backend tag.
template <class Ops>
concept backend_ops = backend_tensor_ops<Ops> && backend_layer_ops<Ops> && backend_training_ops<Ops>;

}  // namespace dermtl::backend
