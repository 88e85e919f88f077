#pragma once
// CUDA max pooling through cuDNN 9, with the CPU backend's semantics: Caffe/MatConvNet ceil
// rounding (a last partial window is kept), asymmetric padding, padded cells never win.
//
// cuDNN pools with floor rounding and symmetric padding. When there is no padding and floor
// rounding already gives the layer's output size (VGG-16's 2x2 pools, VGG-M's pool1 and pool5 at
// 224), cuDNN pools the input directly. Otherwise the input is copied into a buffer padded with
// -inf that holds exactly the windows (rows from -pad_top to the last window's end), and cuDNN pools
// that without padding; the backward pass crops the gradient back.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/conv.hpp"  // window_geometry
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/tensor.hpp"

namespace dermtl::backend::cuda_detail {

// Per-layer pooling state: the cuDNN descriptor and, for padded/ceil cases, the padded buffers.
struct pool_state {
    unique_descriptor<cudnnPoolingDescriptor_t, cudnnDestroyPoolingDescriptor> desc;
    dims4 planned_for{0, 0, 0, 0};
    std::uint64_t generation = 0;
    bool padded = false;
    std::size_t hp = 0, wp = 0;
    tensor_descriptor in;
    device_tensor xpad, dxpad;
};

inline void plan_pool(const device_tensor& x, const window_geometry& g, pool_state& s) {
    context& ctx = context::get();
    if (s.planned_for == x.dims() && s.generation == ctx.generation()) return;
    const dims4 d = x.dims();
    if (d[1] != g.channels || d[2] != g.height || d[3] != g.width)
        throw shape_error("backend::cuda max_pool: input " + describe(d) + " does not match the layer's " + describe_window(g));
    s.padded = !(g.pad_top == 0 && g.pad_left == 0 && symmetric_padding_fits(g));
    s.hp = (g.out_h - 1) * g.stride_h + g.kernel_h;
    s.wp = (g.out_w - 1) * g.stride_w + g.kernel_w;
    const dims4 in = s.padded ? dims4{d[0], d[1], s.hp, s.wp} : d;
    s.in.set(in);
    if (s.padded) {
        s.xpad.reshape(in);
        s.dxpad.reshape(in);
    }
    if (!s.desc) {
        cudnnPoolingDescriptor_t raw = nullptr;
        DERMTL_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&raw));
        s.desc.reset(raw);
    }
    const cudnnPoolingMode_t mode = ctx.options().deterministic ? CUDNN_POOLING_MAX_DETERMINISTIC : CUDNN_POOLING_MAX;
    DERMTL_CUDNN_CHECK(cudnnSetPooling2dDescriptor(s.desc.get(), mode, CUDNN_NOT_PROPAGATE_NAN, int(g.kernel_h),
                                                   int(g.kernel_w), 0, 0, int(g.stride_h), int(g.stride_w)));
    int n = 0, c = 0, h = 0, w = 0;
    DERMTL_CUDNN_CHECK(cudnnGetPooling2dForwardOutputDim(s.desc.get(), s.in.get(), &n, &c, &h, &w));
    if (std::size_t(h) != g.out_h || std::size_t(w) != g.out_w)
        throw shape_error("backend::cuda max_pool: cuDNN computes a " + std::to_string(h) + "x" + std::to_string(w) +
                          " output for " + describe_window(g) + "; expected " + std::to_string(g.out_h) + "x" +
                          std::to_string(g.out_w));
    s.planned_for = d;
    s.generation = ctx.generation();
}

inline void max_pool_forward(const device_tensor& x, const window_geometry& g, device_tensor& y, pool_state& s) {
    plan_pool(x, g, s);
    context& ctx = context::get();
    const dims4 d = x.dims();
    y.reshape({d[0], d[1], g.out_h, g.out_w});
    const float* in = x.data();
    if (s.padded) {
        kernels::pad_planes(x.data(), d[0] * d[1], d[2], d[3], s.xpad.data(), s.hp, s.wp, g.pad_top, g.pad_left,
                            -std::numeric_limits<float>::infinity());
        in = s.xpad.data();
    }
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUDNN_CHECK(cudnnPoolingForward(ctx.cudnn(), s.desc.get(), &one, s.in.get(), in, &zero, y.descriptor(), y.data()));
}

// Uses the padded input kept by the forward pass of the same layer (pool_state is per layer).
inline void max_pool_backward(const device_tensor& x, const device_tensor& y, const device_tensor& dy,
                              const window_geometry& g, pool_state& s, device_tensor& dx) {
    plan_pool(x, g, s);
    context& ctx = context::get();
    const dims4 d = x.dims();
    dx.reshape(d);
    const float one = 1.0f, zero = 0.0f;
    const float* in = s.padded ? s.xpad.data() : x.data();
    float* out = s.padded ? s.dxpad.data() : dx.data();
    DERMTL_CUDNN_CHECK(cudnnPoolingBackward(ctx.cudnn(), s.desc.get(), &one, y.descriptor(), y.data(), dy.descriptor(),
                                            dy.data(), s.in.get(), in, &zero, s.in.get(), out));
    if (s.padded) {
        kernels::crop_planes(s.dxpad.data(), d[0] * d[1], s.hp, s.wp, dx.data(), d[2], d[3], g.pad_top, g.pad_left);
    }
}

}  // namespace dermtl::backend::cuda_detail
