#pragma once
// What every oneDNN layer of the backend shares: running a primitive with its layer's own
// scratchpad, the window geometry in oneDNN's terms, and messages that name the primitive.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "dermtl/backend/onednn/tensor.hpp"
#include "dermtl/backend/window_geometry.hpp"

namespace dermtl::backend::onednn_detail {

using backend::window_geometry;

// A layer's scratch memory for its primitives (oneDNN's user scratchpad mode: the layer owns it,
// it grows to the largest primitive once, and executing allocates nothing).
class scratchpad {
public:
    memory for_primitive(const md& need) {
        const std::size_t floats = (need.get_size() + sizeof(float) - 1) / sizeof(float);
        if (bytes_.size() < floats) bytes_.resize(floats);
        return memory(need, engine(), bytes_.data());
    }

private:
    tensor::buffer bytes_;
};

// A primitive's workspace (pooling's winners, LRN's denominators) in `buffer`, which grows once.
inline memory workspace_of(const md& ws, tensor::buffer& buffer) {
    const std::size_t floats = (ws.get_size() + sizeof(float) - 1) / sizeof(float);
    if (buffer.size() < floats) buffer.resize(floats);
    return memory(ws, engine(), buffer.data());
}

// A copy of a tensor in another layout, with the reorder that makes it (made once per pair of
// layouts): for a primitive that reads an input in another layout than the one the tensor keeps
// for its other readers.
struct staged_copy {
    tensor copy;
    md from;
    dnnl::reorder reorder;
};

// t itself when it has layout `want`, otherwise s.copy, refreshed from t (a layout change, or a
// precision cast when `want` has another data type: counted by cast_count()).
inline const tensor& in_layout(const tensor& t, const md& want, staged_copy& s, const std::string& what) {
    if (t.desc() == want) return t;
    guarded("reorder", what + ", " + describe(t.desc()) + " -> " + describe(want), [&] {
        if (s.copy.desc() != want || s.from != t.desc() || !s.reorder) {
            s.copy.assume(t.dims(), want);
            s.from = t.desc();
            s.reorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), t.desc(), engine(), want));
        }
        memory from = t.mem(), to = s.copy.mem();
        s.reorder.execute(stream(), from, to);
    });
    if (t.desc().data.data_type != want.data.data_type) ++cast_count();
    return s.copy;
}

// Whether oneDNN could offer only its reference (slow, portable) kernel for pd.
template <class PrimitiveDesc>
bool reference_kernel(const PrimitiveDesc& pd) {
    return std::string(pd.impl_info_str()).find("ref") != std::string::npos;
}

// Attributes of every primitive made here: the user scratchpad, plus `post` (fused operations).
inline dnnl::primitive_attr attributes(const dnnl::post_ops& post = {}) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    attr.set_post_ops(post);
    return attr;
}

// Executes p with `args` plus the scratchpad its descriptor asks for, and waits.
template <class PrimitiveDesc>
void execute(const dnnl::primitive& p, const PrimitiveDesc& pd, std::unordered_map<int, memory> args, scratchpad& pad,
             const std::string& primitive, const std::string& what) {
    guarded(primitive, what, [&] {
        args.emplace(DNNL_ARG_SCRATCHPAD, pad.for_primitive(pd.scratchpad_desc()));
        p.execute(stream(), args);
        stream().wait();
    });
}

// The geometry in oneDNN's terms. The right/bottom padding is what makes oneDNN's output size
// formula, floor((H - K + top + bottom) / S) + 1, give the layer's out_h; it is negative when the
// last rows of the input are in no window (oneDNN allows that), and larger than the layer's own
// bottom padding for ceil-mode pooling, whose extra cells never win a max.
struct window {
    memory::dims strides, kernel, pad_l, pad_r;
    explicit window(const window_geometry& g)
        : strides{memory::dim(g.stride_h), memory::dim(g.stride_w)},
          kernel{memory::dim(g.kernel_h), memory::dim(g.kernel_w)},
          pad_l{memory::dim(g.pad_top), memory::dim(g.pad_left)},
          pad_r{memory::dim((g.out_h - 1) * g.stride_h + g.kernel_h) - memory::dim(g.height + g.pad_top),
                memory::dim((g.out_w - 1) * g.stride_w + g.kernel_w) - memory::dim(g.width + g.pad_left)} {}
};

// The window for messages: "kernel 3x3, stride 1x1, padding 1,1 / 1,1 on 64x56x56".
inline std::string describe(const window_geometry& g) {
    const window w(g);
    return "kernel " + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + ", stride " +
           std::to_string(g.stride_h) + "x" + std::to_string(g.stride_w) + ", padding " + std::to_string(w.pad_l[0]) +
           "," + std::to_string(w.pad_l[1]) + " / " + std::to_string(w.pad_r[0]) + "," + std::to_string(w.pad_r[1]) +
           " on " + std::to_string(g.channels) + "x" + std::to_string(g.height) + "x" + std::to_string(g.width);
}

// Plans, one per input layout: a layer sees one batch size in training and perhaps another in
// evaluation, so it keeps a plan for each instead of rebuilding.
template <class Plans>
auto* find_plan(Plans& plans, const md& input, bool variant = false) {
    using plan = typename Plans::value_type;
    for (auto& p : plans)
        if (p.input == input && p.variant == variant) return &p;
    return static_cast<plan*>(nullptr);
}

}  // namespace dermtl::backend::onednn_detail
