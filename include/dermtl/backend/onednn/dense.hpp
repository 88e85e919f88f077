#pragma once
// oneDNN inner product (the dense layers): Y = X W^T + b on the input as it arrives -- a blocked
// 4-D activation after the last pooling layer, a plain N x In matrix after another dense layer.
// The weights, stored Out x In x 1 x 1, are seen as Out x C x H x W (the same bytes when plain)
// and converted once to the layout oneDNN chose for that input.
//
// bf16 numerics (state.precision, set by the network): bf16 source, weights and output gradient,
// float32 accumulation, a float32 output (so fc7's features, the loss and dropout stay float32),
// an input gradient of the input's own type and layout (bf16 after the last pooling layer), and
// float32 weight and bias gradients. The master weights stay float32 in the weight gradient's
// layout; each forward casts them once to bf16, and backward-data reads that copy.
#include <deque>
#include <string>

#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/backend/precision.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

struct dense_plan {
    md input;
    bool variant = false;  // bf16
    staged_copy src_cast, weights_cast, diff_dst_cast;  // bf16 copies of x (when float32), w, dy
    dnnl::inner_product_forward::primitive_desc fwd_pd;
    dnnl::inner_product_forward fwd;
    bool has_backward = false;
    dnnl::inner_product_backward_data::primitive_desc bwd_data_pd;
    dnnl::inner_product_backward_data bwd_data;
    dnnl::inner_product_backward_weights::primitive_desc bwd_weights_pd;
    dnnl::inner_product_backward_weights bwd_weights;
};

struct dense_state {
    std::deque<dense_plan> plans;
    dense_plan* last = nullptr;
    scratchpad pad;
    backend::precision_kind precision = backend::precision_kind::float32;  // float32 or bf16
};

DERMTL_DECL std::string dense_what(const tensor& x, const tensor& w);

DERMTL_DECL void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& s);

DERMTL_DECL void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw, tensor& db,
                                tensor* dx);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/dense.ipp"
#endif
