#pragma once
// oneDNN max pooling, in the layout its input arrives in (the convolution's blocked format), with
// oneDNN's workspace (the winners) kept in the layer's state for the backward pass. Padded cells
// never win, as in the reference (cpu/pool.hpp); ceil-mode windows that reach past the padding
// are handled by the right/bottom padding of primitive.hpp's window. The output has the input's
// data type: bf16 between the convolutions of a bf16 network (a max is exact in any precision).
#include <deque>
#include <string>

#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

struct pool_plan {
    md input;
    bool variant = false;
    dnnl::pooling_forward::primitive_desc fwd_pd;
    dnnl::pooling_forward fwd;
    bool has_backward = false;
    dnnl::pooling_backward::primitive_desc bwd_pd;
    dnnl::pooling_backward bwd;
};

struct pool_state {
    std::deque<pool_plan> plans;
    pool_plan* last = nullptr;
    tensor::buffer workspace;
    scratchpad pad;
};

DERMTL_DECL std::string pool_what(const tensor& x, const window_geometry& g);

DERMTL_DECL void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, pool_state& s);

DERMTL_DECL void max_pool_backward(const tensor& x, const tensor& dy, const window_geometry& g, pool_state& s,
                                   tensor& dx);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/pool.ipp"
#endif
