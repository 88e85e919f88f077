// Definitions of dermtl/backend/onednn/dense.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/dense.hpp"

#include <deque>
#include <string>
#include "dermtl/backend/onednn/primitive.hpp"

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
    dense_plan* p = find_plan(s.plans, x.desc());
    if (!p) {
        dense_plan q;
        q.input = x.desc();
        guarded("inner product forward", dense_what(x, w), [&] {
            memory::dims wei = x.desc().dims();
            wei[0] = memory::dim(wd[0]);
            const auto f32 = memory::data_type::f32;
            const dnnl::inner_product_forward::desc d(
                dnnl::prop_kind::forward_training, x.desc(), md(wei, f32, memory::format_tag::any),
                md({memory::dim(wd[0])}, f32, memory::format_tag::x),
                md({memory::dim(xd[0]), memory::dim(wd[0])}, f32, memory::format_tag::any));
            q.fwd_pd = dnnl::inner_product_forward::primitive_desc(d, attributes(), engine());
            q.fwd = dnnl::inner_product_forward(q.fwd_pd);
        });
        s.plans.push_back(std::move(q));
        p = &s.plans.back();
    }
    s.last = p;
    w.relayout(p->fwd_pd.weights_desc());
    b.relayout(p->fwd_pd.bias_desc());
    y.assume({xd[0], wd[0], 1, 1}, p->fwd_pd.dst_desc());
    execute(p->fwd, p->fwd_pd,
            {{DNNL_ARG_SRC, x.mem()}, {DNNL_ARG_WEIGHTS, w.mem()}, {DNNL_ARG_BIAS, b.mem()}, {DNNL_ARG_DST, y.mem()}},
            s.pad, "inner product forward", dense_what(x, w));
}

DERMTL_DECL void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw, tensor& db,
                                tensor* dx) {
    if (s.last == nullptr || s.last->input != x.desc())
        throw config_error("onednn inner product backward (" + dense_what(x, w) +
                           "): expected the forward pass of this input just before, found none");
    dense_plan& p = *s.last;
    if (!p.has_backward) {
        guarded("inner product backward", dense_what(x, w), [&] {
            const dnnl::inner_product_backward_data::desc dd(p.fwd_pd.src_desc(), p.fwd_pd.weights_desc(),
                                                             p.fwd_pd.dst_desc());
            p.bwd_data_pd = dnnl::inner_product_backward_data::primitive_desc(dd, attributes(), engine(), p.fwd_pd);
            p.bwd_data = dnnl::inner_product_backward_data(p.bwd_data_pd);
            const dnnl::inner_product_backward_weights::desc wd(p.fwd_pd.src_desc(), p.fwd_pd.weights_desc(),
                                                                p.fwd_pd.bias_desc(), p.fwd_pd.dst_desc());
            p.bwd_weights_pd =
                dnnl::inner_product_backward_weights::primitive_desc(wd, attributes(), engine(), p.fwd_pd);
            p.bwd_weights = dnnl::inner_product_backward_weights(p.bwd_weights_pd);
        });
        p.has_backward = true;
    }
    dy.relayout(p.fwd_pd.dst_desc());
    dw.assume(w.dims(), p.bwd_weights_pd.diff_weights_desc());
    db.assume(dims4{w.dims()[0], 1, 1, 1}, p.bwd_weights_pd.diff_bias_desc());
    execute(p.bwd_weights, p.bwd_weights_pd,
            {{DNNL_ARG_SRC, x.mem()}, {DNNL_ARG_DIFF_DST, dy.mem()}, {DNNL_ARG_DIFF_WEIGHTS, dw.mem()},
             {DNNL_ARG_DIFF_BIAS, db.mem()}},
            s.pad, "inner product backward-weights", dense_what(x, w));
    if (dx) {
        w.relayout(p.fwd_pd.weights_desc());
        dx->assume(x.dims(), p.bwd_data_pd.diff_src_desc());
        execute(p.bwd_data, p.bwd_data_pd,
                {{DNNL_ARG_DIFF_DST, dy.mem()}, {DNNL_ARG_WEIGHTS, w.mem()}, {DNNL_ARG_DIFF_SRC, dx->mem()}}, s.pad,
                "inner product backward-data", dense_what(x, w));
    }
}

}  // namespace dermtl::backend::onednn_detail
