// Definitions of dermtl/backend/onednn/dense.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/dense.hpp"

#include <deque>
#include <string>
#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/backend/precision.hpp"

namespace dermtl::backend::onednn_detail {

DERMTL_DECL std::string dense_what(const tensor& x, const tensor& w) {
    return dermtl::describe(x.dims()) + " input, " + std::to_string(w.dims()[0]) + " units";
}

DERMTL_DECL void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& s) {
    const dims4 xd = x.dims(), wd = w.dims();
    if (xd[1] * xd[2] * xd[3] != wd[1])
        throw shape_error("onednn inner product: input " + dermtl::describe(xd) + " has " +
                          std::to_string(xd[1] * xd[2] * xd[3]) + " values per sample, expected " +
                          std::to_string(wd[1]));
    if (x.desc().data.ndims == 0) x.relayout(plain_desc(xd));
    const bool bf16 = s.precision == backend::precision_kind::bf16;
    dense_plan* p = find_plan(s.plans, x.desc(), bf16);
    if (!p) {
        dense_plan q;
        q.input = x.desc();
        q.variant = bf16;
        guarded("inner product forward", dense_what(x, w), [&] {
            memory::dims wei = x.desc().dims();
            wei[0] = memory::dim(wd[0]);
            const auto f32 = memory::data_type::f32;
            const auto dt = bf16 ? memory::data_type::bf16 : f32;
            const dnnl::inner_product_forward::desc d(
                dnnl::prop_kind::forward_training, with_type(x.desc(), dt), md(wei, dt, memory::format_tag::any),
                md({memory::dim(wd[0])}, f32, memory::format_tag::x),
                md({memory::dim(xd[0]), memory::dim(wd[0])}, f32, memory::format_tag::any));
            q.fwd_pd = dnnl::inner_product_forward::primitive_desc(d, attributes(), engine());
            q.fwd = dnnl::inner_product_forward(q.fwd_pd);
        });
        s.plans.push_back(std::move(q));
        p = &s.plans.back();
    }
    s.last = p;
    const tensor* src = &x;
    const tensor* weights = &w;
    if (p->variant) {  // bf16: cast a float32 input and the master weights once
        if (!x.bf16()) src = &in_layout(x, p->fwd_pd.src_desc(), p->src_cast, dense_what(x, w));
        // Out x In x 1 x 1 seen as the 2-D (or 4-D) weights of this input: a new descriptor of
        // the same bytes while plain (once; the weights then stay in that view).
        if (w.desc().dims() != p->fwd_pd.weights_desc().dims())
            w.relayout(plain_desc(p->fwd_pd.weights_desc().dims()));
        weights = &in_layout(w, p->fwd_pd.weights_desc(), p->weights_cast, dense_what(x, w));
    } else {
        w.relayout(p->fwd_pd.weights_desc());
    }
    b.relayout(p->fwd_pd.bias_desc());
    y.assume({xd[0], wd[0], 1, 1}, p->fwd_pd.dst_desc());
    execute(p->fwd, p->fwd_pd,
            {{DNNL_ARG_SRC, src->mem()}, {DNNL_ARG_WEIGHTS, weights->mem()}, {DNNL_ARG_BIAS, b.mem()},
             {DNNL_ARG_DST, y.mem()}},
            s.pad, "inner product forward", dense_what(x, w));
}

DERMTL_DECL void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw, tensor& db,
                                tensor* dx) {
    if (s.last == nullptr || s.last->input != x.desc())
        throw config_error("onednn inner product backward (" + dense_what(x, w) +
                           "): expected the forward pass of this input just before, found none");
    dense_plan& p = *s.last;
    const bool bf16 = p.variant;
    if (!p.has_backward) {
        guarded("inner product backward", dense_what(x, w), [&] {
            // bf16: the output gradient in bf16, the weight gradient float32 in oneDNN's layout, the
            // input gradient of the input's own type and layout.
            const md diff_dst = bf16 ? with_type(p.fwd_pd.dst_desc(), memory::data_type::bf16) : p.fwd_pd.dst_desc();
            const md diff_weights = bf16 ? md(p.fwd_pd.weights_desc().dims(), memory::data_type::f32,
                                              memory::format_tag::any)
                                         : p.fwd_pd.weights_desc();
            const dnnl::inner_product_backward_data::desc dd(bf16 ? x.desc() : p.fwd_pd.src_desc(),
                                                             p.fwd_pd.weights_desc(), diff_dst);
            p.bwd_data_pd = dnnl::inner_product_backward_data::primitive_desc(dd, attributes(), engine(), p.fwd_pd);
            p.bwd_data = dnnl::inner_product_backward_data(p.bwd_data_pd);
            const dnnl::inner_product_backward_weights::desc wd(p.fwd_pd.src_desc(), diff_weights,
                                                                p.fwd_pd.bias_desc(), diff_dst);
            p.bwd_weights_pd =
                dnnl::inner_product_backward_weights::primitive_desc(wd, attributes(), engine(), p.fwd_pd);
            p.bwd_weights = dnnl::inner_product_backward_weights(p.bwd_weights_pd);
        });
        p.has_backward = true;
        // bf16: the master weights live in the weight gradient's layout from now on (the update
        // converts nothing); the forward casts from there.
        if (bf16) w.relayout(p.bwd_weights_pd.diff_weights_desc());
    }
    dy.relayout(p.fwd_pd.dst_desc());
    const tensor* diff_dst = &dy;
    const tensor* src = &x;
    if (bf16) {
        diff_dst = &in_layout(dy, p.bwd_weights_pd.diff_dst_desc(), p.diff_dst_cast, dense_what(x, w));
        if (!x.bf16()) src = &p.src_cast.copy;  // the forward's cast of x
    }
    dw.assume(w.dims(), p.bwd_weights_pd.diff_weights_desc());
    db.assume(dims4{w.dims()[0], 1, 1, 1}, p.bwd_weights_pd.diff_bias_desc());
    execute(p.bwd_weights, p.bwd_weights_pd,
            {{DNNL_ARG_SRC, src->mem()}, {DNNL_ARG_DIFF_DST, diff_dst->mem()}, {DNNL_ARG_DIFF_WEIGHTS, dw.mem()},
             {DNNL_ARG_DIFF_BIAS, db.mem()}},
            s.pad, "inner product backward-weights", dense_what(x, w));
    if (dx) {
        const tensor* weights = &w;
        if (bf16) weights = &p.weights_cast.copy;  // the forward's bf16 copy (the weights have not changed)
        else w.relayout(p.fwd_pd.weights_desc());
        dx->assume(x.dims(), p.bwd_data_pd.diff_src_desc());
        execute(p.bwd_data, p.bwd_data_pd,
                {{DNNL_ARG_DIFF_DST, diff_dst->mem()}, {DNNL_ARG_WEIGHTS, weights->mem()},
                 {DNNL_ARG_DIFF_SRC, dx->mem()}},
                s.pad,
                "inner product backward-data", dense_what(x, w));
    }
}

}  // namespace dermtl::backend::onednn_detail
