#pragma once
// oneDNN local response normalization across channels, in the layout its input arrives in. oneDNN
// divides alpha by the window size (y = x / (k + alpha/n sum x^2)^beta); the reference formula
// (cpu/lrn.hpp, MatConvNet's) does not, so oneDNN is given alpha * n.
//
// oneDNN's fast LRN kernels need the channels to fill whole blocks (VGG-M's 96 and 256 do); for
// other shapes (the scaled nets' 12 channels, a plain input) oneDNN offers only its reference
// kernel, several times slower than dermtl's, so those layers run backend::cpu's LRN on plain data.
// In a bf16 network the LRN reads and writes bf16 (oneDNN's bf16 kernels compute in float32
// inside); dermtl's kernel computes in float32 and writes its results back in the input's bf16
// layout (two casts, counted by cast_count()).
#include <deque>
#include <string>

#include "dermtl/backend/cpu/lrn.hpp"
#include "dermtl/backend/lrn_params.hpp"
#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

using backend::lrn_params;

struct lrn_plan {
    md input;
    bool variant = false;
    dnnl::lrn_forward::primitive_desc fwd_pd;
    dnnl::lrn_forward fwd;
    bool dermtl_kernel = false;  // oneDNN has only its reference kernel for this shape
    bool has_backward = false;
    dnnl::lrn_backward::primitive_desc bwd_pd;
    dnnl::lrn_backward bwd;
};

struct lrn_state {
    std::deque<lrn_plan> plans;
    lrn_plan* last = nullptr;
    tensor::buffer workspace;
    scratchpad pad;
    host_tensor x, y, scale, dy, dx, work;  // plain copies for dermtl's kernel
};

DERMTL_DECL std::string lrn_what(const tensor& x, const lrn_params& p);

DERMTL_DECL void lrn_forward(const tensor& x, const lrn_params& lp, tensor& y, lrn_state& s);

DERMTL_DECL void lrn_backward(const tensor& x, const tensor& dy, const lrn_params& lp, lrn_state& s, tensor& dx);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/lrn.ipp"
#endif
