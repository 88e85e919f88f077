#pragma once
// CUDA convolution through cuDNN 9 (forward, backward data, backward filter, bias). Each layer
// owns a conv_state holding its plans, one per input shape it has seen (the training batch, a last
// partial batch, the evaluation batch): descriptors, the chosen algorithms and their workspace
// sizes, made on the first call of that shape and reused. Nothing is shared between layers. Each
// direction chooses its algorithm on its first run (cuda/algorithm_choice.hpp: the rules, the
// workspace limit and the fallback when a workspace cannot be allocated or an algorithm fails), so
// a first layer, which computes no input gradient, never chooses a backward-data algorithm.
//
// bf16 (cuda/numerics.hpp; the layer's conv_state::precision): the plan keeps bf16 copies of the
// input, the weights and the output gradient, and cuDNN computes in its BFLOAT16 configuration
// (bf16 data, float32 accumulation, tensor-op math allowed); y, dx and dw come out in bf16 and are
// widened into the layer's float32 tensors. The bias and its gradient are float32. A plan is made
// per precision, so a layer switched between precisions reuses neither's descriptors or choices.
//
// cuDNN pads symmetrically; dermtl's padding may be asymmetric (MatConvNet's [top bottom left
// right]). When cuDNN's symmetric padding by (top, left) yields exactly the layer's output size,
// cuDNN pads; otherwise the plan copies the input into a zero-padded buffer covering exactly the
// windows (rows top.. of the padded image) and convolves that without padding.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dermtl/backend/cuda/algorithm_choice.hpp"
#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/debug_options.hpp"
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/launch_plans.hpp"
#include "dermtl/backend/cuda/numerics.hpp"
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

// db = per-channel sums of dy (N x C x H x W): many blocks per channel, then the partials of each
// channel in order (cuda/launch_plans.hpp; deterministic, no atomics).
inline void bias_gradient(const device_tensor& dy, device_tensor& db) {
    const dims4 d = dy.dims();
    const std::size_t plane = d[2] * d[3];
    const channel_reduction_plan p = plan_channel_reduction(d[0] * plane);
    if (d[1] == 0) return;
    if (d[1] > 65535)
        throw shape_error("backend::cuda bias gradient: " + std::to_string(d[1]) +
                          " channels; the reduction handles at most 65535");
    float* partial = context::get().reduction(d[1] * p.chunks);
    kernels::channel_partial_sums(dy.data(), d[0], d[1], plane, p.chunk, p.chunks, unsigned(p.threads), partial);
    kernels::sum_partials(partial, d[1], p.chunks, db.data());
}

// cuDNN's structs and enums as the choice (cuda/algorithm_choice.hpp) sees them.
inline math_kind to_math_kind(cudnnMathType_t m) {
    switch (m) {
        case CUDNN_TENSOR_OP_MATH: return math_kind::tensor_op;
        case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return math_kind::tensor_op_allow_conversion;
        case CUDNN_FMA_MATH: return math_kind::fma;
        default: return math_kind::default_math;
    }
}
inline cudnnMathType_t to_cudnn_math(math_kind m) {
    switch (m) {
        case math_kind::tensor_op: return CUDNN_TENSOR_OP_MATH;
        case math_kind::tensor_op_allow_conversion: return CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        case math_kind::fma: return CUDNN_FMA_MATH;
        default: return CUDNN_DEFAULT_MATH;
    }
}

inline std::string algo_name(cudnnConvolutionFwdAlgo_t a) {
    static const char* names[] = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT",
                                  "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
    return std::string("CUDNN_CONVOLUTION_FWD_ALGO_") + (int(a) >= 0 && int(a) < 8 ? names[int(a)] : std::to_string(int(a)).c_str());
}
inline std::string algo_name(cudnnConvolutionBwdDataAlgo_t a) {
    static const char* names[] = {"0", "1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
    return std::string("CUDNN_CONVOLUTION_BWD_DATA_ALGO_") + (int(a) >= 0 && int(a) < 6 ? names[int(a)] : std::to_string(int(a)).c_str());
}
inline std::string algo_name(cudnnConvolutionBwdFilterAlgo_t a) {
    static const char* names[] = {"0", "1", "FFT", "3", "WINOGRAD", "WINOGRAD_NONFUSED", "FFT_TILING"};
    return std::string("CUDNN_CONVOLUTION_BWD_FILTER_ALGO_") + (int(a) >= 0 && int(a) < 7 ? names[int(a)] : std::to_string(int(a)).c_str());
}
// cuDNN's documented non-deterministic algorithms (the cuDNN API reference, and PyTorch's
// deterministic filter): backward data ALGO_0; backward filter ALGO_0 and ALGO_3.
inline bool known_nondeterministic(cudnnConvolutionFwdAlgo_t) { return false; }
inline bool known_nondeterministic(cudnnConvolutionBwdDataAlgo_t a) { return a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0; }
inline bool known_nondeterministic(cudnnConvolutionBwdFilterAlgo_t a) {
    return a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 || a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3;
}

template <class Perf>
std::vector<algo_candidate> candidates_from(const Perf* perf, int count) {
    std::vector<algo_candidate> out;
    for (int i = 0; i < count; ++i) {
        algo_candidate c;
        c.algo = int(perf[i].algo);
        c.name = algo_name(perf[i].algo);
        c.supported = perf[i].status == CUDNN_STATUS_SUCCESS;
        c.flagged_deterministic = perf[i].determinism == CUDNN_DETERMINISTIC;
        c.known_nondeterministic = known_nondeterministic(perf[i].algo);
        c.math = to_math_kind(perf[i].mathType);
        out.push_back(c);
    }
    return out;
}

// The rules of a plan computing in `p`: bf16 data allows tensor-op math whatever cuda_options::tf32 says.
inline choice_rules rules_of(const cuda_options& o, precision_kind p) {
    const precision_kind rules = p == precision_kind::bf16 ? p : o.tf32 ? precision_kind::tf32 : precision_kind::float32;
    return {o.deterministic, rules, o.workspace_limit};
}

class conv_plan {
public:
    conv_plan(const dims4& x, const dims4& w, const window_geometry& g, precision_kind precision = precision_kind::float32)
        : g_(g), x_(x), precision_(precision) {
        explicit_pad_ = !symmetric_padding_fits(g);
        hp_ = (g.out_h - 1) * g.stride_h + g.kernel_h;
        wp_ = (g.out_w - 1) * g.stride_w + g.kernel_w;
        what_ = "conv2d (" + describe_window(g) + ", batch " + std::to_string(x[0]) + (bf16() ? ", bf16" : "") + ")";
        conv_in_ = explicit_pad_ ? dims4{x[0], x[1], hp_, wp_} : x;
        // In bf16, the descriptors cuDNN convolves describe the plan's bf16 copies (y_ those of y and dy).
        const cudnnDataType_t data = bf16() ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
        // Descriptors are owned (unique_handle): a throw below destroys those already made.
        in_.set(conv_in_, "the input of " + what_, data);
        y_.set({x[0], w[0], g.out_h, g.out_w}, "the output of " + what_, data);
        bias_.set({1, w[0], 1, 1});
        cudnnFilterDescriptor_t filter = nullptr;
        DERMTL_CUDNN_CHECK(cudnnCreateFilterDescriptor(&filter));
        filter_.reset(filter);
        DERMTL_CUDNN_CHECK(cudnnSetFilter4dDescriptor(filter, data, CUDNN_TENSOR_NCHW, int(w[0]), int(w[1]), int(w[2]),
                                                      int(w[3])));
        const int pad_h = explicit_pad_ ? 0 : int(g.pad_top), pad_w = explicit_pad_ ? 0 : int(g.pad_left);
        for (direction* d : {&fwd_, &bwd_data_, &bwd_filter_}) {
            cudnnConvolutionDescriptor_t c = nullptr;
            DERMTL_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&c));
            d->conv.reset(c);
            DERMTL_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(c, pad_h, pad_w, int(g.stride_h), int(g.stride_w), 1, 1,
                                                               CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
        }
        int n = 0, c = 0, h = 0, wd = 0;
        DERMTL_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(fwd_.conv.get(), in_.get(), filter, &n, &c, &h, &wd));
        if (std::size_t(h) != g.out_h || std::size_t(wd) != g.out_w)
            throw shape_error("backend::cuda conv2d: cuDNN computes a " + std::to_string(h) + "x" + std::to_string(wd) +
                              " output for " + describe_window(g) + "; expected " + std::to_string(g.out_h) + "x" +
                              std::to_string(g.out_w));
        if (explicit_pad_) {
            xpad_.reshape(conv_in_);
            dxpad_.reshape(conv_in_);
        }
    }
    conv_plan(const conv_plan&) = delete;
    conv_plan& operator=(const conv_plan&) = delete;

    void forward(const device_tensor& x, const device_tensor& w, const device_tensor& b, device_tensor& y) {
        context& ctx = context::get();
        const float one = 1.0f, zero = 0.0f;
        const float* in = input(x);
        y.reshape({x_[0], w.dims()[0], g_.out_h, g_.out_w});
        if (bf16()) {
            const std::uint16_t* xb = xb_.round_from(in, elements(conv_in_), "the input", what_);
            const std::uint16_t* wb = wb_.round_from(w.data(), w.size(), "the weights", what_);
            std::uint16_t* yb = yb_.reserve(y.size(), "the output", what_);
            run(fwd_, "forward", [&](const algo_candidate& a, void* ws) {
                return cudnnConvolutionForward(ctx.cudnn(), &one, in_.get(), xb, filter_.get(), wb, fwd_.conv.get(),
                                               cudnnConvolutionFwdAlgo_t(a.algo), ws, a.workspace, &zero, y_.get(), yb);
            });
            kernels::from_bf16(yb, y.data(), y.size());
        } else {
            run(fwd_, "forward", [&](const algo_candidate& a, void* ws) {
                return cudnnConvolutionForward(ctx.cudnn(), &one, in_.get(), in, filter_.get(), w.data(), fwd_.conv.get(),
                                               cudnnConvolutionFwdAlgo_t(a.algo), ws, a.workspace, &zero, y.descriptor(),
                                               y.data());
            });
        }
        DERMTL_CUDNN_CHECK(cudnnAddTensor(ctx.cudnn(), &one, bias_.get(), b.data(), &one, y.descriptor(), y.data()));
    }

    // dx == nullptr (a network's first layer): the backward-data direction is neither chosen nor run.
    void backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy, device_tensor& dw,
                  device_tensor& db, device_tensor* dx) {
        if (bf16()) return backward_bf16(x, w, dy, dw, db, dx);
        context& ctx = context::get();
        const float one = 1.0f, zero = 0.0f;
        const float* in = input(x);  // re-padded: cheap, and correct whatever ran since forward
        run(bwd_filter_, "backward filter", [&](const algo_candidate& a, void* ws) {
            return cudnnConvolutionBackwardFilter(ctx.cudnn(), &one, in_.get(), in, dy.descriptor(), dy.data(),
                                                  bwd_filter_.conv.get(), cudnnConvolutionBwdFilterAlgo_t(a.algo), ws,
                                                  a.workspace, &zero, filter_.get(), dw.data());
        });
        bias_gradient(dy, db);
        if (!dx) return;
        dx->reshape(x_);
        float* out = explicit_pad_ ? dxpad_.data() : dx->data();
        run(bwd_data_, "backward data", [&](const algo_candidate& a, void* ws) {
            return cudnnConvolutionBackwardData(ctx.cudnn(), &one, filter_.get(), w.data(), dy.descriptor(), dy.data(),
                                                bwd_data_.conv.get(), cudnnConvolutionBwdDataAlgo_t(a.algo), ws,
                                                a.workspace, &zero, in_.get(), out);
        });
        if (explicit_pad_) {
            const std::size_t planes = x_[0] * x_[1];
            kernels::crop_planes(dxpad_.data(), planes, hp_, wp_, dx->data(), x_[2], x_[3], g_.pad_top, g_.pad_left);
        }
    }

    // bf16: the input, weights and output gradient rounded to bf16 again (correct whatever ran
    // since forward, as the re-padding), the gradients widened to float32.
    void backward_bf16(const device_tensor& x, const device_tensor& w, const device_tensor& dy, device_tensor& dw,
                       device_tensor& db, device_tensor* dx) {
        context& ctx = context::get();
        const float one = 1.0f, zero = 0.0f;
        const std::uint16_t* xb = xb_.round_from(input(x), elements(conv_in_), "the input", what_);
        const std::uint16_t* dyb = dyb_.round_from(dy.data(), dy.size(), "the output gradient", what_);
        std::uint16_t* dwb = dwb_.reserve(w.size(), "the weight gradient", what_);
        run(bwd_filter_, "backward filter", [&](const algo_candidate& a, void* ws) {
            return cudnnConvolutionBackwardFilter(ctx.cudnn(), &one, in_.get(), xb, y_.get(), dyb, bwd_filter_.conv.get(),
                                                  cudnnConvolutionBwdFilterAlgo_t(a.algo), ws, a.workspace, &zero,
                                                  filter_.get(), dwb);
        });
        kernels::from_bf16(dwb, dw.data(), w.size());
        bias_gradient(dy, db);
        if (!dx) return;
        dx->reshape(x_);
        const std::uint16_t* wb = wb_.round_from(w.data(), w.size(), "the weights", what_);
        const std::size_t n_in = elements(conv_in_);
        std::uint16_t* dxb = dxb_.reserve(n_in, "the input gradient", what_);
        run(bwd_data_, "backward data", [&](const algo_candidate& a, void* ws) {
            return cudnnConvolutionBackwardData(ctx.cudnn(), &one, filter_.get(), wb, y_.get(), dyb, bwd_data_.conv.get(),
                                                cudnnConvolutionBwdDataAlgo_t(a.algo), ws, a.workspace, &zero, in_.get(),
                                                dxb);
        });
        kernels::from_bf16(dxb, explicit_pad_ ? dxpad_.data() : dx->data(), n_in);
        if (explicit_pad_) {
            const std::size_t planes = x_[0] * x_[1];
            kernels::crop_planes(dxpad_.data(), planes, hp_, wp_, dx->data(), x_[2], x_[3], g_.pad_top, g_.pad_left);
        }
    }

    bool bf16() const { return precision_ == precision_kind::bf16; }

    // The chosen algorithms (for tests and logs): the direction's choice, or nullptr before its first run.
    const algorithm_choice* choice(const std::string& direction_name) const {
        const direction& d = direction_name == "forward" ? fwd_ : direction_name == "backward data" ? bwd_data_ : bwd_filter_;
        return d.generation ? &d.choice : nullptr;
    }

private:
    // One direction: its convolution descriptor (its math type is per direction), its choice, the
    // options generation it was chosen under (0: not yet), and whether the choice was logged.
    struct direction {
        unique_handle<cudnnConvolutionDescriptor_t, cudnnDestroyConvolutionDescriptor> conv;
        algorithm_choice choice;
        std::uint64_t generation = 0;
        bool logged = false;
    };

    static std::size_t elements(const dims4& d) { return d[0] * d[1] * d[2] * d[3]; }

    const float* input(const device_tensor& x) {
        if (!explicit_pad_) return x.data();
        const std::size_t planes = x_[0] * x_[1];
        kernels::pad_planes(x.data(), planes, x_[2], x_[3], xpad_.data(), hp_, wp_, g_.pad_top, g_.pad_left, 0.0f);
        return xpad_.data();
    }

    // Chooses the direction's candidates on its first run (and after the options change), then
    // runs `call(candidate, workspace)` with the fallback walk of cuda/algorithm_choice.hpp.
    template <class Call>
    void run(direction& d, const char* name, Call&& call) {
        context& ctx = context::get();
        const std::string what = what_ + " " + name;
        if (d.generation != ctx.generation()) {
            d.choice = choose(d, name, what, ctx);
            d.generation = ctx.generation();
            d.logged = false;
        }
        const algo_candidate& used = run_with_fallback(d.choice, what, [&](const algo_candidate& a, std::string& reason) {
            const cudnnStatus_t m = cudnnSetConvolutionMathType(d.conv.get(), to_cudnn_math(a.run_math));
            if (m != CUDNN_STATUS_SUCCESS) {
                reason = "cudnnSetConvolutionMathType: " + status_text(m);
                return run_outcome::failed;
            }
            void* ws = nullptr;
            if (a.workspace) {
                ws = ctx.try_workspace(a.workspace);
                if (!ws) return run_outcome::out_of_memory;
            }
            const cudnnStatus_t st = call(a, ws);
            if (st != CUDNN_STATUS_SUCCESS) {
                reason = std::string(name) + " call: " + status_text(st);
                return run_outcome::failed;
            }
            sync_check_after(("cuDNN convolution " + what + " with " + a.name).c_str(), __FILE__, __LINE__);
            return run_outcome::ok;
        });
        if (!d.logged && log_choices_enabled()) {
            std::fprintf(stderr, "dermtl cuda: %s: %s, %s, workspace %zu bytes (usable candidate %zu of %zu; passed over: %s)\n",
                         what.c_str(), used.name.c_str(), math_name(used.run_math), used.workspace, d.choice.current + 1,
                         d.choice.candidates_seen, d.choice.passed_over.empty() ? "none" : join_reasons(d.choice.passed_over).c_str());
            d.logged = true;
        }
    }

    algorithm_choice choose(direction& d, const char* name, const std::string& what, context& ctx) {
        const choice_rules r = rules_of(ctx.options(), precision_);
        const cudnnHandle_t h = ctx.cudnn();
        const cudnnConvolutionDescriptor_t conv = d.conv.get();
        // The heuristics rank for the descriptor's math type: DEFAULT under TF32 and bf16 (every
        // math type offered), FMA under float32.
        DERMTL_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, r.tensor_ops() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH));
        int count = 0;
        const auto set_math = [&](math_kind m) { return cudnnSetConvolutionMathType(conv, to_cudnn_math(m)) == CUDNN_STATUS_SUCCESS; };
        if (&d == &fwd_) {
            cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
            DERMTL_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, in_.get(), filter_.get(), conv, y_.get(),
                                                                      CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count, perf));
            return choose_candidates(candidates_from(perf, count), r, what, [&](const algo_candidate& c, math_kind m, std::size_t& bytes) {
                return set_math(m) && cudnnGetConvolutionForwardWorkspaceSize(h, in_.get(), filter_.get(), conv, y_.get(),
                                                                              cudnnConvolutionFwdAlgo_t(c.algo), &bytes) == CUDNN_STATUS_SUCCESS;
            });
        }
        if (&d == &bwd_data_) {
            cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
            DERMTL_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, filter_.get(), y_.get(), conv, in_.get(),
                                                                           CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, perf));
            return choose_candidates(candidates_from(perf, count), r, what, [&](const algo_candidate& c, math_kind m, std::size_t& bytes) {
                return set_math(m) && cudnnGetConvolutionBackwardDataWorkspaceSize(h, filter_.get(), y_.get(), conv, in_.get(),
                                                                                   cudnnConvolutionBwdDataAlgo_t(c.algo), &bytes) == CUDNN_STATUS_SUCCESS;
            });
        }
        (void)name;
        cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
        DERMTL_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, in_.get(), y_.get(), conv, filter_.get(),
                                                                         CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, perf));
        return choose_candidates(candidates_from(perf, count), r, what, [&](const algo_candidate& c, math_kind m, std::size_t& bytes) {
            return set_math(m) && cudnnGetConvolutionBackwardFilterWorkspaceSize(h, in_.get(), y_.get(), conv, filter_.get(),
                                                                                 cudnnConvolutionBwdFilterAlgo_t(c.algo), &bytes) == CUDNN_STATUS_SUCCESS;
        });
    }

    window_geometry g_;
    dims4 x_;
    dims4 conv_in_{};  // what cuDNN convolves: x, or its zero-padded copy
    precision_kind precision_ = precision_kind::float32;
    std::string what_;
    bool explicit_pad_ = false;
    std::size_t hp_ = 0, wp_ = 0;
    tensor_descriptor in_, y_, bias_;
    unique_handle<cudnnFilterDescriptor_t, cudnnDestroyFilterDescriptor> filter_;
    direction fwd_, bwd_data_, bwd_filter_;
    device_tensor xpad_, dxpad_;
    bf16_buffer xb_, wb_, yb_, dyb_, dwb_, dxb_;  // bf16 only
};

// Per-layer convolution state: the precision the layer computes in (set by network::set_numerics)
// and its plans by (input shape, filter shape, geometry, precision). A layer's filter and geometry
// are fixed, so in practice there is one plan per batch size.
struct conv_state {
    struct key {
        dims4 x, w;
        window_geometry g;
        precision_kind precision = precision_kind::float32;
        auto operator<=>(const key&) const = default;
    };
    std::map<key, std::unique_ptr<conv_plan>> plans;
    precision_kind precision = precision_kind::float32;
};

// The layer's plan for this input shape, filter shape and geometry (made on first use, then kept).
inline conv_plan& conv_plan_for(const device_tensor& x, const device_tensor& w, const window_geometry& g,
                                conv_state& s) {
    const conv_state::key k{x.dims(), w.dims(), g, s.precision};
    auto& slot = s.plans[k];
    if (!slot) {
        try {
            slot = std::make_unique<conv_plan>(x.dims(), w.dims(), g, s.precision);
        } catch (...) {
            s.plans.erase(k);  // no empty plan left behind
            throw;
        }
    }
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
