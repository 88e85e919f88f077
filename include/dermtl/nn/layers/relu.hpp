#pragma once
// relu: y = max(x, 0). Shape-preserving, no parameters.
#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

struct relu : layer_base {
    static constexpr std::string_view kind = "relu";
    static constexpr bool is_activation = true;
    template <shape_type In>
    using output_shape = In;
    static std::string describe() { return "relu"; }

    template <shape_type In, class Backend>
    struct impl : no_params<Backend> {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        void forward(const tensor& x, tensor& y, forward_context&) { ops::relu_forward(x, y); }
        void backward(const tensor& x, const tensor& y, const tensor& dy, tensor* dx) {
            if (dx) ops::relu_backward(x, y, dy, *dx);
        }
    };
};

}  // namespace dermtl::nn
