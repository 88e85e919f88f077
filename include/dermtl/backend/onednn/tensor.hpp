#pragma once
// The oneDNN backend's tensor: host memory with a layout.
//
// Represents: a float32 (or, for bf16 numerics, bf16) array whose logical shape is N x C x H x W (what dims() returns, what
// the layers and the contract speak of) and whose physical layout is a oneDNN memory descriptor:
// plain NCHW, or a blocked format such as nChw16c (activations) or OIhw16i16o (weights) that a
// primitive chose. Primitives read and write the physical layout directly, so activations stay
// blocked from one layer to the next and weights stay in the layout their layer's primitives
// chose; only the edges (from_host, to_host, dropout, the loss) see plain NCHW.
//
// The layout is not part of the value: `relayout` may change the layout of a const tensor (a
// reorder that keeps every element), so an operation that receives a parameter in another layout
// converts it once and it then stays converted across steps. The descriptor and the buffer are
// therefore `mutable`; the logical value never changes behind a const reference.
//
// Setting DERMTL_TRACE_REORDERS prints every conversion to stderr (layouts that ping-pong between
// two layers show up there).
//
// bf16 (backend/precision.hpp): with bf16 numerics the activations between convolutions, pooling
// and LRN are bf16 (desc().data.data_type == bf16), two bytes per element in the same float
// buffer (rounded up to whole floats); parameters, their gradients and the velocity stay float32.
//
// Buffers are 64-byte aligned (oneDNN's reproducibility condition, and its kernels' fast path).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>  // dnnl_status2str

#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend::onednn_detail {

using dnnl::memory;
using md = memory::desc;

// The CPU engine and the in-order stream every primitive runs on. oneDNN's engine is a handle
// to the CPU, not mutable state, so one per process (the library's own recommendation).
inline dnnl::engine& engine() {
    static dnnl::engine e(dnnl::engine::kind::cpu, 0);
    return e;
}
inline dnnl::stream& stream() {
    static dnnl::stream s(engine());
    return s;
}

// Reorders done by relayout since the process started. Diagnostics only: tests check that a
// training step, once warmed up, converts nothing.
inline std::atomic<std::uint64_t>& reorder_count() {
    static std::atomic<std::uint64_t> n{0};
    return n;
}

// Precision casts (float32 <-> bf16 copies made for a primitive: the master weights' bf16 copy,
// an input or gradient that arrives in float32) since the process started. Diagnostics only:
// tests check that a warm bf16 step casts only what bf16 needs (tests/backend/test_onednn_bf16.cpp).
inline std::atomic<std::uint64_t>& cast_count() {
    static std::atomic<std::uint64_t> n{0};
    return n;
}

// oneDNN's failures as dermtl's backend error: the primitive, what it was for and oneDNN's status.
[[noreturn]] inline void fail(const std::string& primitive, const std::string& what, const dnnl::error& e) {
    throw backend_error("onednn " + primitive + " (" + what + "): " + dnnl_status2str(e.status) + ": " + e.what());
}
template <class F>
decltype(auto) guarded(const std::string& primitive, const std::string& what, F&& f) {
    try {
        return f();
    } catch (const dnnl::error& e) {
        fail(primitive, what, e);
    } catch (const std::bad_alloc&) {
        throw backend_error("onednn " + primitive + " (" + what + "): out of memory");
    }
}

inline memory::dims to_dims(const dims4& d) {
    return {memory::dim(d[0]), memory::dim(d[1]), memory::dim(d[2]), memory::dim(d[3])};
}

// The plain (row-major, dense) descriptor for dims of any rank.
inline md plain_desc(const memory::dims& d) {
    static constexpr memory::format_tag tags[] = {memory::format_tag::undef, memory::format_tag::a,
                                                  memory::format_tag::ab, memory::format_tag::abc,
                                                  memory::format_tag::abcd};
    return md(d, memory::data_type::f32, tags[d.size()]);
}
inline md plain_desc(const dims4& d) { return plain_desc(to_dims(d)); }

inline std::size_t element_count(const memory::dims& d) {
    std::size_t n = 1;
    for (auto v : d) n *= std::size_t(v);
    return n;
}

inline bool is_plain(const md& d) { return d.data.ndims > 0 && d == plain_desc(d.dims()); }

inline bool is_bf16(const md& d) { return d.data.ndims > 0 && d.data.data_type == dnnl_bf16; }

// The same layout (dims, blocking, strides in elements) with elements of type `t`.
inline md with_type(const md& d, memory::data_type t) {
    md r = d;
    r.data.data_type = memory::convert_to_c(t);
    return r;
}

// Floats of buffer that hold a tensor in layout d (bf16 layouts: two elements a float, rounded up).
inline std::size_t floats_for(const md& d) { return (d.get_size() + sizeof(float) - 1) / sizeof(float); }

// "2x20x5x5 aBcd16b": the dims, then oneDNN's format notation (dims from outermost to innermost,
// a capital letter for a blocked dim, then the inner blocks).
inline std::string describe(const md& d) {
    const auto& m = d.data;
    if (m.ndims == 0) return "(empty)";
    std::string text;
    for (int i = 0; i < m.ndims; ++i) {
        if (i) text += 'x';
        text += std::to_string(m.dims[i]);
    }
    if (m.format_kind != dnnl_blocked) return text + " (format chosen by oneDNN)";
    const auto& b = m.format_desc.blocking;
    std::vector<int> order(std::size_t(m.ndims));
    for (int i = 0; i < m.ndims; ++i) order[std::size_t(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return b.strides[x] > b.strides[y]; });
    text += ' ';
    for (int i : order) {
        bool blocked = false;
        for (int k = 0; k < b.inner_nblks; ++k) blocked = blocked || b.inner_idxs[k] == i;
        text += char((blocked ? 'A' : 'a') + i);
    }
    for (int k = 0; k < b.inner_nblks; ++k) text += std::to_string(b.inner_blks[k]) + char('a' + b.inner_idxs[k]);
    return text;
}

class tensor {
public:
    using buffer = std::vector<float, aligned_allocator<float>>;

    tensor() = default;

    // Logical shape (NCHW), whatever the layout.
    const dims4& dims() const { return dims_; }
    // The physical layout.
    const md& desc() const { return desc_; }
    bool plain() const { return desc_.data.ndims == 0 || is_plain(desc_); }
    std::size_t size() const { return dims_[0] * dims_[1] * dims_[2] * dims_[3]; }
    bool empty() const { return size() == 0 || desc_.data.ndims == 0; }
    bool bf16() const { return is_bf16(desc_); }

    float* data() const { return data_.data(); }
    std::size_t physical_floats() const { return data_.size(); }

    // Gives the tensor logical shape d and physical layout `layout` (same element count); the
    // values are unspecified afterwards. Reuses the buffer when it is large enough.
    void assume(const dims4& d, const md& layout) {
        dims_ = d;
        desc_ = layout;
        const std::size_t floats = floats_for(layout);
        if (data_.size() != floats) {
            try {
                data_.resize(floats);
            } catch (const std::bad_alloc&) {
                throw backend_error("onednn: out of memory allocating " + std::to_string(floats * sizeof(float)) +
                                    " bytes for a " + describe(layout) + " tensor");
            }
        }
    }
    void assume_plain(const dims4& d) { assume(d, plain_desc(d)); }

    // A oneDNN memory object over this tensor's buffer, in its layout.
    memory mem() const { return memory(desc_, engine(), data_.data()); }
    // The same buffer seen through another layout of the same bytes (used only where `layout`
    // and the tensor's layout describe identical memory, e.g. two plain views).
    memory mem_as(const md& layout) const { return memory(layout, engine(), data_.data()); }

    // Converts the layout to `layout` (same element count), keeping every element's value.
    // Between two plain layouts of the same element count (N x In x 1 x 1 and N x C x H x W,
    // or 4-D and 2-D) only the descriptor changes: the bytes are the same.
    void relayout(const md& layout) const {
        if (desc_ == layout) return;
        if (element_count(layout.dims()) != size())
            throw shape_error("onednn tensor: cannot view " + dermtl::describe(dims_) + " as " + describe(layout) +
                              ": the element counts differ");
        if (plain() && is_plain(layout)) {
            desc_ = layout;
            return;
        }
        if (desc_.dims() != layout.dims()) {  // other dims of the same elements: through plain
            if (!plain()) relayout(plain_desc(desc_.dims()));
            desc_ = plain_desc(layout.dims());
            if (desc_ == layout) return;
        }
        buffer next;
        try {
            next.resize(floats_for(layout));
        } catch (const std::bad_alloc&) {
            throw backend_error("onednn reorder: out of memory for " + describe(layout));
        }
        guarded("reorder", describe(desc_) + " -> " + describe(layout), [&] {
            memory from = mem(), to(layout, engine(), next.data());
            dnnl::reorder(from, to).execute(stream(), from, to);
            stream().wait();
        });
        ++reorder_count();
        if (std::getenv("DERMTL_TRACE_REORDERS")) std::fprintf(stderr, "reorder %s -> %s\n", describe(desc_).c_str(), describe(layout).c_str());
        data_.swap(next);
        desc_ = layout;
    }

    // Element values in logical NCHW order, into `out` (a buffer of size() floats).
    void read_plain(float* out) const {
        if (plain()) {
            std::copy(data_.data(), data_.data() + size(), out);
            return;
        }
        guarded("reorder", describe(desc_) + " -> plain", [&] {
            memory from = mem(), to(plain_desc(desc_.dims()), engine(), out);
            dnnl::reorder(from, to).execute(stream(), from, to);
            stream().wait();
        });
    }

private:
    mutable dims4 dims_{0, 0, 0, 0};
    mutable md desc_{};
    mutable buffer data_;
};

}  // namespace dermtl::backend::onednn_detail
