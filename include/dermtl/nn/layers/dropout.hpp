#pragma once
// dropout<Percent>: inverted dropout, active only in mode::train. Each unit is zeroed with
// probability Percent/100 and the survivors scaled by 1/(1 - Percent/100), so evaluation is the
// identity. Masks come from the network's seeded generator.
#include <cstddef>
#include <string>

#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <std::size_t Percent = 50>
struct dropout : layer_base {
    static_assert(Percent < 100, "dropout<Percent>: Percent must be below 100 (100 would drop every unit)");

    static constexpr std::string_view kind = "dropout";
    static constexpr float rate = float(Percent) / 100.0f;

    template <shape_type In>
    using output_shape = In;

    static std::string describe() { return "dropout<" + std::to_string(Percent) + ">"; }

    template <shape_type In, class Backend>
    struct impl : no_params<Backend> {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        typename ops::dropout_state state;
        bool training = false;

        void forward(const tensor& x, tensor& y, forward_context& ctx) {
            training = ctx.phase == mode::train;
            ops::dropout_forward(x, rate, training, *ctx.generator, state, y);
        }
        void backward(const tensor&, const tensor&, const tensor& dy, tensor* dx) {
            if (dx) ops::dropout_backward(dy, rate, training, state, *dx);
        }
    };
};

}  // namespace dermtl::nn
