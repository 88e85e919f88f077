#pragma once
// conv2d<OutC, K, Stride, Pad>: 2-D convolution with a square K x K kernel, OutC filters, bias.
// Pad is symmetric (`1`) or MatConvNet's asymmetric [top bottom left right] (`padding{0,1,0,1}`).
// Output: OutC x floor((H + top + bottom - K)/Stride + 1) x floor((W + left + right - K)/Stride + 1).
// Parameters: weight OutC x C x K x K (PyTorch's order), bias OutC.
#include <array>
#include <cstddef>
#include <span>
#include <string>

#include "dermtl/core/shape.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <std::size_t OutC, std::size_t K, std::size_t Stride = 1, padding Pad = padding{}>
struct conv2d : layer_base {
    static_assert(OutC > 0, "conv2d<OutC,K,Stride,Pad>: OutC must be at least 1 filter");
    static_assert(K > 0, "conv2d<OutC,K,Stride,Pad>: the kernel size K must be at least 1");
    static_assert(Stride > 0, "conv2d<OutC,K,Stride,Pad>: Stride must be at least 1");

    static constexpr std::string_view kind = "conv2d";
    static constexpr bool absorbs_following_relu = true;
    static constexpr std::size_t out_channels = OutC, kernel = K, stride = Stride;
    static constexpr padding pad = Pad;

    template <shape_type In>
    struct output_shape_check {
        static_assert(In::height + Pad.top + Pad.bottom >= K && In::width + Pad.left + Pad.right >= K,
                      "conv2d<OutC,K,Stride,Pad>: the input (plus padding) is smaller than the kernel; use a larger "
                      "input, more padding, or a smaller kernel");
        using type = dermtl::shape<OutC, window_count(In::height, K, Stride, Pad.top, Pad.bottom),
                                   window_count(In::width, K, Stride, Pad.left, Pad.right)>;
    };
    template <shape_type In>
    using output_shape = typename output_shape_check<In>::type;

    template <shape_type In>
    static constexpr std::size_t param_count = OutC * In::channels * K * K + OutC;

    static std::string describe() {
        return "conv2d<" + std::to_string(OutC) + "," + std::to_string(K) + "," + std::to_string(Stride) + ",pad " +
               std::to_string(Pad.top) + " " + std::to_string(Pad.bottom) + " " + std::to_string(Pad.left) + " " +
               std::to_string(Pad.right) + ">";
    }

    template <shape_type In, class Backend>
    struct impl {
        using ops = backend::ops<Backend>;
        using tensor = typename ops::tensor;
        using Out = output_shape<In>;
        static constexpr typename ops::window_geometry geometry{In::channels, In::height,  In::width, K,          K,
                                                                Stride,       Stride,      Pad.top,   Pad.left,
                                                                Out::height,  Out::width};
        std::array<param<Backend>, 2> p;
        typename ops::conv_state state;  // this layer's backend state (CUDA: its cuDNN plans)

        impl() {
            p[0].role = param_role::weight;
            p[1].role = param_role::bias;
            for (auto& q : p) {
                ops::reshape(q.value, q.role == param_role::weight ? dims4{OutC, In::channels, K, K} : dims4{OutC, 1, 1, 1});
                ops::reshape(q.grad, ops::dims(q.value));
            }
        }
        std::span<param<Backend>> params() { return p; }

        void forward(const tensor& x, tensor& y, forward_context&) {
            ops::conv2d_forward(x, p[0].value, p[1].value, geometry, y, state);
        }
        // y = relu(conv(x)) in one pass, on backends that fuse it (ops::conv2d_relu_forward); the
        // network calls it for a conv2d followed by relu (nn/network.hpp), and only there.
        void forward_relu(const tensor& x, tensor& y, forward_context&) {
            ops::conv2d_relu_forward(x, p[0].value, p[1].value, geometry, y, state);
        }
        void backward(const tensor& x, const tensor&, const tensor& dy, tensor* dx) {
            ops::conv2d_backward(x, p[0].value, dy, geometry, state, p[0].grad, p[1].grad, dx);
        }
    };
};

}  // namespace dermtl::nn
