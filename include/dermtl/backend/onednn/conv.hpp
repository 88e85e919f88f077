#pragma once
// oneDNN convolution: forward (optionally with ReLU fused as a post-op), backward-data and
// backward-weights, with the layouts oneDNN prefers for each shape.
//
// One plan per input layout (in practice per batch size): the forward primitive descriptor is made
// with every layout "any", so oneDNN picks blocked formats for the activations and the weights;
// the backward primitives are made (on the first backward) with those formats for the activations
// and the weight gradient, so the gradients come out in the layouts the neighbouring layers and
// the optimizer already hold. The input and the weights are converted once (tensor::relayout) and
// then stay converted.
//
// The one exception is backward-data: oneDNN's fast kernel reads the weights with the other
// blocking (input and output channels swapped), and forcing the forward's layout on it selects the
// reference kernel, 100-1000x slower. So the plan keeps a copy of the weights in backward-data's
// layout, refreshed by one cached reorder per backward pass (the weights have changed since the
// last one); for VGG-16 that is 59 MB per step, next to 46 GFLOP per image.
//
// bf16 numerics (state.precision, set by the network): the primitives read bf16 source, weights
// and output gradient and accumulate in float32; the output and the input gradient are bf16 (the
// activations between layers), the weight and bias gradients float32. The master weights stay
// float32, in the weight gradient's layout (so the SGD update converts nothing); each forward
// casts them once to the forward's bf16 layout, and backward-data reads that copy (or casts once
// more where its layout differs). A float32 input (the image) is cast to bf16 once per forward and
// the copy is reused by backward-weights.
#include <cstddef>
#include <string>
#include <deque>

#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/backend/precision.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

struct conv_plan {
    md input;              // the layout x arrived in (the key)
    int variant = 0;       // 1: ReLU fused; 2: bf16
    bool bf16 = false;
    staged_copy src_cast, weights_cast, diff_dst_cast;  // bf16 copies of x (when float32), w, dy (when float32)
    dnnl::convolution_forward::primitive_desc fwd_pd;
    dnnl::convolution_forward fwd;
    bool has_backward = false;
    dnnl::convolution_backward_data::primitive_desc bwd_data_pd;
    dnnl::convolution_backward_data bwd_data;
    staged_copy bwd_data_weights;          // w in backward-data's layout, when it differs
    staged_copy bwd_src, bwd_diff_dst;     // x and dy in backward-weights' layouts, when they differ
    dnnl::convolution_backward_weights::primitive_desc bwd_weights_pd;
    dnnl::convolution_backward_weights bwd_weights;
};

struct conv_state {
    std::deque<conv_plan> plans;  // a deque: `last` stays valid as plans are added
    conv_plan* last = nullptr;  // the plan of the last forward call (backward uses it)
    backend::precision_kind precision = backend::precision_kind::float32;  // float32 or bf16
    scratchpad pad;
};

DERMTL_DECL std::string conv_what(const tensor& x, const tensor& w, const window_geometry& g);

DERMTL_DECL conv_plan& conv_plan_for(const tensor& x, const tensor& w, const window_geometry& g, bool fuse_relu,
                                     conv_state& s);

// y = conv(x, w) + b (then max(., 0) if fuse_relu).
DERMTL_DECL void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                                conv_state& s, bool fuse_relu = false);

// dw, db (overwritten, in the weights' and bias's layouts) and, if dx, dx (in x's layout).
DERMTL_DECL void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                 conv_state& s, tensor& dw, tensor& db, tensor* dx);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/conv.ipp"
#endif
