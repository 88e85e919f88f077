#pragma once
// lrn<Size, Kappa, Alpha, Beta>: local response normalization across channels in the MatConvNet
// and Lasagne convention, y = x / (Kappa + Alpha * sum_{Size neighbouring channels} x^2)^Beta, with
// Alpha NOT divided by Size. MatConvNet's VGG-M param [5 2 1e-4 0.75] is lrn<5, 2.f, 1e-4f, 0.75f>
// (the defaults); Caffe and PyTorch divide alpha by Size: their alpha 5e-4 equals ours 1e-4.
#include <cstddef>
#include <string>

#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <std::size_t Size = 5, float Kappa = 2.0f, float Alpha = 1e-4f, float Beta = 0.75f>
struct lrn : layer_base {
    static_assert(Size % 2 == 1, "lrn<Size,Kappa,Alpha,Beta>: the window size must be odd (centred on the channel); "
                                 "MatConvNet's VGG-M uses 5");
    static_assert(Kappa > 0.0f, "lrn<Size,Kappa,Alpha,Beta>: Kappa must be positive so the denominator is never 0");

    static constexpr std::string_view kind = "lrn";
    static constexpr std::size_t size = Size;
    static constexpr float kappa = Kappa, alpha = Alpha, beta = Beta;

    template <shape_type In>
    using output_shape = In;

    static std::string describe() {
        return "lrn<" + std::to_string(Size) + "," + std::to_string(Kappa) + "," + std::to_string(Alpha) + "," +
               std::to_string(Beta) + ">";
    }

    template <shape_type In, class Backend>
    struct impl : no_params<Backend> {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        static constexpr typename ops::lrn_params params_{Size, Kappa, Alpha, Beta};
        typename ops::lrn_state state;

        void forward(const tensor& x, tensor& y, forward_context&) { ops::lrn_forward(x, params_, y, state); }
        void backward(const tensor& x, const tensor& y, const tensor& dy, tensor* dx) {
            if (dx) ops::lrn_backward(x, y, dy, params_, state, *dx);
        }
    };
};

}  // namespace dermtl::nn
