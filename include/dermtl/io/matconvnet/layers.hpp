#pragma once
// matconvnet_layer<L>: how one layer kind is read from and written to a MatConvNet simplenn model.
//
// Dispatch: load_matconvnet and save_matconvnet (io/matconvnet.hpp) use matconvnet_layer<L> for
// every layer L of the net, named<"fc7", L> using L's. A layer kind without a specialization does
// not compile, with a message that says where to add one. So a new layer kind that uses existing
// ops touches its header (nn/layers/), its specialization here and its test, nothing else.
//
// A specialization provides (conv2d's is the model):
//   static constexpr bool may_be_absent
//       -- true when deployed files leave the layer out (dropout): a named layer of the net that
//          the file lacks is then skipped, not an error.
//   template <shape_type In, class Backend>
//   static void load(const file_layer& f, std::span<nn::param<Backend>> p)
//       -- Requires: f is the file's layer of the same name; p the layer's parameters (empty for
//          a layer without any); In the layer's input shape.
//          Ensures: f's type and hyper-parameters equal the descriptor's, else f.mismatch(...)
//          (shape_error naming the layer, the expected and the found value); weights are finite,
//          else numeric_error; p then holds f's weights in our layout.
//   template <shape_type In, class Backend>
//   static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p)
//       -- Ensures: a 1x1 struct in MatConvNet's newer layout that vl_simplenn runs and `load`
//          reads back to the same values.
//
// Orientation of conv and fully connected weights (proven by tests/io/test_matconvnet.cpp against
// PyTorch, not assumed): filters are H x W x Cin x Cout, column-major, and MatConvNet (like Caffe
// and PyTorch) computes a cross-correlation with H along the image rows. Element (h, w, c, o) sits
// at h + H*(w + W*(c + Cin*o)) and becomes our conv weight [o][c][h][w] (OutC x C x KH x KW). Fully
// connected layers are stored as convolutions whose kernel covers the whole input (VGG-M fc6
// 6x6x512x4096, fc7 1x1x4096x4096): the same element becomes dense weight [o][(c*H + h)*W + w],
// i.e. our NCHW flatten order.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/shape.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/core/type_list.hpp"
#include "dermtl/io/matconvnet/mat_file.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/layers.hpp"

namespace dermtl::io {

// One layer of a simplenn file: its record in `layers` and the arrays it holds, with the message
// prefix of the net layer it is matched to (set by load_matconvnet).
struct file_layer {
    std::string name, type;
    matvar_t* self = nullptr;     // the layer's struct; owned by the file's `layers` variable
    matvar_t* filters = nullptr;  // weights{1} (newer layout) or `filters` (older); null if empty
    matvar_t* biases = nullptr;   // weights{2} or `biases`; null if empty
    std::string where;            // "load_matconvnet: 'f.mat': layer 0 'conv1' (conv2d<...>)"

    shape_error mismatch(const std::string& what, const std::string& expected, const std::string& found) const {
        return shape_error(where + ": " + what + " mismatch: expected " + expected + ", found " + found +
                           " in the file (a different network?)");
    }
    // Throws a mismatch unless the file's type is one of `types` (the first is the one we write).
    void expect_type(std::initializer_list<std::string_view> types) const {
        for (auto t : types)
            if (type == t) return;
        throw mismatch("layer type", "'" + std::string(*types.begin()) + "'", "'" + type + "'");
    }
};

// The layers of a simplenn model's `layers` variable, in file order. Throws io_error (prefixed by
// `where`) for a DagNN model or a `layers` that is not a cell of structs.
inline std::vector<file_layer> layers_of(matvar_t* layers, const std::string& where) {
    using namespace mat_file;
    if (layers->class_type == MAT_C_STRUCT && field(layers, "block"))
        throw io_error(where + ": a DagNN model (layers with a 'block' field); only simplenn models are supported "
                               "(convert with dagnn.DagNN.saveobj -> vl_simplenn_tidy or export as simplenn)");
    if (layers->class_type != MAT_C_CELL)
        throw io_error(where + ": expected 'layers' to be a cell array of structs (MatConvNet simplenn), found class " +
                       std::to_string(int(layers->class_type)));
    std::vector<file_layer> out;
    const std::size_t n = numel(layers);
    for (std::size_t i = 0; i < n; ++i) {
        matvar_t* l = cell(layers, i);
        if (!l || l->class_type != MAT_C_STRUCT)
            throw io_error(where + ": layers{" + std::to_string(i + 1) + "} is not a struct");
        file_layer f;
        f.self = l;
        f.name = text(field(l, "name"));
        f.type = text(field(l, "type"));
        if (f.name.empty()) f.name = "layer" + std::to_string(i + 1);  // MatConvNet's own default
        if (matvar_t* w = field(l, "weights"); w && w->class_type == MAT_C_CELL) {
            f.filters = cell(w, 0);
            f.biases = cell(w, 1);
        } else {
            f.filters = field(l, "filters");
            f.biases = field(l, "biases");
        }
        if (f.filters && numel(f.filters) == 0) f.filters = nullptr;
        if (f.biases && numel(f.biases) == 0) f.biases = nullptr;
        out.push_back(f);
    }
    return out;
}

// The trait. Its primary template is what a layer kind without MatConvNet support gets.
template <class L>
struct matconvnet_layer {
    static_assert(always_false<L>,
                  "io::matconvnet_layer<L>: this layer kind has no MatConvNet import/export; specialize "
                  "io::matconvnet_layer for it in io/matconvnet/layers.hpp (see conv2d's)");
};

// A named layer reads and writes as the layer it names. (Constrained on named's `unnamed` rather
// than specialized on named<Name, Layer>: nvcc's front end cannot deduce a fixed_string Name.)
template <class L>
    requires requires { typename L::unnamed; }
struct matconvnet_layer<L> : matconvnet_layer<typename L::unnamed> {};

namespace matconvnet_detail {

// MatConvNet's `conv` layer, shared by conv2d and dense (a convolution covering its whole input):
// OutC filters of KH x KW x C and OutC biases.
template <std::size_t OutC, std::size_t KH, std::size_t KW, std::size_t C>
struct conv_weights {
    // The filters and biases are there, real, and of our shapes.
    static void check_shapes(const file_layer& f) {
        using namespace mat_file;
        const std::vector<std::size_t> expected{KH, KW, C, OutC};
        if (!f.filters) throw io_error(f.where + ": the file's layer '" + f.name + "' holds no filters");
        if (!f.biases) throw io_error(f.where + ": the file's layer '" + f.name + "' holds no biases");
        require_real(f.filters, f.where, "filters");
        require_real(f.biases, f.where, "biases");
        const auto found = padded_dims(f.filters, 4);
        if (found != expected)
            throw f.mismatch("filter shape (H x W x Cin x Cout)", dims_text(expected), dims_text(found));
        if (numel(f.biases) != OutC)
            throw f.mismatch("bias count", std::to_string(OutC), dims_text(dims_of(f.biases)));
    }

    // No dilation, finite values; then p[0], p[1] = the file's filters and biases in our layout.
    template <class Backend>
    static void read(const file_layer& f, std::span<nn::param<Backend>> p) {
        using namespace mat_file;
        using ops = backend::ops<Backend>;
        if (auto dil = numbers(field(f.self, "dilate"), f.where, "field 'dilate'"); !dil.empty())
            for (double d : dil)
                if (d != 1) throw f.mismatch("dilation", "[1 1]", list_text(dil));
        check_finite(f.filters, f.where, "filters");
        check_finite(f.biases, f.where, "biases");
        host_tensor w(ops::dims(p[0].value));
        float* wd = w.data();
        for (std::size_t o = 0; o < OutC; ++o)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t h = 0; h < KH; ++h)
                    for (std::size_t x = 0; x < KW; ++x)
                        wd[((o * C + c) * KH + h) * KW + x] =
                            static_cast<float>(element(f.filters, h + KH * (x + KW * (c + C * o))));
        host_tensor b(ops::dims(p[1].value));
        for (std::size_t o = 0; o < OutC; ++o) b.data()[o] = static_cast<float>(element(f.biases, o));
        p[0].value = ops::from_host(w);
        p[1].value = ops::from_host(b);
    }

    template <class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p, double stride,
                                  std::vector<double> pad) {
        using namespace mat_file;
        using ops = backend::ops<Backend>;
        const host_tensor w = ops::to_host(p[0].value);
        const host_tensor b = ops::to_host(p[1].value);
        std::vector<float> filters(KH * KW * C * OutC);
        for (std::size_t o = 0; o < OutC; ++o)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t h = 0; h < KH; ++h)
                    for (std::size_t x = 0; x < KW; ++x)
                        filters[h + KH * (x + KW * (c + C * o))] = w.data()[((o * C + c) * KH + h) * KW + x];
        std::vector<var_ptr> weights;
        weights.push_back(make_singles(std::move(filters), {KH, KW, C, OutC}));
        weights.push_back(make_singles(std::vector<float>(b.data(), b.data() + OutC), {OutC, 1}));
        fields f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("conv"));
        f.emplace_back("weights", make_cell(std::move(weights)));
        f.emplace_back("size", make_row({double(KH), double(KW), double(C), double(OutC)}));
        f.emplace_back("pad", make_row(std::move(pad)));
        f.emplace_back("stride", make_row({stride, stride}));
        f.emplace_back("dilate", make_row({1, 1}));
        f.emplace_back("precious", make_row({0}));
        f.emplace_back("opts", make_cell({}));
        return make_struct(nullptr, std::move(f));
    }
};

inline std::vector<double> pad_list(padding p) {
    return {double(p.top), double(p.bottom), double(p.left), double(p.right)};
}

}  // namespace matconvnet_detail

// conv2d: MatConvNet `conv` with its stride and [top bottom left right] padding.
template <std::size_t OutC, std::size_t K, std::size_t Stride, padding Pad>
struct matconvnet_layer<nn::conv2d<OutC, K, Stride, Pad>> {
    static constexpr bool may_be_absent = false;
    template <std::size_t C>
    using weights = matconvnet_detail::conv_weights<OutC, K, K, C>;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>> p) {
        using mat_file::list_text;
        f.expect_type({"conv"});
        weights<In::channels>::check_shapes(f);
        const auto stride = mat_file::expanded(f.self, "stride", 2, {1, 1}, f.where);
        const auto pad = mat_file::expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
        const std::vector<double> want_stride{double(Stride), double(Stride)};
        const std::vector<double> want_pad = matconvnet_detail::pad_list(Pad);
        if (stride != want_stride) throw f.mismatch("stride [sy sx]", list_text(want_stride), list_text(stride));
        if (pad != want_pad) throw f.mismatch("padding [top bottom left right]", list_text(want_pad), list_text(pad));
        weights<In::channels>::read(f, p);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p) {
        return weights<In::channels>::save(name, p, double(Stride), matconvnet_detail::pad_list(Pad));
    }
};

// dense: MatConvNet `conv` whose kernel is the whole input (stride irrelevant, no padding).
template <std::size_t Out>
struct matconvnet_layer<nn::dense<Out>> {
    static constexpr bool may_be_absent = false;
    template <shape_type In>
    using weights = matconvnet_detail::conv_weights<Out, In::height, In::width, In::channels>;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>> p) {
        f.expect_type({"conv"});
        weights<In>::check_shapes(f);
        const auto pad = mat_file::expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
        if (pad != std::vector<double>{0, 0, 0, 0})
            throw f.mismatch("padding of a fully connected layer", "[0 0 0 0]", mat_file::list_text(pad));
        weights<In>::read(f, p);
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>> p) {
        return weights<In>::save(name, p, 1.0, {0, 0, 0, 0});
    }
};

// lrn: MatConvNet `lrn` (`normalize` in 2014 files) with param [N kappa alpha beta], alpha not
// divided by N in either (see nn/layers/lrn.hpp).
template <std::size_t Size, float Kappa, float Alpha, float Beta>
struct matconvnet_layer<nn::lrn<Size, Kappa, Alpha, Beta>> {
    static constexpr bool may_be_absent = false;
    static std::vector<double> file_param() { return {double(Size), double(Kappa), double(Alpha), double(Beta)}; }

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        f.expect_type({"lrn", "normalize"});
        const auto p = mat_file::numbers(mat_file::field(f.self, "param"), f.where, "field 'param'");
        const auto want = file_param();
        bool same = p.size() == 4;
        for (std::size_t i = 0; same && i < 4; ++i) same = mat_file::close(p[i], want[i]);
        if (!same)
            throw f.mismatch("LRN param [N kappa alpha beta]", mat_file::list_text(want), mat_file::list_text(p));
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        using namespace mat_file;
        fields f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("lrn"));
        f.emplace_back("param", make_row(file_param()));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    }
};

// max_pool: MatConvNet `pool` with method 'max'. MatConvNet rounds down after padding and we
// round up (Round = ceil), so files pad bottom/right to reach our size (newer ones [0 1 0 1]; the
// 2014 import did not need to): import checks the size the file's padding gives, export pads
// bottom/right just enough.
template <std::size_t K, std::size_t Stride, padding Pad, rounding Round>
struct matconvnet_layer<nn::max_pool<K, Stride, Pad, Round>> {
    static constexpr bool may_be_absent = false;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        using namespace mat_file;
        using Out = typename nn::max_pool<K, Stride, Pad, Round>::template output_shape<In>;
        f.expect_type({"pool"});
        const std::string method = text(field(f.self, "method"));
        if (!method.empty() && method != "max") throw f.mismatch("pooling method", "'max'", "'" + method + "'");
        const auto pool = expanded(f.self, "pool", 2, {}, f.where);
        const auto stride = expanded(f.self, "stride", 2, {1, 1}, f.where);
        const auto pad = expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
        const std::vector<double> want_pool{double(K), double(K)};
        const std::vector<double> want_stride{double(Stride), double(Stride)};
        if (pool != want_pool) throw f.mismatch("pooling window [h w]", list_text(want_pool), list_text(pool));
        if (stride != want_stride)
            throw f.mismatch("pooling stride [sy sx]", list_text(want_stride), list_text(stride));
        if (pad.size() != 4 || pad[0] != double(Pad.top) || pad[2] != double(Pad.left))
            throw f.mismatch("pooling padding top/left",
                             "[" + std::to_string(Pad.top) + " * " + std::to_string(Pad.left) + " *]", list_text(pad));
        auto count = [](double in, double k, double s, double lo, double hi) {
            return std::floor((in + lo + hi - k) / s) + 1;
        };
        const double oh = count(In::height, pool[0], stride[0], pad[0], pad[1]);
        const double ow = count(In::width, pool[1], stride[1], pad[2], pad[3]);
        if (oh != double(Out::height) || ow != double(Out::width))
            throw f.mismatch("pooling output size (from padding " + list_text(pad) + ")",
                             std::to_string(Out::height) + "x" + std::to_string(Out::width),
                             std::to_string(std::size_t(oh)) + "x" + std::to_string(std::size_t(ow)));
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        using namespace mat_file;
        using Out = typename nn::max_pool<K, Stride, Pad, Round>::template output_shape<In>;
        const double k = double(K), s = double(Stride);
        const double pb =
            std::max(double(Pad.bottom), (double(Out::height) - 1) * s + k - double(In::height) - double(Pad.top));
        const double pr =
            std::max(double(Pad.right), (double(Out::width) - 1) * s + k - double(In::width) - double(Pad.left));
        fields f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("pool"));
        f.emplace_back("method", make_text("max"));
        f.emplace_back("pool", make_row({k, k}));
        f.emplace_back("stride", make_row({s, s}));
        f.emplace_back("pad", make_row({double(Pad.top), pb, double(Pad.left), pr}));
        f.emplace_back("precious", make_row({0}));
        f.emplace_back("opts", make_cell({}));
        return make_struct(nullptr, std::move(f));
    }
};

// relu: MatConvNet `relu` with leak 0.
template <>
struct matconvnet_layer<nn::relu> {
    static constexpr bool may_be_absent = false;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        f.expect_type({"relu"});
        const auto leak = mat_file::numbers(mat_file::field(f.self, "leak"), f.where, "field 'leak'");
        if (!leak.empty() && leak[0] != 0) throw f.mismatch("ReLU leak", "0", mat_file::list_text(leak));
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        using namespace mat_file;
        fields f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("relu"));
        f.emplace_back("leak", make_row({0}));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    }
};

// dropout: MatConvNet `dropout` with its rate; deployed files drop these layers, so a missing
// one is fine. The rate is not checked on import (it only matters for training).
template <std::size_t Percent>
struct matconvnet_layer<nn::dropout<Percent>> {
    static constexpr bool may_be_absent = true;

    template <shape_type In, class Backend>
    static void load(const file_layer& f, std::span<nn::param<Backend>>) {
        f.expect_type({"dropout"});
    }
    template <shape_type In, class Backend>
    static mat_file::var_ptr save(const std::string& name, std::span<nn::param<Backend>>) {
        using namespace mat_file;
        fields f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("dropout"));
        f.emplace_back("rate", make_row({double(nn::dropout<Percent>::rate)}));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    }
};

}  // namespace dermtl::io
