#pragma once
// CUDA convolution through cuDNN 9 (forward, backward data, backward filter, bias). Each layer
// owns a conv_state holding its plans, one per input shape it has seen (the training batch, a last
// partial batch, the evaluation batch): descriptors, the chosen algorithms and their workspace
// sizes, made on the first call of that shape and reused. Nothing is shared between layers.
//
// cuDNN pads symmetrically; dermtl's padding may be asymmetric (MatConvNet's [top bottom left
// right]). When cuDNN's symmetric padding by (top, left) yields exactly the layer's output size,
// cuDNN pads; otherwise the plan copies the input into a zero-padded buffer covering exactly the
// windows (rows top.. of the padded image) and convolves that without padding.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/backend/window_geometry.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

using backend::window_geometry;

inline std::string describe_window(const window_geometry& g) {
    return "window " + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + " stride " +
           std::to_string(g.stride_h) + " pad top/left " + std::to_string(g.pad_top) + "/" + std::to_string(g.pad_left) +
           " on " + std::to_string(g.channels) + "x" + std::to_string(g.height) + "x" + std::to_string(g.width) +
           " -> " + std::to_string(g.out_h) + "x" + std::to_string(g.out_w);
}

// True when cuDNN's symmetric padding by (pad_top, pad_left) gives exactly the layer's windows.
inline bool symmetric_padding_fits(const window_geometry& g) {
    const auto count = [](std::size_t n, std::size_t pad, std::size_t k, std::size_t s) {
        return n + 2 * pad < k ? std::size_t(0) : (n + 2 * pad - k) / s + 1;
    };
    return count(g.height, g.pad_top, g.kernel_h, g.stride_h) == g.out_h &&
           count(g.width, g.pad_left, g.kernel_w, g.stride_w) == g.out_w;
}

// db = per-channel sums of dy (N x C x H x W) with the deterministic kernel above.
inline void bias_gradient(const device_tensor& dy, device_tensor& db) {
    const dims4 d = dy.dims();
    const std::size_t plane = d[2] * d[3];
    const unsigned threads = d[0] * plane >= 1024 ? 1024u : d[0] * plane >= 256 ? 256u : 32u;
    kernels::channel_sums<float><<<unsigned(d[1]), threads, threads * sizeof(float)>>>(dy.data(), d[0], d[1], plane,
                                                                                        db.data());
    DERMTL_CUDA_CHECK_LAUNCH(channel_sums);
}

// Picks the first algorithm cuDNN's heuristics list (fastest first) that is supported, is
// deterministic when asked, and can run in the policy's math mode: with float32 the descriptor is
// set to FMA-only math (as PyTorch does without TF32) and tensor-op-only algorithms are skipped;
// with TF32 the algorithm's own math type is used. `try_use(perf, math)` sets the math type and
// queries the workspace; a candidate whose query fails is skipped. Fails naming the operation.
template <class Perf, class TryUse>
Perf choose_algorithm(const Perf* perf, int count, const cuda_options& o, const std::string& what, TryUse&& try_use) {
    for (int i = 0; i < count; ++i) {
        const Perf& p = perf[i];
        if (p.status != CUDNN_STATUS_SUCCESS) continue;
        if (o.deterministic && p.determinism != CUDNN_DETERMINISTIC) continue;
        if (!o.tf32 && p.mathType == CUDNN_TENSOR_OP_MATH) continue;
        if (try_use(p, o.tf32 ? p.mathType : CUDNN_FMA_MATH)) return p;
    }
    throw backend_error("backend::cuda: no cuDNN algorithm for " + what + " satisfies the options (deterministic " +
                        (o.deterministic ? "on" : "off") + ", tf32 " + (o.tf32 ? "on" : "off") + "; " +
                        std::to_string(count) + " candidates)");
}

class conv_plan {
public:
    conv_plan(const dims4& x, const dims4& w, const window_geometry& g) : g_(g), x_(x) {
        explicit_pad_ = !symmetric_padding_fits(g);
        hp_ = (g.out_h - 1) * g.stride_h + g.kernel_h;
        wp_ = (g.out_w - 1) * g.stride_w + g.kernel_w;
        const dims4 conv_in = explicit_pad_ ? dims4{x[0], x[1], hp_, wp_} : x;
        in_.set(conv_in);
        y_.set({x[0], w[0], g.out_h, g.out_w});
        bias_.set({1, w[0], 1, 1});
        DERMTL_CUDNN_CHECK(cudnnCreateFilterDescriptor(&filter_));
        DERMTL_CUDNN_CHECK(cudnnSetFilter4dDescriptor(filter_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, int(w[0]), int(w[1]),
                                                      int(w[2]), int(w[3])));
        const int pad_h = explicit_pad_ ? 0 : int(g.pad_top), pad_w = explicit_pad_ ? 0 : int(g.pad_left);
        for (cudnnConvolutionDescriptor_t* c : {&conv_fwd_, &conv_bwd_data_, &conv_bwd_filter_}) {
            DERMTL_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(c));
            DERMTL_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(*c, pad_h, pad_w, int(g.stride_h), int(g.stride_w), 1, 1,
                                                               CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
        }
        int n = 0, c = 0, h = 0, wd = 0;
        DERMTL_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(conv_fwd_, in_.get(), filter_, &n, &c, &h, &wd));
        if (std::size_t(h) != g.out_h || std::size_t(wd) != g.out_w)
            throw shape_error("backend::cuda conv2d: cuDNN computes a " + std::to_string(h) + "x" + std::to_string(wd) +
                              " output for " + describe_window(g) + "; expected " + std::to_string(g.out_h) + "x" +
                              std::to_string(g.out_w));
        what_ = "conv2d (" + describe_window(g) + ", batch " + std::to_string(x[0]) + ")";
        if (explicit_pad_) {
            xpad_.reshape(conv_in);
            dxpad_.reshape(conv_in);
        }
        choose();
    }
    conv_plan(const conv_plan&) = delete;
    conv_plan& operator=(const conv_plan&) = delete;
    ~conv_plan() {
        for (auto c : {conv_fwd_, conv_bwd_data_, conv_bwd_filter_})
            if (c) cudnnDestroyConvolutionDescriptor(c);
        if (filter_) cudnnDestroyFilterDescriptor(filter_);
    }

    // (Re)chooses algorithms when the backend options changed since the last choice.
    void refresh() {
        if (generation_ != context::get().generation()) choose();
    }

    void forward(const device_tensor& x, const device_tensor& w, const device_tensor& b, device_tensor& y) {
        context& ctx = context::get();
        const float one = 1.0f, zero = 0.0f;
        const float* in = input(x);
        y.reshape({x_[0], w.dims()[0], g_.out_h, g_.out_w});
        void* ws = ctx.workspace(ws_fwd_, what_);
        DERMTL_CUDNN_CHECK(cudnnConvolutionForward(ctx.cudnn(), &one, in_.get(), in, filter_, w.data(), conv_fwd_,
                                                   algo_fwd_, ws, ws_fwd_, &zero, y.descriptor(), y.data()));
        DERMTL_CUDNN_CHECK(cudnnAddTensor(ctx.cudnn(), &one, bias_.get(), b.data(), &one, y.descriptor(), y.data()));
    }

    void backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy, device_tensor& dw,
                  device_tensor& db, device_tensor* dx) {
        context& ctx = context::get();
        const float one = 1.0f, zero = 0.0f;
        const float* in = input(x);  // re-padded: cheap, and correct whatever ran since forward
        void* ws = ctx.workspace(ws_bwd_filter_, what_);
        DERMTL_CUDNN_CHECK(cudnnConvolutionBackwardFilter(ctx.cudnn(), &one, in_.get(), in, dy.descriptor(), dy.data(),
                                                          conv_bwd_filter_, algo_bwd_filter_, ws, ws_bwd_filter_, &zero,
                                                          filter_, dw.data()));
        bias_gradient(dy, db);
        if (!dx) return;
        dx->reshape(x_);
        ws = ctx.workspace(ws_bwd_data_, what_);
        float* out = explicit_pad_ ? dxpad_.data() : dx->data();
        DERMTL_CUDNN_CHECK(cudnnConvolutionBackwardData(ctx.cudnn(), &one, filter_, w.data(), dy.descriptor(),
                                                        dy.data(), conv_bwd_data_, algo_bwd_data_, ws, ws_bwd_data_,
                                                        &zero, in_.get(), out));
        if (explicit_pad_) {
            const std::size_t planes = x_[0] * x_[1];
            kernels::crop_planes<float><<<blocks_for(dx->size()), 256>>>(dxpad_.data(), planes, hp_, wp_, dx->data(),
                                                                          x_[2], x_[3], g_.pad_top, g_.pad_left);
            DERMTL_CUDA_CHECK_LAUNCH(crop_planes);
        }
    }

private:
    const float* input(const device_tensor& x) {
        if (!explicit_pad_) return x.data();
        const std::size_t planes = x_[0] * x_[1];
        kernels::pad_planes<float><<<blocks_for(xpad_.size()), 256>>>(x.data(), planes, x_[2], x_[3], xpad_.data(), hp_,
                                                                       wp_, g_.pad_top, g_.pad_left, 0.0f);
        DERMTL_CUDA_CHECK_LAUNCH(pad_planes);
        return xpad_.data();
    }

    void choose() {
        context& ctx = context::get();
        const cuda_options& o = ctx.options();
        const cudnnMathType_t math = o.tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
        for (auto c : {conv_fwd_, conv_bwd_data_, conv_bwd_filter_}) DERMTL_CUDNN_CHECK(cudnnSetConvolutionMathType(c, math));
        const cudnnHandle_t h = ctx.cudnn();
        int count = 0;
        {
            cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
            DERMTL_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, in_.get(), filter_, conv_fwd_, y_.get(),
                                                                      CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count, perf));
            algo_fwd_ = choose_algorithm(perf, count, o, what_ + " forward", [&](const auto& p, cudnnMathType_t m) {
                            return cudnnSetConvolutionMathType(conv_fwd_, m) == CUDNN_STATUS_SUCCESS &&
                                   cudnnGetConvolutionForwardWorkspaceSize(h, in_.get(), filter_, conv_fwd_, y_.get(),
                                                                           p.algo, &ws_fwd_) == CUDNN_STATUS_SUCCESS;
                        }).algo;
        }
        {
            cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
            DERMTL_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, filter_, y_.get(), conv_bwd_data_, in_.get(),
                                                                           CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count,
                                                                           perf));
            algo_bwd_data_ =
                choose_algorithm(perf, count, o, what_ + " backward data", [&](const auto& p, cudnnMathType_t m) {
                    return cudnnSetConvolutionMathType(conv_bwd_data_, m) == CUDNN_STATUS_SUCCESS &&
                           cudnnGetConvolutionBackwardDataWorkspaceSize(h, filter_, y_.get(), conv_bwd_data_, in_.get(),
                                                                        p.algo, &ws_bwd_data_) == CUDNN_STATUS_SUCCESS;
                }).algo;
        }
        {
            cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
            DERMTL_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, in_.get(), y_.get(), conv_bwd_filter_,
                                                                             filter_,
                                                                             CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
                                                                             &count, perf));
            algo_bwd_filter_ =
                choose_algorithm(perf, count, o, what_ + " backward filter", [&](const auto& p, cudnnMathType_t m) {
                    return cudnnSetConvolutionMathType(conv_bwd_filter_, m) == CUDNN_STATUS_SUCCESS &&
                           cudnnGetConvolutionBackwardFilterWorkspaceSize(h, in_.get(), y_.get(), conv_bwd_filter_,
                                                                          filter_, p.algo, &ws_bwd_filter_) ==
                               CUDNN_STATUS_SUCCESS;
                }).algo;
        }
        generation_ = ctx.generation();
    }

    window_geometry g_;
    dims4 x_;
    std::string what_;
    bool explicit_pad_ = false;
    std::size_t hp_ = 0, wp_ = 0;
    tensor_descriptor in_, y_, bias_;
    cudnnFilterDescriptor_t filter_ = nullptr;
    cudnnConvolutionDescriptor_t conv_fwd_ = nullptr, conv_bwd_data_ = nullptr, conv_bwd_filter_ = nullptr;
    cudnnConvolutionFwdAlgo_t algo_fwd_{};
    cudnnConvolutionBwdDataAlgo_t algo_bwd_data_{};
    cudnnConvolutionBwdFilterAlgo_t algo_bwd_filter_{};
    std::size_t ws_fwd_ = 0, ws_bwd_data_ = 0, ws_bwd_filter_ = 0;
    std::uint64_t generation_ = 0;
    device_tensor xpad_, dxpad_;
};

// Per-layer convolution state: the layer's plans by (input shape, filter shape, geometry). A
// layer's filter and geometry are fixed, so in practice there is one plan per batch size.
struct conv_state {
    struct key {
        dims4 x, w;
        window_geometry g;
        auto operator<=>(const key&) const = default;
    };
    std::map<key, std::unique_ptr<conv_plan>> plans;
};

// The layer's plan for this input shape, filter shape and geometry (made on first use, then kept).
inline conv_plan& conv_plan_for(const device_tensor& x, const device_tensor& w, const window_geometry& g,
                                conv_state& s) {
    auto& slot = s.plans[conv_state::key{x.dims(), w.dims(), g}];
    if (!slot)
        slot = std::make_unique<conv_plan>(x.dims(), w.dims(), g);
    else
        slot->refresh();
    return *slot;
}

inline void check_conv_shapes(const device_tensor& x, const device_tensor& w, const window_geometry& g) {
    const dims4 xd = x.dims(), wd = w.dims();
    if (xd[1] != g.channels || xd[2] != g.height || xd[3] != g.width || wd[1] != g.channels || wd[2] != g.kernel_h ||
        wd[3] != g.kernel_w)
        throw shape_error("backend::cuda conv2d: input " + describe(xd) + " and weights " + describe(wd) +
                          " do not match the layer's " + describe_window(g));
}

inline void conv2d_forward(const device_tensor& x, const device_tensor& w, const device_tensor& b,
                           const window_geometry& g, device_tensor& y, conv_state& s) {
    check_conv_shapes(x, w, g);
    conv_plan_for(x, w, g, s).forward(x, w, b, y);
}

inline void conv2d_backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy,
                            const window_geometry& g, conv_state& s, device_tensor& dw, device_tensor& db,
                            device_tensor* dx) {
    check_conv_shapes(x, w, g);
    conv_plan_for(x, w, g, s).backward(x, w, dy, dw, db, dx);
}

}  // namespace dermtl::backend::cuda_detail
