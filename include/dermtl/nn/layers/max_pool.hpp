#pragma once
// max_pool<K, Stride, Pad, Round>: K x K max pooling. Round = rounding::ceil (default) keeps a last
// partial window as Caffe and MatConvNet do -- with floor, VGG-M's pool2 gives 12x12 and fc6 no
// longer takes the 6x6x512 that the pretrained weights hold. Padded cells never win the max.
#include <cstddef>
#include <string>

#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <std::size_t K, std::size_t Stride = K, padding Pad = padding{}, rounding Round = rounding::ceil>
struct max_pool : layer_base {
    static_assert(K > 0 && Stride > 0, "max_pool<K,Stride,Pad,Round>: K and Stride must be at least 1");
    static_assert(Pad.top < K && Pad.bottom < K && Pad.left < K && Pad.right < K,
                  "max_pool<K,Stride,Pad,Round>: padding must be smaller than the window, or a window could hold "
                  "only padding");

    static constexpr std::string_view kind = "max_pool";
    static constexpr std::size_t kernel = K, stride = Stride;
    static constexpr padding pad = Pad;

    template <shape_type In>
    struct output_shape_check {
        static_assert(In::height + Pad.top + Pad.bottom >= K && In::width + Pad.left + Pad.right >= K,
                      "max_pool<K,Stride,Pad,Round>: the input (plus padding) is smaller than the pooling window; use "
                      "a larger input or a smaller window");
        using type = dermtl::shape<In::channels, window_count(In::height, K, Stride, Pad.top, Pad.bottom, Round),
                                   window_count(In::width, K, Stride, Pad.left, Pad.right, Round)>;
    };
    template <shape_type In>
    using output_shape = typename output_shape_check<In>::type;

    static std::string describe() {
        return "max_pool<" + std::to_string(K) + "," + std::to_string(Stride) + (Round == rounding::ceil ? ",ceil>" : ",floor>");
    }

    template <shape_type In, class Backend>
    struct impl : no_params<Backend> {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        using Out = output_shape<In>;
        static constexpr typename ops::window_geometry geometry{In::channels, In::height,  In::width, K,        K,
                                                                Stride,       Stride,      Pad.top,   Pad.left,
                                                                Out::height,  Out::width};
        typename ops::pool_state state;

        void forward(const tensor& x, tensor& y, forward_context&) { ops::max_pool_forward(x, geometry, y, state); }
        void backward(const tensor& x, const tensor& y, const tensor& dy, tensor* dx) {
            if (dx) ops::max_pool_backward(x, y, dy, geometry, state, *dx);
        }
    };
};

}  // namespace dermtl::nn
