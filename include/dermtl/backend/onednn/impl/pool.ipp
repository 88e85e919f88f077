// Definitions of dermtl/backend/onednn/pool.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/pool.hpp"

#include <deque>
#include <string>
#include "dermtl/backend/onednn/primitive.hpp"

namespace dermtl::backend::onednn_detail {

DERMTL_DECL std::string pool_what(const tensor& x, const window_geometry& g) {
    return std::to_string(x.dims()[0]) + " images, " + describe(g);
}

DERMTL_DECL void max_pool_forward(const tensor& x, const window_geometry& g, tensor& y, pool_state& s) {
    pool_plan* p = find_plan(s.plans, x.desc());
    const window win(g);
    const dims4 xd = x.dims();
    if (!p) {
        pool_plan q;
        q.input = x.desc();
        guarded("max pooling forward", pool_what(x, g), [&] {
            const memory::dims dst{memory::dim(xd[0]), memory::dim(g.channels), memory::dim(g.out_h),
                                   memory::dim(g.out_w)};
            const dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::pooling_max,
                                                x.desc(),
                                                md(dst, memory::data_type(x.desc().data.data_type), memory::format_tag::any),
                                                win.strides, win.kernel, win.pad_l, win.pad_r);
            q.fwd_pd = dnnl::pooling_forward::primitive_desc(d, attributes(), engine());
            q.fwd = dnnl::pooling_forward(q.fwd_pd);
        });
        s.plans.push_back(std::move(q));
        p = &s.plans.back();
    }
    s.last = p;
    y.assume({xd[0], g.channels, g.out_h, g.out_w}, p->fwd_pd.dst_desc());
    execute(p->fwd, p->fwd_pd,
            {{DNNL_ARG_SRC, x.mem()}, {DNNL_ARG_DST, y.mem()},
             {DNNL_ARG_WORKSPACE, workspace_of(p->fwd_pd.workspace_desc(), s.workspace)}},
            s.pad, "max pooling forward", pool_what(x, g));
}

DERMTL_DECL void max_pool_backward(const tensor& x, const tensor& dy, const window_geometry& g, pool_state& s,
                                   tensor& dx) {
    if (s.last == nullptr || s.last->input != x.desc())
        throw config_error("onednn max pooling backward (" + pool_what(x, g) +
                           "): expected the forward pass of this input just before, found none");
    pool_plan& p = *s.last;
    const window win(g);
    if (!p.has_backward) {
        guarded("max pooling backward", pool_what(x, g), [&] {
            const dnnl::pooling_backward::desc d(dnnl::algorithm::pooling_max, p.fwd_pd.src_desc(),
                                                 p.fwd_pd.dst_desc(), win.strides, win.kernel, win.pad_l, win.pad_r);
            p.bwd_pd = dnnl::pooling_backward::primitive_desc(d, attributes(), engine(), p.fwd_pd);
            p.bwd = dnnl::pooling_backward(p.bwd_pd);
        });
        p.has_backward = true;
    }
    dy.relayout(p.bwd_pd.diff_dst_desc());
    dx.assume(x.dims(), p.bwd_pd.diff_src_desc());
    execute(p.bwd, p.bwd_pd,
            {{DNNL_ARG_DIFF_DST, dy.mem()}, {DNNL_ARG_DIFF_SRC, dx.mem()},
             {DNNL_ARG_WORKSPACE, workspace_of(p.fwd_pd.workspace_desc(), s.workspace)}},
            s.pad, "max pooling backward", pool_what(x, g));
}

}  // namespace dermtl::backend::onednn_detail
