#pragma once
// dense<Out>: fully connected layer on the flattened input (C*H*W in NCHW order).
// Output Out x 1 x 1. Parameters: weight Out x (C*H*W) (stored Out x In x 1 x 1), bias Out.
#include <array>
#include <cstddef>
#include <span>
#include <string>

#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <std::size_t Out>
struct dense : layer_base {
    static_assert(Out > 0, "dense<Out>: Out must be at least 1 unit");

    static constexpr std::string_view kind = "dense";
    static constexpr std::size_t units = Out;

    template <shape_type In>
    using output_shape = dermtl::shape<Out, 1, 1>;
    template <shape_type In>
    static constexpr std::size_t param_count = Out * In::size + Out;

    static std::string describe() { return "dense<" + std::to_string(Out) + ">"; }

    template <shape_type In, class Backend>
    struct impl {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        std::array<param<Backend>, 2> p;
        typename ops::dense_state state;  // this layer's backend state (CUDA: its bias descriptor)

        impl() {
            p[0].role = param_role::weight;
            p[1].role = param_role::bias;
            ops::reshape(p[0].value, {Out, In::size, 1, 1});
            ops::reshape(p[1].value, {Out, 1, 1, 1});
            for (auto& q : p) ops::reshape(q.grad, ops::dims(q.value));
        }
        std::span<param<Backend>> params() { return p; }

        void forward(const tensor& x, tensor& y, forward_context&) {
            ops::dense_forward(x, p[0].value, p[1].value, y, state);
        }
        void backward(const tensor& x, const tensor&, const tensor& dy, tensor* dx) {
            ops::dense_backward(x, p[0].value, dy, state, p[0].grad, p[1].grad, dx);
        }
    };
};

}  // namespace dermtl::nn
