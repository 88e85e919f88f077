#pragma once
// net<input<C,H,W>, Layers...>: a network as one flat compile-time list of layer descriptors.
//
// Represents: the architecture only (no storage, no backend). Shapes are inferred once by a single
// left fold over the list; every layer's static_asserts check its input there. The runtime object
// that owns parameters and buffers is network<Net, Backend> (nn/network.hpp).
//
//   using tiny = net<input<3, 32, 32>, conv2d<8, 3, 1, 1>, relu, max_pool<2>, dense<2>>;
//   static_assert(std::is_same_v<tiny::shape_at<2>, shape<8, 16, 16>>);  // output of layer 2
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "dermtl/core/fixed_string.hpp"
#include "dermtl/core/shape.hpp"
#include "dermtl/core/type_list.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/layers/input.hpp"

namespace dermtl::nn {

namespace detail {
// The shape fold: an accumulator holding the current shape and all shapes so far; `acc + layer`
// applies one layer. A fold expression over the pack does the whole net in one expansion.
template <class Current, class... All>
struct shape_acc {
    using current = Current;
    using all = type_list<All...>;
};
template <class L>
struct layer_tag {};

template <class Current, class... All, class L>
auto operator+(shape_acc<Current, All...>, layer_tag<L>)
    -> shape_acc<typename L::template output_shape<Current>, All..., typename L::template output_shape<Current>>;

template <class In, class... Layers>
using fold_shapes = decltype((shape_acc<In, In>{} + ... + layer_tag<Layers>{}));
}  // namespace detail

template <class Input, class... Layers>
struct net {
    static_assert(is_input<Input>, "net<Input, Layers...>: the first element must be input<C,H,W>; write "
                                   "net<input<3,224,224>, conv2d<...>, ...>");
    static_assert(sizeof...(Layers) > 0, "net<Input, Layers...>: a net needs at least one layer");
    static_assert((layer_descriptor<Layers> && ...),
                  "net<Input, Layers...>: every element after the input must be a layer descriptor (conv2d, relu, "
                  "lrn, max_pool, dense, dropout, or named<\"name\", Layer>)");

    using input_shape = typename Input::shape;
    using layers = type_list<Layers...>;
    static constexpr std::size_t depth = sizeof...(Layers);

    // shapes::at<0> is the input; shapes::at<i+1> is the output of layer i.
    using shapes = typename detail::fold_shapes<input_shape, Layers...>::all;

    template <std::size_t I>
    using layer_at = typename layers::template at<I>;
    // Output shape of layer I (0-based); input_of<I> is what it receives.
    template <std::size_t I>
    using shape_at = typename shapes::template at<I + 1>;
    template <std::size_t I>
    using input_of = typename shapes::template at<I>;
    using output_shape = shape_at<depth - 1>;
    static constexpr std::size_t classes = output_shape::size;

    static constexpr std::array<std::string_view, depth> names{Layers::name...};
    static constexpr std::array<std::string_view, depth> kinds{Layers::kind...};
    static constexpr std::array<bool, depth> activations{Layers::is_activation...};

    static constexpr std::size_t parameter_count = [] {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return (std::size_t{0} + ... + layer_at<I>::template param_count<input_of<I>>);
        }(std::make_index_sequence<depth>{});
    }();

    // Index of the layer called Name, or depth when there is none.
    static constexpr std::size_t find(std::string_view name) {
        for (std::size_t i = 0; i < depth; ++i)
            if (names[i] == name) return i;
        return depth;
    }

    template <fixed_string Name>
    static constexpr std::size_t index_of = [] {
        constexpr std::size_t i = find(Name.view());
        static_assert(i < depth, "net::index_of<Name>: no layer has this name; name a layer with "
                                 "named<\"name\", Layer> or check the spelling (VGG uses MatConvNet's names)");
        return i;
    }();

    // The feature tap of a name: the named layer's output after the activations that directly
    // follow it, so tap_index<"fc7"> is relu7 -- the paper's "Group 7 / Layer 19" feature.
    template <fixed_string Name>
    static constexpr std::size_t tap_index = [] {
        std::size_t i = index_of<Name>;
        while (i + 1 < depth && activations[i + 1]) ++i;
        return i;
    }();

    // "layer 3 'pool1' (max_pool<3,2,ceil>)" for messages.
    static std::string label(std::size_t i) {
        static const std::array<std::string, depth> described{Layers::describe()...};
        std::string s = "layer " + std::to_string(i);
        if (!names[i].empty()) s += " '" + std::string(names[i]) + "'";
        return s + " (" + described[i] + ")";
    }

    // Shape of layer i's input and output, at run time (for messages and summaries).
    static std::string shape_text(std::size_t i) {
        static const std::array<std::string, depth + 1> all = [] {
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return std::array<std::string, depth + 1>{shapes::template at<I>::str()...};
            }(std::make_index_sequence<depth + 1>{});
        }();
        return all[i];
    }

    // One line per layer: index, name, descriptor, output shape, parameters.
    static std::string summary() {
        static constexpr std::array<std::size_t, depth> counts = [] {
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return std::array<std::size_t, depth>{layer_at<I>::template param_count<input_of<I>>...};
            }(std::make_index_sequence<depth>{});
        }();
        std::string s = "input " + input_shape::str() + "\n";
        for (std::size_t i = 0; i < depth; ++i)
            s += label(i) + " -> " + shape_text(i + 1) + ", " + std::to_string(counts[i]) + " parameters\n";
        return s + "total " + std::to_string(parameter_count) + " parameters\n";
    }
};

template <class T>
inline constexpr bool is_net = false;
template <class Input, class... Layers>
inline constexpr bool is_net<net<Input, Layers...>> = true;

template <class T>
concept net_type = is_net<T>;

}  // namespace dermtl::nn
