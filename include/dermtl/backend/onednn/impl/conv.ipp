// Definitions of dermtl/backend/onednn/conv.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/conv.hpp"

#include <cstddef>
#include <string>
#include <deque>
#include "dermtl/backend/onednn/primitive.hpp"
#include "dermtl/backend/precision.hpp"

namespace dermtl::backend::onednn_detail {

DERMTL_DECL std::string conv_what(const tensor& x, const tensor& w, const window_geometry& g) {
    return std::to_string(x.dims()[0]) + " images, " + std::to_string(w.dims()[0]) + " filters, " + describe(g);
}

DERMTL_DECL conv_plan& conv_plan_for(const tensor& x, const tensor& w, const window_geometry& g, bool fuse_relu,
                                     conv_state& s) {
    const bool bf16 = s.precision == backend::precision_kind::bf16;
    const int variant = int(fuse_relu) | (bf16 ? 2 : 0);
    if (conv_plan* p = find_plan(s.plans, x.desc(), variant)) return *p;
    const dims4 xd = x.dims();
    const std::size_t out_c = w.dims()[0];
    if (xd[1] != g.channels || xd[2] != g.height || xd[3] != g.width)
        throw shape_error("onednn convolution: input " + dermtl::describe(xd) + " does not match the layer's " +
                          describe(g));
    const window win(g);
    const memory::dims src{memory::dim(xd[0]), memory::dim(g.channels), memory::dim(g.height), memory::dim(g.width)};
    const memory::dims wei{memory::dim(out_c), memory::dim(g.channels), memory::dim(g.kernel_h), memory::dim(g.kernel_w)};
    const memory::dims dst{memory::dim(xd[0]), memory::dim(out_c), memory::dim(g.out_h), memory::dim(g.out_w)};
    const auto any = memory::format_tag::any;
    const auto f32 = memory::data_type::f32;
    const auto dt = bf16 ? memory::data_type::bf16 : f32;  // the bias stays float32 either way
    conv_plan p;
    p.input = x.desc();
    p.variant = variant;
    p.bf16 = bf16;
    guarded("convolution forward", conv_what(x, w, g), [&] {
        const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                md(src, dt, any), md(wei, dt, any),
                                                md({memory::dim(out_c)}, f32, memory::format_tag::x), md(dst, dt, any),
                                                win.strides, win.pad_l, win.pad_r);
        dnnl::post_ops post;
        if (fuse_relu) post.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        p.fwd_pd = dnnl::convolution_forward::primitive_desc(d, attributes(post), engine());
        p.fwd = dnnl::convolution_forward(p.fwd_pd);
    });
    s.plans.push_back(std::move(p));
    return s.plans.back();
}

DERMTL_DECL void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                                conv_state& s, bool fuse_relu) {
    conv_plan& p = conv_plan_for(x, w, g, fuse_relu, s);
    s.last = &p;
    const tensor* src = &x;
    const tensor* weights = &w;
    if (p.bf16) {
        // A bf16 input keeps its layout (as in float32); a float32 one (the image, or the output
        // of a layer that computes in float32) is cast once, and backward-weights reuses the copy.
        if (x.bf16()) x.relayout(p.fwd_pd.src_desc());
        else src = &in_layout(x, p.fwd_pd.src_desc(), p.src_cast, conv_what(x, w, g));
        weights = &in_layout(w, p.fwd_pd.weights_desc(), p.weights_cast, conv_what(x, w, g));
    } else {
        x.relayout(p.fwd_pd.src_desc());
        w.relayout(p.fwd_pd.weights_desc());
    }
    b.relayout(p.fwd_pd.bias_desc());
    const md dst = p.fwd_pd.dst_desc();
    y.assume({x.dims()[0], w.dims()[0], g.out_h, g.out_w}, dst);
    execute(p.fwd, p.fwd_pd,
            {{DNNL_ARG_SRC, src->mem()}, {DNNL_ARG_WEIGHTS, weights->mem()}, {DNNL_ARG_BIAS, b.mem()},
             {DNNL_ARG_DST, y.mem()}},
            s.pad, fuse_relu ? "convolution forward + relu" : "convolution forward", conv_what(x, w, g));
}

DERMTL_DECL void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                 conv_state& s, tensor& dw, tensor& db, tensor* dx) {
    if (s.last == nullptr || s.last->fwd_pd.src_desc().dims() != to_dims(x.dims()))
        throw config_error("onednn convolution backward (" + conv_what(x, w, g) +
                           "): expected the forward pass of this input just before, found none");
    conv_plan& p = *s.last;
    // The forward's source: x in its layout, or (bf16, float32 x) the forward's cast copy of it.
    const tensor* x_src = &x;
    if (p.bf16 && !x.bf16()) x_src = &p.src_cast.copy;
    else x.relayout(p.fwd_pd.src_desc());
    const window win(g);
    const auto dt = p.bf16 ? memory::data_type::bf16 : memory::data_type::f32;
    if (!p.has_backward) {
        guarded("convolution backward", conv_what(x, w, g), [&] {
            const md any_weights(p.fwd_pd.weights_desc().dims(), memory::data_type::f32, memory::format_tag::any);
            const md any_data_weights(p.fwd_pd.weights_desc().dims(), dt, memory::format_tag::any);
            // dx in the input's layout, except for a plain input (the image, where no dx is needed
            // in training): the fast kernels write only blocked layouts. (bf16: dx is bf16.)
            const bool plain_src = is_plain(with_type(p.fwd_pd.src_desc(), memory::data_type::f32));
            const md diff_src = plain_src ? md(p.fwd_pd.src_desc().dims(), dt, memory::format_tag::any)
                                          : p.fwd_pd.src_desc();
            const dnnl::convolution_backward_data::desc dd(dnnl::algorithm::convolution_direct, diff_src,
                                                           p.bf16 ? any_data_weights : any_weights,
                                                           p.fwd_pd.dst_desc(), win.strides, win.pad_l, win.pad_r);
            p.bwd_data_pd = dnnl::convolution_backward_data::primitive_desc(dd, attributes(), engine(), p.fwd_pd);
            p.bwd_data = dnnl::convolution_backward_data(p.bwd_data_pd);

            // The weight gradient's layout is oneDNN's choice too: for blocked inputs it is the
            // forward's weights layout (the optimizer then converts nothing); for a plain input the
            // fast kernel wants another one, and the optimizer converts that small gradient.
            const dnnl::convolution_backward_weights::desc wd(
                dnnl::algorithm::convolution_direct, p.fwd_pd.src_desc(), any_weights, p.fwd_pd.bias_desc(),
                p.fwd_pd.dst_desc(), win.strides, win.pad_l, win.pad_r);
            p.bwd_weights_pd = dnnl::convolution_backward_weights::primitive_desc(wd, attributes(), engine(), p.fwd_pd);
            if (reference_kernel(p.bwd_weights_pd)) {
                // A plain input with a blocked output (few input channels, e.g. 12) has no fast
                // kernel: let oneDNN choose the input's and the output gradient's layouts too, and
                // give it copies in those layouts.
                const auto any = memory::format_tag::any;
                const dnnl::convolution_backward_weights::desc all_any(
                    dnnl::algorithm::convolution_direct, md(p.fwd_pd.src_desc().dims(), dt, any),
                    any_weights, p.fwd_pd.bias_desc(), md(p.fwd_pd.dst_desc().dims(), dt, any),
                    win.strides, win.pad_l, win.pad_r);
                p.bwd_weights_pd =
                    dnnl::convolution_backward_weights::primitive_desc(all_any, attributes(), engine(), p.fwd_pd);
            }
            p.bwd_weights = dnnl::convolution_backward_weights(p.bwd_weights_pd);
        });
        p.has_backward = true;
        // bf16: the master weights live in the (float32) weight gradient's layout from now on, so
        // the optimizer's update converts nothing; the forward casts from there.
        if (p.bf16) w.relayout(p.bwd_weights_pd.diff_weights_desc());
    }
    // The output gradient in the forward's output layout: bf16 arrives so from the layer after;
    // float32 (bf16 numerics) is cast.
    const tensor* dy_dst = &dy;
    if (p.bf16 && !dy.bf16()) dy_dst = &in_layout(dy, p.fwd_pd.dst_desc(), p.diff_dst_cast, conv_what(x, w, g));
    else dy.relayout(p.fwd_pd.dst_desc());
    dw.assume(w.dims(), p.bwd_weights_pd.diff_weights_desc());
    db.assume(dims4{w.dims()[0], 1, 1, 1}, p.bwd_weights_pd.diff_bias_desc());
    const tensor& src = in_layout(*x_src, p.bwd_weights_pd.src_desc(), p.bwd_src, conv_what(x, w, g));
    const tensor& diff_dst =
        in_layout(*dy_dst, p.bwd_weights_pd.diff_dst_desc(), p.bwd_diff_dst, conv_what(x, w, g));
    execute(p.bwd_weights, p.bwd_weights_pd,
            {{DNNL_ARG_SRC, src.mem()}, {DNNL_ARG_DIFF_DST, diff_dst.mem()}, {DNNL_ARG_DIFF_WEIGHTS, dw.mem()},
             {DNNL_ARG_DIFF_BIAS, db.mem()}},
            s.pad, "convolution backward-weights", conv_what(x, w, g));
    if (dx) {
        const tensor* weights = nullptr;
        if (p.bf16) {
            // The forward's bf16 copy of the weights (they have not changed since), or one cast
            // straight into backward-data's layout where that differs.
            weights = p.bwd_data_pd.weights_desc() == p.weights_cast.copy.desc()
                          ? &p.weights_cast.copy
                          : &in_layout(w, p.bwd_data_pd.weights_desc(), p.bwd_data_weights,
                                       "weights for convolution backward-data, " + conv_what(x, w, g));
        } else {
            w.relayout(p.fwd_pd.weights_desc());
            weights = &in_layout(w, p.bwd_data_pd.weights_desc(), p.bwd_data_weights,
                                 "weights for convolution backward-data, " + conv_what(x, w, g));
        }
        dx->assume(x.dims(), p.bwd_data_pd.diff_src_desc());
        execute(p.bwd_data, p.bwd_data_pd,
                {{DNNL_ARG_DIFF_DST, dy_dst->mem()}, {DNNL_ARG_WEIGHTS, weights->mem()}, {DNNL_ARG_DIFF_SRC, dx->mem()}},
                s.pad, "convolution backward-data", conv_what(x, w, g));
    }
}

}  // namespace dermtl::backend::onednn_detail
