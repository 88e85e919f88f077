#pragma once
// network<Net, Backend>: a net's parameters and buffers on one backend, with forward and backward.
//
// Represents: one instance of the architecture `Net` (a net<...> type) computing on `Backend`
// (backend::cpu, backend::cuda). Owns every layer's parameters, the activations of the last
// forward pass and the gradient buffers; buffers are allocated on the first batch of a given size
// and reused afterwards.
// Requires: inputs of shape N x C x H x W with N >= 1 and C, H, W those of Net's input.
// Ensures: forward() checks every layer's output for NaN/Inf and throws numeric_error naming the
// layer; backward() leaves each parameter's gradient of the mean loss in param::grad.
//
// Fusion: on a backend that offers ops::conv2d_relu_forward (backend::onednn; the trait
// backend::fuses_conv_relu in backend/contract.hpp), a conv2d followed
// by relu runs as one pass that writes the relu's output; the convolution's own output (before
// the ReLU) is then not kept, so output<I>() of that convolution is empty. A forward pass that
// stops at the convolution (forward_through<I>) does not fuse it. The backward pass is the same
// either way: relu_backward on the relu's output, then conv2d_backward.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "dermtl/backend/contract.hpp"
#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/nn/init.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/layers/relu.hpp"
#include "dermtl/nn/net.hpp"

namespace dermtl::nn {

// The messages of network<...>'s errors, built once here (nn/impl/network.ipp) instead of inside
// every per-layer instantiation; each throws.
namespace network_detail {
// "network::forward: expected N x C x H x W with N >= 1 ..." (an empty batch or another shape).
[[noreturn]] DERMTL_DECL void throw_bad_input(const dims4& got, const std::string& expected_chw, const std::string& first_layer);
// A backend_error of one layer (device failures, e.g. out of memory), rethrown naming the layer.
[[noreturn]] DERMTL_DECL void throw_layer_failure(const char* pass, const std::string& layer, const backend_error& e);
// A non-finite output at flat index `bad` of an output of dims `d`.
[[noreturn]] DERMTL_DECL void throw_non_finite(const std::string& layer, std::ptrdiff_t bad, const dims4& d,
                                               bool input_was_non_finite);
[[noreturn]] DERMTL_DECL void throw_backward_without_forward();
[[noreturn]] DERMTL_DECL void throw_bad_output_gradient(const dims4& got, const dims4& expected);
// set_numerics on a backend that computes in float32 only (no ops::check_numerics).
[[noreturn]] DERMTL_DECL void throw_unsupported_numerics(const std::string& backend, const backend::numerics& n);

// Whether a layer's backend state takes a precision (`state.precision`, e.g. the oneDNN backend's
// convolution and inner-product states). void_t, not a requires-expression: nvcc compiles this too.
template <class Layer, class = void>
struct state_has_precision : std::false_type {};
template <class Layer>
struct state_has_precision<Layer, std::void_t<decltype(std::declval<Layer&>().state.precision)>> : std::true_type {};

// Whether the backend checks several tensors for NaN/Inf at once (ops::first_non_finite_each, the
// CUDA backend): the network then checks its layers' outputs once per forward pass -- one host
// synchronization -- instead of once per layer. The error names the same (first) layer either way.
template <class Ops, class = void>
struct batches_non_finite_checks : std::false_type {};
template <class Ops>
struct batches_non_finite_checks<Ops, std::void_t<decltype(&Ops::first_non_finite_each)>> : std::true_type {};
}  // namespace network_detail

// Tag: construct without drawing initial weights (they will be loaded); parameters start at 0.
struct uninitialized_t {};
inline constexpr uninitialized_t uninitialized{};

template <net_type Net, backend::tag Backend>
class network {
public:
    using net_type = Net;
    using backend_type = Backend;
    using ops = backend::ops<Backend>;
    using tensor = typename ops::tensor;
    static constexpr std::size_t depth = Net::depth;

    // Initializes the weights as the paper does (orthogonal, biases 0.05) from `seed`.
    explicit network(std::uint64_t seed = 0, init_options opt = {}) : generator_(seed) { initialize(generator_, opt); }
    explicit network(uninitialized_t) : generator_(0) {
        for_each_param([](std::size_t, param<Backend>& p) {
            host_tensor zero(ops::dims(p.value), 0.0f);
            p.value = ops::from_host(zero);
        });
    }

    // Re-draws every parameter: weights orthogonal (times gain), biases constant.
    void initialize(rng& gen, init_options opt = {}) {
        for_each_param([&](std::size_t, param<Backend>& p) {
            host_tensor h(ops::dims(p.value));
            if (p.role == param_role::weight)
                orthogonal(h, gen, opt.gain);
            else
                h.fill(opt.bias);
            p.value = ops::from_host(h);
        });
    }

    // Runs the whole network; returns the last layer's output (logits), valid until the next call.
    const tensor& forward(const tensor& x, mode phase = mode::eval) { return forward_through<depth - 1>(x, phase); }

    // Runs layers 0..Last only (e.g. up to a feature tap) and returns layer Last's output.
    template <std::size_t Last>
    const tensor& forward_through(const tensor& x, mode phase = mode::eval) {
        static_assert(Last < depth, "network::forward_through<Last>: Last must be a layer index below the depth");
        check_input(x);
        ops::copy(x, acts_[0]);
        forward_context ctx{phase, &generator_};
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (forward_layer<I, (I < Last)>(ctx), ...);
        }(std::make_index_sequence<Last + 1>{});
        if constexpr (network_detail::batches_non_finite_checks<ops>::value) check_finite_once<Last>();
        last_forward_ = Last;
        return acts_[Last + 1];
    }

    // Output of the feature tap `Name` (see net::tap_index), computed by running only the layers
    // it needs in eval mode: features<"fc7">(x) is VGG's 4096-d fc7-after-ReLU.
    template <fixed_string Name>
    const tensor& features(const tensor& x) {
        return forward_through<Net::template tap_index<Name>>(x, mode::eval);
    }

    // Output of layer I from the last forward pass.
    template <std::size_t I>
    const tensor& output() const {
        static_assert(I < depth, "network::output<I>: I must be a layer index below the depth");
        return acts_[I + 1];
    }
    const tensor& output(std::size_t i) const { return acts_.at(i + 1); }

    // Back-propagates d(loss)/d(output) of the last full forward pass; fills every param::grad.
    // If `dx` is given, also writes d(loss)/d(input) there.
    void backward(const tensor& dloss_doutput, tensor* dx = nullptr) {
        if (last_forward_ != depth - 1) network_detail::throw_backward_without_forward();
        if (ops::dims(dloss_doutput) != ops::dims(acts_[depth]))
            network_detail::throw_bad_output_gradient(ops::dims(dloss_doutput), ops::dims(acts_[depth]));
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (backward_layer<depth - 1 - I>(dloss_doutput, dx), ...);
        }(std::make_index_sequence<depth>{});
    }

    // f(layer_index, param&) for every parameter, in layer order (weight before bias).
    template <class F>
    void for_each_param(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                    for (auto& p : std::get<I>(layers_).params()) f(I, p);
                }(),
                ...);
        }(std::make_index_sequence<depth>{});
    }

    // Parameters of layer i (empty for layers without any).
    std::span<param<Backend>> params(std::size_t i) {
        std::span<param<Backend>> out;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((I == i ? (out = std::get<I>(layers_).params(), 0) : 0), ...);
        }(std::make_index_sequence<depth>{});
        return out;
    }

    template <std::size_t I>
    auto& layer() {
        return std::get<I>(layers_);
    }

    // What this network computes in (backend/precision.hpp): float32 unless set. The numerics are
    // the network's, not the process's: two networks in one process may differ. Checked against
    // the backend here (config_error naming what it lacks); every layer whose backend state takes
    // a precision gets it, and its plans for another precision are not reused. The parameters stay
    // float32 (master weights) whatever the precision.
    void set_numerics(const backend::numerics& n) {
        if constexpr (backend::checks_numerics<ops>::value) {
            ops::check_numerics(n);
        } else {
            if (!n.is_default()) network_detail::throw_unsupported_numerics(Backend::name, n);
        }
        numerics_ = n;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                    if constexpr (network_detail::state_has_precision<impl_t<I>>::value)
                        std::get<I>(layers_).state.precision = n.precision;
                }(),
                ...);
        }(std::make_index_sequence<depth>{});
    }
    const backend::numerics& numerics() const { return numerics_; }

    // The generator that draws dropout masks (seeded by the constructor; saved in checkpoints).
    rng& generator() { return generator_; }

private:
    template <std::size_t I>
    using impl_t = typename Net::template layer_at<I>::template impl<typename Net::template input_of<I>, Backend>;

    template <std::size_t... I>
    static auto make_layers(std::index_sequence<I...>) -> std::tuple<impl_t<I>...>;
    using layer_tuple = decltype(make_layers(std::make_index_sequence<depth>{}));

    void check_input(const tensor& x) const {
        using In = typename Net::input_shape;
        const dims4 d = ops::dims(x);
        if (d[0] == 0 || d[1] != In::channels || d[2] != In::height || d[3] != In::width)
            network_detail::throw_bad_input(d, In::str(), Net::label(0));
    }

    // Whether layer I is a convolution that the backend fuses with the relu after it.
    template <std::size_t I>
    static constexpr bool fuses_next_relu() {
        if constexpr (I + 1 < depth) {
            return Net::template layer_at<I>::absorbs_following_relu &&
                   std::is_base_of_v<relu, typename Net::template layer_at<I + 1>> && backend::fuses_conv_relu<ops>::value;
        } else {
            return false;
        }
    }

    // Layer I of a forward pass; MayFuse: the pass goes on past layer I (forward_through<Last>
    // with I < Last), so a convolution may run fused with the relu after it.
    template <std::size_t I, bool MayFuse>
    void forward_layer(forward_context& ctx) {
        constexpr bool fused = MayFuse && fuses_next_relu<I>();
        if constexpr (I > 0) {
            if constexpr (fuses_next_relu<I - 1>()) return;  // this relu ran inside the convolution before it
        }
        constexpr std::size_t out = fused ? I + 2 : I + 1;
        try {
            if constexpr (fused) {
                std::get<I>(layers_).forward_relu(acts_[I], acts_[out], ctx);
                ops::reshape(acts_[I + 1], dims4{0, 0, 0, 0});  // not kept (see Fusion above)
            } else {
                std::get<I>(layers_).forward(acts_[I], acts_[out], ctx);
            }
        } catch (const backend_error& e) {  // device failures (e.g. out of memory) name the layer
            network_detail::throw_layer_failure("forward", layer_label(I, fused), e);
        }
        if constexpr (!network_detail::batches_non_finite_checks<ops>::value) {
            if (const auto bad = ops::first_non_finite(acts_[out]); bad >= 0)
                network_detail::throw_non_finite(layer_label(I, fused), bad, ops::dims(acts_[out]),
                                                 ops::first_non_finite(acts_[I]) >= 0);
        }
    }

    // The per-layer check of forward_layer for layers 0..Last at once (batching backends): the
    // first layer whose output holds a NaN/Inf is named, as forward_layer would have.
    template <std::size_t Last>
    void check_finite_once() {
        std::array<const tensor*, Last + 2> ts{};
        for (std::size_t i = 0; i < Last + 2; ++i) ts[i] = &acts_[i];
        std::array<std::ptrdiff_t, Last + 2> bad{};
        ops::first_non_finite_each(std::span<const tensor* const>(ts), std::span<std::ptrdiff_t>(bad));
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                    if constexpr (I > 0) {
                        if constexpr (fuses_next_relu<I - 1>()) return;  // ran inside the convolution before it
                    }
                    constexpr bool fused = I < Last && fuses_next_relu<I>();
                    constexpr std::size_t out = fused ? I + 2 : I + 1;
                    if (bad[out] >= 0)
                        network_detail::throw_non_finite(layer_label(I, fused), bad[out], ops::dims(acts_[out]),
                                                         bad[I] >= 0);
                }(),
                ...);
        }(std::make_index_sequence<Last + 1>{});
    }

    // "layer 3 'conv2' (...)", or "... + layer 4 'relu2' (...)" for a fused pair: for messages only.
    static std::string layer_label(std::size_t i, bool fused) {
        return fused ? Net::label(i) + " + " + Net::label(i + 1) : Net::label(i);
    }

    template <std::size_t I>
    void backward_layer(const tensor& dloss_doutput, tensor* dx_input) {
        const tensor& dy = I + 1 == depth ? dloss_doutput : grads_[I + 1];
        tensor* dx = I == 0 ? dx_input : &grads_[I];
        try {
            std::get<I>(layers_).backward(acts_[I], acts_[I + 1], dy, dx);
        } catch (const backend_error& e) {
            network_detail::throw_layer_failure("backward", Net::label(I), e);
        }
    }

    layer_tuple layers_;
    std::array<tensor, depth + 1> acts_{};   // acts_[0] input, acts_[i + 1] output of layer i
    std::array<tensor, depth + 1> grads_{};  // grads_[i] gradient w.r.t. acts_[i]
    rng generator_;
    backend::numerics numerics_{};
    std::size_t last_forward_ = std::size_t(-1);
};

}  // namespace dermtl::nn

#if DERMTL_HEADER_ONLY
#include "dermtl/nn/impl/network.ipp"
#endif
