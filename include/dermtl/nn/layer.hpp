#pragma once
// What every layer shares.
//
// A layer is a stateless descriptor type placed in a net's type list. It provides
//   kind                                   -- short name of the operation ("conv2d")
//   name                                   -- "" unless wrapped in named<"fc7", L>
//   template <shape_type In> output_shape  -- its output shape; static_asserts reject bad inputs
//   template <shape_type In> param_count   -- number of trainable scalars
//   template <shape_type In, class Backend> impl
//        -- the per-shape implementation that owns the layer's parameters and scratch state:
//           forward(x, y, ctx), backward(x, y, dy, dx_or_null), params() -> span of param<Backend>
//   describe()                             -- the descriptor as text for messages
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "dermtl/backend/tags.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/shape.hpp"

namespace dermtl::nn {

// Training switches dropout on; evaluation (feature extraction, validation) switches it off.
enum class mode { train, eval };

// What a forward pass passes down to every layer.
struct forward_context {
    mode phase = mode::eval;
    rng* generator = nullptr;  // dropout masks; required in mode::train
};

// What a parameter tensor is for: initialization (orthogonal weights, constant biases) and weight
// decay (weights only) choose by it.
enum class param_role { weight, bias };

// "weight" or "bias", for messages.
constexpr std::string_view role_name(param_role r) { return r == param_role::weight ? "weight" : "bias"; }

// A trainable tensor, its gradient and its role.
template <class Backend>
struct param {
    using tensor = typename backend::ops<Backend>::tensor;
    tensor value;
    tensor grad;
    param_role role = param_role::weight;
};

// Defaults shared by the layer descriptors (a layer without parameters inherits them).
struct layer_base {
    static constexpr std::string_view name = "";
    static constexpr bool is_activation = false;  // a feature tap moves past activations
    // A relu right after this layer can run inside it (conv2d, on backends that fuse: see
    // nn/network.hpp and backend::fuses_conv_relu).
    static constexpr bool absorbs_following_relu = false;
    template <shape_type In>
    static constexpr std::size_t param_count = 0;
};

template <class L>
concept layer_descriptor = requires {
    { L::kind } -> std::convertible_to<std::string_view>;
    { L::name } -> std::convertible_to<std::string_view>;
    { L::describe() } -> std::convertible_to<std::string>;
};

// Implementation helper for parameterless layers.
template <class Backend>
struct no_params {
    std::span<param<Backend>> params() { return {}; }
};

}  // namespace dermtl::nn
