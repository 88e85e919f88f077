// Definitions of dermtl/backend/onednn/lrn.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/lrn.hpp"

#include <deque>
#include <string>
#include "dermtl/backend/cpu/lrn.hpp"
#include "dermtl/backend/lrn_params.hpp"
#include "dermtl/backend/onednn/primitive.hpp"

namespace dermtl::backend::onednn_detail {

DERMTL_DECL std::string lrn_what(const tensor& x, const lrn_params& p) {
    return dermtl::describe(x.dims()) + ", size " + std::to_string(p.size) + ", kappa " + std::to_string(p.kappa) +
           ", alpha " + std::to_string(p.alpha) + ", beta " + std::to_string(p.beta);
}

// out = the values of `h` (plain float32), plain float32 -- or, when `like` is bf16, in like's
// bf16 layout, so a bf16 network's activations and gradients stay bf16 (a cast, counted).
DERMTL_DECL void write_plain(const host_tensor& h, tensor& out, const tensor& like) {
    if (!like.bf16()) {
        out.assume_plain(like.dims());
        std::copy(h.begin(), h.end(), out.data());
        return;
    }
    out.assume(like.dims(), like.desc());
    guarded("reorder", "lrn result -> " + describe(like.desc()), [&] {
        memory from(plain_desc(like.dims()), engine(), const_cast<float*>(h.data())), to = out.mem();
        dnnl::reorder(from, to).execute(stream(), from, to);
        stream().wait();
    });
    ++cast_count();
}

DERMTL_DECL void lrn_forward(const tensor& x, const lrn_params& lp, tensor& y, lrn_state& s) {
    lrn_plan* p = find_plan(s.plans, x.desc());
    const float alpha = lp.alpha * float(lp.size);
    if (!p) {
        lrn_plan q;
        q.input = x.desc();
        guarded("lrn forward", lrn_what(x, lp), [&] {
            const dnnl::lrn_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::lrn_across_channels,
                                            x.desc(), memory::dim(lp.size), alpha, lp.beta, lp.kappa);
            q.fwd_pd = dnnl::lrn_forward::primitive_desc(d, attributes(), engine());
            q.dermtl_kernel = reference_kernel(q.fwd_pd);
            if (!q.dermtl_kernel) q.fwd = dnnl::lrn_forward(q.fwd_pd);
        });
        s.plans.push_back(std::move(q));
        p = &s.plans.back();
    }
    s.last = p;
    if (p->dermtl_kernel) {
        dermtl::ensure_shape(s.x, x.dims());
        x.read_plain(s.x.data());
        cpu_detail::lrn_forward(s.x, lp, s.y, s.scale);
        write_plain(s.y, y, x);
        return;
    }
    y.assume(x.dims(), p->fwd_pd.dst_desc());
    execute(p->fwd, p->fwd_pd,
            {{DNNL_ARG_SRC, x.mem()}, {DNNL_ARG_DST, y.mem()},
             {DNNL_ARG_WORKSPACE, workspace_of(p->fwd_pd.workspace_desc(), s.workspace)}},
            s.pad, "lrn forward", lrn_what(x, lp));
}

DERMTL_DECL void lrn_backward(const tensor& x, const tensor& dy, const lrn_params& lp, lrn_state& s, tensor& dx) {
    if (s.last == nullptr || s.last->input != x.desc())
        throw config_error("onednn lrn backward (" + lrn_what(x, lp) +
                           "): expected the forward pass of this input just before, found none");
    lrn_plan& p = *s.last;
    if (p.dermtl_kernel) {  // s.x, s.y and s.scale hold the forward pass
        dermtl::ensure_shape(s.dy, dy.dims());
        dy.read_plain(s.dy.data());
        cpu_detail::lrn_backward(s.x, s.y, s.scale, s.dy, lp, s.dx, s.work);
        write_plain(s.dx, dx, x);
        return;
    }
    if (!p.has_backward) {
        guarded("lrn backward", lrn_what(x, lp), [&] {
            const dnnl::lrn_backward::desc d(dnnl::algorithm::lrn_across_channels, x.desc(), p.fwd_pd.dst_desc(),
                                             memory::dim(lp.size), lp.alpha * float(lp.size), lp.beta, lp.kappa);
            p.bwd_pd = dnnl::lrn_backward::primitive_desc(d, attributes(), engine(), p.fwd_pd);
            p.bwd = dnnl::lrn_backward(p.bwd_pd);
        });
        p.has_backward = true;
    }
    dy.relayout(p.bwd_pd.diff_dst_desc());
    dx.assume(x.dims(), p.bwd_pd.diff_src_desc());
    execute(p.bwd, p.bwd_pd,
            {{DNNL_ARG_SRC, x.mem()}, {DNNL_ARG_DIFF_DST, dy.mem()}, {DNNL_ARG_DIFF_SRC, dx.mem()},
             {DNNL_ARG_WORKSPACE, workspace_of(p.fwd_pd.workspace_desc(), s.workspace)}},
            s.pad, "lrn backward", lrn_what(x, lp));
}

}  // namespace dermtl::backend::onednn_detail
