// Definitions of io/matconvnet/layers.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/matconvnet/layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <matio.h>

namespace dermtl::io {

DERMTL_DECL shape_error file_layer::mismatch(const std::string& what, const std::string& expected,
                                             const std::string& found) const {
    return shape_error(where + ": " + what + " mismatch: expected " + expected + ", found " + found +
                       " in the file (a different network?)");
}

DERMTL_DECL void file_layer::expect_type(std::initializer_list<std::string_view> types) const {
    for (auto t : types)
        if (type == t) return;
    throw mismatch("layer type", "'" + std::string(*types.begin()) + "'", "'" + type + "'");
}

// The layers of a simplenn model's `layers` variable, in file order. Throws io_error (prefixed by
// `where`) for a DagNN model or a `layers` that is not a cell of structs.
DERMTL_DECL std::vector<file_layer> layers_of(matvar_t* layers, const std::string& where) {
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

namespace matconvnet_detail {

DERMTL_DECL void check_conv_shapes(const file_layer& f, const std::vector<std::size_t>& expected) {
    using namespace mat_file;
    if (!f.filters) throw io_error(f.where + ": the file's layer '" + f.name + "' holds no filters");
    if (!f.biases) throw io_error(f.where + ": the file's layer '" + f.name + "' holds no biases");
    require_real(f.filters, f.where, "filters");
    require_real(f.biases, f.where, "biases");
    const auto found = padded_dims(f.filters, 4);
    if (found != expected)
        throw f.mismatch("filter shape (H x W x Cin x Cout)", dims_text(expected), dims_text(found));
    if (numel(f.biases) != expected[3])
        throw f.mismatch("bias count", std::to_string(expected[3]), dims_text(dims_of(f.biases)));
}

DERMTL_DECL void check_conv_values(const file_layer& f) {
    using namespace mat_file;
    if (auto dil = numbers(field(f.self, "dilate"), f.where, "field 'dilate'"); !dil.empty())
        for (double d : dil)
            if (d != 1) throw f.mismatch("dilation", "[1 1]", list_text(dil));
    check_finite(f.filters, f.where, "filters");
    check_finite(f.biases, f.where, "biases");
}

// Element (h, x, c, o) of the column-major H x W x Cin x Cout filters becomes w[o][c][h][x]
// (see the header comment).
DERMTL_DECL void read_conv_weights(const file_layer& f, std::size_t out, std::size_t channels, std::size_t kh,
                                   std::size_t kw, float* w, float* b) {
    using mat_file::element;
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t h = 0; h < kh; ++h)
                for (std::size_t x = 0; x < kw; ++x)
                    w[((o * channels + c) * kh + h) * kw + x] =
                        static_cast<float>(element(f.filters, h + kh * (x + kw * (c + channels * o))));
    for (std::size_t o = 0; o < out; ++o) b[o] = static_cast<float>(element(f.biases, o));
}

DERMTL_DECL mat_file::var_ptr conv_struct(const std::string& name, const float* w, const float* b, std::size_t out,
                                          std::size_t channels, std::size_t kh, std::size_t kw, double stride,
                                          std::vector<double> pad) {
    using namespace mat_file;
    std::vector<float> filters(kh * kw * channels * out);
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t h = 0; h < kh; ++h)
                for (std::size_t x = 0; x < kw; ++x)
                    filters[h + kh * (x + kw * (c + channels * o))] = w[((o * channels + c) * kh + h) * kw + x];
    std::vector<var_ptr> weights;
    weights.push_back(make_singles(std::move(filters), {kh, kw, channels, out}));
    weights.push_back(make_singles(std::vector<float>(b, b + out), {out, 1}));
    fields f;
    f.emplace_back("name", make_text(name));
    f.emplace_back("type", make_text("conv"));
    f.emplace_back("weights", make_cell(std::move(weights)));
    f.emplace_back("size", make_row({double(kh), double(kw), double(channels), double(out)}));
    f.emplace_back("pad", make_row(std::move(pad)));
    f.emplace_back("stride", make_row({stride, stride}));
    f.emplace_back("dilate", make_row({1, 1}));
    f.emplace_back("precious", make_row({0}));
    f.emplace_back("opts", make_cell({}));
    return make_struct(nullptr, std::move(f));
}

DERMTL_DECL void check_conv_geometry(const file_layer& f, double stride, const std::vector<double>& pad) {
    using mat_file::list_text;
    const auto found_stride = mat_file::expanded(f.self, "stride", 2, {1, 1}, f.where);
    const auto found_pad = mat_file::expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
    const std::vector<double> want_stride{stride, stride};
    if (found_stride != want_stride)
        throw f.mismatch("stride [sy sx]", list_text(want_stride), list_text(found_stride));
    if (found_pad != pad) throw f.mismatch("padding [top bottom left right]", list_text(pad), list_text(found_pad));
}

DERMTL_DECL void check_dense_padding(const file_layer& f) {
    const auto pad = mat_file::expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
    if (pad != std::vector<double>{0, 0, 0, 0})
        throw f.mismatch("padding of a fully connected layer", "[0 0 0 0]", mat_file::list_text(pad));
}

DERMTL_DECL void check_lrn(const file_layer& f, const std::vector<double>& param) {
    f.expect_type({"lrn", "normalize"});
    const auto p = mat_file::numbers(mat_file::field(f.self, "param"), f.where, "field 'param'");
    bool same = p.size() == 4;
    for (std::size_t i = 0; same && i < 4; ++i) same = mat_file::close(p[i], param[i]);
    if (!same) throw f.mismatch("LRN param [N kappa alpha beta]", mat_file::list_text(param), mat_file::list_text(p));
}

DERMTL_DECL mat_file::var_ptr lrn_struct(const std::string& name, std::vector<double> param) {
    using namespace mat_file;
    fields f;
    f.emplace_back("name", make_text(name));
    f.emplace_back("type", make_text("lrn"));
    f.emplace_back("param", make_row(std::move(param)));
    f.emplace_back("precious", make_row({0}));
    return make_struct(nullptr, std::move(f));
}

DERMTL_DECL void check_max_pool(const file_layer& f, std::size_t k, std::size_t stride, padding pad,
                                std::size_t in_height, std::size_t in_width, std::size_t out_height,
                                std::size_t out_width) {
    using namespace mat_file;
    f.expect_type({"pool"});
    const std::string method = text(field(f.self, "method"));
    if (!method.empty() && method != "max") throw f.mismatch("pooling method", "'max'", "'" + method + "'");
    const auto pool = expanded(f.self, "pool", 2, {}, f.where);
    const auto found_stride = expanded(f.self, "stride", 2, {1, 1}, f.where);
    const auto found_pad = expanded(f.self, "pad", 4, {0, 0, 0, 0}, f.where);
    const std::vector<double> want_pool{double(k), double(k)};
    const std::vector<double> want_stride{double(stride), double(stride)};
    if (pool != want_pool) throw f.mismatch("pooling window [h w]", list_text(want_pool), list_text(pool));
    if (found_stride != want_stride)
        throw f.mismatch("pooling stride [sy sx]", list_text(want_stride), list_text(found_stride));
    if (found_pad.size() != 4 || found_pad[0] != double(pad.top) || found_pad[2] != double(pad.left))
        throw f.mismatch("pooling padding top/left",
                         "[" + std::to_string(pad.top) + " * " + std::to_string(pad.left) + " *]",
                         list_text(found_pad));
    auto count = [](double in, double kk, double s, double lo, double hi) {
        return std::floor((in + lo + hi - kk) / s) + 1;
    };
    const double oh = count(double(in_height), pool[0], found_stride[0], found_pad[0], found_pad[1]);
    const double ow = count(double(in_width), pool[1], found_stride[1], found_pad[2], found_pad[3]);
    if (oh != double(out_height) || ow != double(out_width))
        throw f.mismatch("pooling output size (from padding " + list_text(found_pad) + ")",
                         std::to_string(out_height) + "x" + std::to_string(out_width),
                         std::to_string(std::size_t(oh)) + "x" + std::to_string(std::size_t(ow)));
}

DERMTL_DECL mat_file::var_ptr max_pool_struct(const std::string& name, std::size_t k, std::size_t stride, padding pad,
                                              std::size_t in_height, std::size_t in_width, std::size_t out_height,
                                              std::size_t out_width) {
    using namespace mat_file;
    const double kk = double(k), s = double(stride);
    const double pb =
        std::max(double(pad.bottom), (double(out_height) - 1) * s + kk - double(in_height) - double(pad.top));
    const double pr = std::max(double(pad.right), (double(out_width) - 1) * s + kk - double(in_width) - double(pad.left));
    fields f;
    f.emplace_back("name", make_text(name));
    f.emplace_back("type", make_text("pool"));
    f.emplace_back("method", make_text("max"));
    f.emplace_back("pool", make_row({kk, kk}));
    f.emplace_back("stride", make_row({s, s}));
    f.emplace_back("pad", make_row({double(pad.top), pb, double(pad.left), pr}));
    f.emplace_back("precious", make_row({0}));
    f.emplace_back("opts", make_cell({}));
    return make_struct(nullptr, std::move(f));
}

DERMTL_DECL void check_relu(const file_layer& f) {
    f.expect_type({"relu"});
    const auto leak = mat_file::numbers(mat_file::field(f.self, "leak"), f.where, "field 'leak'");
    if (!leak.empty() && leak[0] != 0) throw f.mismatch("ReLU leak", "0", mat_file::list_text(leak));
}

DERMTL_DECL mat_file::var_ptr relu_struct(const std::string& name) {
    using namespace mat_file;
    fields f;
    f.emplace_back("name", make_text(name));
    f.emplace_back("type", make_text("relu"));
    f.emplace_back("leak", make_row({0}));
    f.emplace_back("precious", make_row({0}));
    return make_struct(nullptr, std::move(f));
}

DERMTL_DECL mat_file::var_ptr dropout_struct(const std::string& name, double rate) {
    using namespace mat_file;
    fields f;
    f.emplace_back("name", make_text(name));
    f.emplace_back("type", make_text("dropout"));
    f.emplace_back("rate", make_row({rate}));
    f.emplace_back("precious", make_row({0}));
    return make_struct(nullptr, std::move(f));
}

}  // namespace matconvnet_detail

}  // namespace dermtl::io
