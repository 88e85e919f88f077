#pragma once
// MatConvNet (simplenn) .mat weights: import into a network<Net, Backend>, and export back.
//
// Represents: the two layouts of MatConvNet's pretrained ImageNet models (imagenet-vgg-m.mat,
// imagenet-vgg-verydeep-16.mat), both MAT level 5, read and written with matio:
//   newer (beta17+): top-level `layers` (1xN cell of structs) and `meta`
//                    (meta.normalization.{averageImage, imageSize, ...}, meta.classes.{name, description});
//                    conv layers hold `weights` = {filters, biases}; LRN type 'lrn'.
//   older (2014):    top-level `layers`, `normalization`, `classes`; conv layers hold separate
//                    `filters` / `biases` fields; LRN type 'normalize'.
// Both are accepted per layer, whatever the top level says.
//
// Orientation (proven by tests/io/test_matconvnet.cpp against PyTorch, not assumed):
//   filters are H x W x Cin x Cout, column-major, and MatConvNet (like Caffe and PyTorch)
//   computes a cross-correlation with H along the image rows. Element (h, w, c, o) sits at
//   h + H*(w + W*(c + Cin*o)) and becomes our conv weight [o][c][h][w] (OutC x C x KH x KW).
//   Fully connected layers are stored as convolutions whose kernel covers the whole input
//   (VGG-M fc6 6x6x512x4096, fc7 1x1x4096x4096): the same element becomes dense weight
//   [o][(c*H + h)*W + w], i.e. our NCHW flatten order.
//
// Matching: every *named* layer of Net is looked up by name in the file and checked against the
// compile-time descriptor -- conv/fc filter and bias shapes, conv stride and padding, LRN `param`,
// pooling window, stride, top/left padding and resulting output size (newer files pad pools
// bottom/right [0 1 0 1], the 2014 import did not; both give our ceil-rounded sizes), ReLU leak.
// Dropout layers (absent from deployed files) and the file's `prob` softmax are ignored.
// A mismatch throws shape_error naming the layer, the expected and the found value. File layers
// that hold weights but have no counterpart in Net are an error too (a different network), unless
// allowed. Layers listed in `keep` are left as they are (e.g. fc8 when the number of classes
// differs from the file's 1000).
//
// Errors: missing file, not a MAT-file, MAT v4, truncated file -> io_error naming the file;
// layer missing from the file -> io_error listing the file's layers; shapes/hyper-parameters ->
// shape_error; NaN/Inf weight -> numeric_error naming layer, array and element.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include <matio.h>
#include <xtensor/xtensor.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/nn/network.hpp"

namespace dermtl::io {

enum class matconvnet_layout { newer, older };

// What the file holds besides the weights.
struct matconvnet_model {
    matconvnet_layout layout = matconvnet_layout::newer;
    std::vector<std::string> layer_names, layer_types;  // in file order
    xt::xtensor<float, 3> average_image;                // H x W x 3, RGB; 1 x 1 x 3 for a per-channel mean; empty if absent
    std::vector<double> image_size;                     // normalization.imageSize as stored ([224 224 3])
    std::vector<std::string> class_names, class_descriptions;
};

struct matconvnet_import_options {
    std::vector<std::string> keep;        // layers of Net whose parameters are not loaded (e.g. {"fc8"})
    bool allow_extra_file_layers = false;  // file layers with weights that Net lacks: error unless true
};

struct matconvnet_export_options {
    xt::xtensor<float, 3> average_image;  // H x W x 3 (RGB); written to meta.normalization.averageImage
    std::vector<std::string> class_names, class_descriptions;
    bool append_softmax = true;           // a final `prob` softmax layer, as MatConvNet's deployed models have
    bool compress = true;                 // zlib, as MatConvNet's downloads
};

namespace matconvnet_detail {

struct var_deleter {
    void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
struct mat_closer {
    void operator()(mat_t* m) const { Mat_Close(m); }
};
using var_ptr = std::unique_ptr<matvar_t, var_deleter>;
using mat_ptr = std::unique_ptr<mat_t, mat_closer>;

// matio reports problems through a log function; keep the last message for our errors instead of
// letting it print.
inline std::string& last_log() {
    static thread_local std::string message;
    return message;
}
inline void capture_log(int, char* message) { last_log() = message ? message : ""; }
inline void install_log() {
    static const bool installed = [] {
        Mat_LogInitFunc("dermtl", &capture_log);
        return true;
    }();
    (void)installed;
}

inline std::size_t numel(const matvar_t* v) {
    if (!v || v->rank <= 0) return 0;
    std::size_t n = 1;
    for (int i = 0; i < v->rank; ++i) n *= v->dims[i];
    return n;
}

inline std::vector<std::size_t> dims_of(const matvar_t* v) {
    if (!v) return {};
    return std::vector<std::size_t>(v->dims, v->dims + v->rank);
}

inline std::string dims_text(const std::vector<std::size_t>& d) {
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i) s += "x";
        s += std::to_string(d[i]);
    }
    return s.empty() ? "(none)" : s;
}

template <class T>
std::string list_text(const std::vector<T>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += " ";
        if constexpr (std::is_same_v<T, std::string>)
            s += v[i];
        else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(v[i]));
            s += buf;
        }
    }
    return s + "]";
}

inline bool is_numeric(const matvar_t* v) {
    switch (v->class_type) {
    case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8: case MAT_C_INT16: case MAT_C_UINT16:
    case MAT_C_INT32: case MAT_C_UINT32: case MAT_C_INT64: case MAT_C_UINT64: return true;
    default: return false;
    }
}

// Element i of a numeric array as double, whatever its stored type.
inline double element(const matvar_t* v, std::size_t i) {
    const void* d = v->data;
    switch (v->data_type) {
    case MAT_T_DOUBLE: return static_cast<const double*>(d)[i];
    case MAT_T_SINGLE: return static_cast<const float*>(d)[i];
    case MAT_T_INT8: return static_cast<const std::int8_t*>(d)[i];
    case MAT_T_UINT8: return static_cast<const std::uint8_t*>(d)[i];
    case MAT_T_INT16: return static_cast<const std::int16_t*>(d)[i];
    case MAT_T_UINT16: return static_cast<const std::uint16_t*>(d)[i];
    case MAT_T_INT32: return static_cast<const std::int32_t*>(d)[i];
    case MAT_T_UINT32: return static_cast<const std::uint32_t*>(d)[i];
    case MAT_T_INT64: return double(static_cast<const std::int64_t*>(d)[i]);
    case MAT_T_UINT64: return double(static_cast<const std::uint64_t*>(d)[i]);
    default: throw io_error("matconvnet: unsupported numeric storage type " + std::to_string(int(v->data_type)));
    }
}

inline std::vector<double> numbers(const matvar_t* v) {
    std::vector<double> out;
    if (!v || !is_numeric(v) || v->isComplex || !v->data) return out;
    const std::size_t n = numel(v);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(element(v, i));
    return out;
}

inline std::string text(const matvar_t* v) {
    if (!v || v->class_type != MAT_C_CHAR || !v->data) return {};
    const std::size_t n = numel(v);
    std::string s;
    if (v->data_size == 1) {
        s.assign(static_cast<const char*>(v->data), n);
    } else if (v->data_size == 2) {
        const auto* p = static_cast<const std::uint16_t*>(v->data);
        for (std::size_t i = 0; i < n; ++i) s += p[i] < 128 ? char(p[i]) : '?';
    } else if (v->data_size == 4) {
        const auto* p = static_cast<const std::uint32_t*>(v->data);
        for (std::size_t i = 0; i < n; ++i) s += p[i] < 128 ? char(p[i]) : '?';
    }
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    return s;
}

inline matvar_t* field(matvar_t* s, const char* name) {
    if (!s || s->class_type != MAT_C_STRUCT) return nullptr;
    // Look the name up first: matio logs an error for unknown fields.
    const unsigned n = Mat_VarGetNumberOfFields(s);
    char* const* names = Mat_VarGetStructFieldnames(s);
    for (unsigned i = 0; i < n; ++i)
        if (names[i] && std::string_view(names[i]) == name) return Mat_VarGetStructFieldByIndex(s, i, 0);
    return nullptr;
}

inline std::vector<std::string> texts(matvar_t* cell) {
    std::vector<std::string> out;
    if (!cell || cell->class_type != MAT_C_CELL) return out;
    const std::size_t n = numel(cell);
    for (std::size_t i = 0; i < n; ++i) out.push_back(text(Mat_VarGetCell(cell, int(i))));
    return out;
}

// Level-5 header and a walk over the top-level elements, so a file cut short is reported as
// truncated (with expected and found sizes) instead of as whatever matio stumbles on.
inline void check_file(const std::filesystem::path& path, std::string_view op) {
    const std::string where = std::string(op) + ": '" + path.string() + "'";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw io_error(where + ": no such file");
    if (!std::filesystem::is_regular_file(path, ec)) throw io_error(where + ": not a regular file");
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(where + ": cannot open for reading");
    char header[128] = {};
    in.read(header, 128);
    if (in.gcount() < 128 || std::string_view(header, 6) != "MATLAB")
        throw io_error(where + ": not a MAT-file (expected a 128-byte header starting 'MATLAB 5.0 MAT-file', found " +
                       (in.gcount() < 128 ? std::to_string(in.gcount()) + " bytes" : "other content") + ")");
    const std::uint16_t version = std::uint16_t(std::uint8_t(header[124]) | std::uint8_t(header[125]) << 8);
    const bool little = header[126] == 'I' && header[127] == 'M';
    const bool big = header[126] == 'M' && header[127] == 'I';
    if (!little && !big) throw io_error(where + ": not a MAT-file (no endian indicator at bytes 126-127)");
    if (version == 0x0200 || version == 0x0002)
        return;  // v7.3 (HDF5): left to matio
    if (!little) return;  // big-endian v5: no walk, matio checks
    std::uintmax_t offset = 128;
    while (offset < size) {
        if (size - offset < 8)
            throw io_error(where + ": truncated: " + std::to_string(size - offset) +
                           " stray bytes after the last element (file size " + std::to_string(size) + ")");
        in.seekg(std::streamoff(offset));
        unsigned char tag[8];
        in.read(reinterpret_cast<char*>(tag), 8);
        std::uint32_t type = tag[0] | tag[1] << 8 | tag[2] << 16 | std::uint32_t(tag[3]) << 24;
        std::uint32_t bytes = tag[4] | tag[5] << 8 | tag[6] << 16 | std::uint32_t(tag[7]) << 24;
        std::uintmax_t next = offset + 8 + bytes;
        if ((type >> 16) != 0) next = offset + 8;  // small element (not expected at top level)
        else if (type != 15) next = (next + 7) / 8 * 8;  // uncompressed elements are 8-byte aligned
        if (next > size + ((type != 15) ? 7u : 0u))
            throw io_error(where + ": truncated: an element at byte " + std::to_string(offset) + " needs " +
                           std::to_string(bytes) + " bytes, the file ends after " + std::to_string(size - offset - 8));
        offset = next;
    }
}

inline mat_ptr open(const std::filesystem::path& path, std::string_view op) {
    install_log();
    check_file(path, op);
    last_log().clear();
    mat_ptr mat(Mat_Open(path.string().c_str(), MAT_ACC_RDONLY));
    if (!mat) throw io_error(std::string(op) + ": '" + path.string() + "': matio cannot open it as a MAT-file" +
                             (last_log().empty() ? "" : " (" + last_log() + ")"));
    if (Mat_GetVersion(mat.get()) == MAT_FT_MAT4)
        throw io_error(std::string(op) + ": '" + path.string() + "': a MAT v4 file; MatConvNet models are MAT level 5");
    return mat;
}

inline var_ptr read(mat_t* mat, const char* name) {
    last_log().clear();
    return var_ptr(Mat_VarRead(mat, name));
}

inline std::vector<std::string> top_level_names(mat_t* mat) {
    std::vector<std::string> out;
    Mat_Rewind(mat);
    while (matvar_t* v = Mat_VarReadNextInfo(mat)) {
        if (v->name) out.emplace_back(v->name);
        Mat_VarFree(v);
    }
    Mat_Rewind(mat);
    return out;
}

// One layer of the file.
struct file_layer {
    std::string name, type;
    matvar_t* self = nullptr;
    matvar_t* filters = nullptr;
    matvar_t* biases = nullptr;
};

inline std::vector<file_layer> layers_of(matvar_t* layers, const std::string& where) {
    if (layers->class_type == MAT_C_STRUCT && field(layers, "block"))
        throw io_error(where + ": a DagNN model (layers with a 'block' field); only simplenn models are supported "
                               "(convert with dagnn.DagNN.saveobj -> vl_simplenn_tidy or export as simplenn)");
    if (layers->class_type != MAT_C_CELL)
        throw io_error(where + ": expected 'layers' to be a cell array of structs (MatConvNet simplenn), found class " +
                       std::to_string(int(layers->class_type)));
    std::vector<file_layer> out;
    const std::size_t n = numel(layers);
    for (std::size_t i = 0; i < n; ++i) {
        matvar_t* l = Mat_VarGetCell(layers, int(i));
        if (!l || l->class_type != MAT_C_STRUCT)
            throw io_error(where + ": layers{" + std::to_string(i + 1) + "} is not a struct");
        file_layer f;
        f.self = l;
        f.name = text(field(l, "name"));
        f.type = text(field(l, "type"));
        if (f.name.empty()) f.name = "layer" + std::to_string(i + 1);  // MatConvNet's own default
        if (matvar_t* w = field(l, "weights"); w && w->class_type == MAT_C_CELL) {
            if (numel(w) >= 1) f.filters = Mat_VarGetCell(w, 0);
            if (numel(w) >= 2) f.biases = Mat_VarGetCell(w, 1);
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

// A numeric field with one or more values, expanded: scalar s -> {s, s, ...} (count values).
inline std::vector<double> expanded(matvar_t* l, const char* name, std::size_t count, std::vector<double> fallback) {
    auto v = numbers(field(l, name));
    if (v.empty()) return fallback;
    if (v.size() == 1) return std::vector<double>(count, v[0]);
    if (count == 4 && v.size() == 2) return {v[0], v[0], v[1], v[1]};
    return v;
}

inline void check_finite(const matvar_t* v, const std::string& where, const char* what) {
    const std::size_t n = numel(v);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = element(v, i);
        if (!std::isfinite(x))
            throw numeric_error(where + ": " + what + " element " + std::to_string(i) + " (column-major) is " +
                                std::to_string(x) + "; expected finite weights (a corrupted or diverged model?)");
    }
}

// Dims padded with trailing ones (MATLAB drops them: 1x1x4096x1 is stored as 1x1x4096).
inline std::vector<std::size_t> padded_dims(const matvar_t* v, std::size_t rank) {
    auto d = dims_of(v);
    while (d.size() < rank) d.push_back(1);
    while (d.size() > rank && d.back() == 1) d.pop_back();
    return d;
}

// {outputs, kernel height, kernel width} of a conv2d, or of a dense layer seen as a convolution
// over its whole input.
template <class L, class In>
constexpr std::array<std::size_t, 3> kernel_of() {
    if constexpr (L::kind == "conv2d")
        return {L::out_channels, L::kernel, L::kernel};
    else
        return {L::units, In::height, In::width};
}

inline bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max({1.0, std::abs(a), std::abs(b)}); }

}  // namespace matconvnet_detail

namespace matconvnet_detail {

// Reads the parameters and checks the hyper-parameters of net layer I against file layer f.
template <class Net, std::size_t I, class Backend>
void load_layer(nn::network<Net, Backend>& net, const file_layer& f, const std::string& file) {
    using L = typename Net::template layer_at<I>;
    using In = typename Net::template input_of<I>;
    using Out = typename Net::template shape_at<I>;
    using ops = backend::ops<Backend>;
    const std::string where = "load_matconvnet: '" + file + "': " + Net::label(I);
    auto mismatch = [&](const std::string& what, const std::string& expected, const std::string& found) {
        return shape_error(where + ": " + what + " mismatch: expected " + expected + ", found " + found +
                           " in the file (a different network?)");
    };
    auto expect_type = [&](std::initializer_list<std::string_view> types) {
        for (auto t : types)
            if (f.type == t) return;
        throw mismatch("layer type", "'" + std::string(*types.begin()) + "'", "'" + f.type + "'");
    };

    if constexpr (L::kind == "conv2d" || L::kind == "dense") {
        expect_type({"conv"});
        constexpr bool is_conv = L::kind == "conv2d";
        constexpr auto k = kernel_of<L, In>();
        constexpr std::size_t out_c = k[0], kh = k[1], kw = k[2];
        const std::vector<std::size_t> expected{kh, kw, In::channels, out_c};
        if (!f.filters) throw io_error(where + ": the file's layer '" + f.name + "' holds no filters");
        if (!f.biases) throw io_error(where + ": the file's layer '" + f.name + "' holds no biases");
        if (!is_numeric(f.filters) || !is_numeric(f.biases) || f.filters->isComplex)
            throw io_error(where + ": filters and biases must be real numeric arrays (single)");
        const auto found = padded_dims(f.filters, 4);
        if (found != expected)
            throw mismatch("filter shape (H x W x Cin x Cout)", dims_text(expected), dims_text(found));
        if (numel(f.biases) != out_c)
            throw mismatch("bias count", std::to_string(out_c), dims_text(dims_of(f.biases)));
        const auto stride = expanded(f.self, "stride", 2, {1, 1});
        const auto pad = expanded(f.self, "pad", 4, {0, 0, 0, 0});
        if constexpr (is_conv) {
            const std::vector<double> want_stride{double(L::stride), double(L::stride)};
            const std::vector<double> want_pad{double(L::pad.top), double(L::pad.bottom), double(L::pad.left),
                                               double(L::pad.right)};
            if (stride != want_stride) throw mismatch("stride [sy sx]", list_text(want_stride), list_text(stride));
            if (pad != want_pad) throw mismatch("padding [top bottom left right]", list_text(want_pad), list_text(pad));
        } else {
            if (pad != std::vector<double>{0, 0, 0, 0})
                throw mismatch("padding of a fully connected layer", "[0 0 0 0]", list_text(pad));
        }
        if (auto dil = numbers(field(f.self, "dilate")); !dil.empty())
            for (double d : dil)
                if (d != 1) throw mismatch("dilation", "[1 1]", list_text(dil));
        check_finite(f.filters, where, "filters");
        check_finite(f.biases, where, "biases");

        auto params = net.params(I);
        host_tensor w(ops::dims(params[0].value));
        float* wd = w.data();
        const std::size_t C = In::channels;
        for (std::size_t o = 0; o < out_c; ++o)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t h = 0; h < kh; ++h)
                    for (std::size_t x = 0; x < kw; ++x)
                        wd[((o * C + c) * kh + h) * kw + x] =
                            static_cast<float>(element(f.filters, h + kh * (x + kw * (c + C * o))));
        host_tensor b(ops::dims(params[1].value));
        for (std::size_t o = 0; o < out_c; ++o) b.data()[o] = static_cast<float>(element(f.biases, o));
        params[0].value = ops::from_host(w);
        params[1].value = ops::from_host(b);
    } else if constexpr (L::kind == "lrn") {
        expect_type({"lrn", "normalize"});
        const auto p = numbers(field(f.self, "param"));
        const std::vector<double> want{double(L::size), double(L::kappa), double(L::alpha), double(L::beta)};
        bool same = p.size() == 4;
        for (std::size_t i = 0; same && i < 4; ++i) same = close(p[i], want[i]);
        if (!same) throw mismatch("LRN param [N kappa alpha beta]", list_text(want), list_text(p));
    } else if constexpr (L::kind == "max_pool") {
        expect_type({"pool"});
        const std::string method = text(field(f.self, "method"));
        if (!method.empty() && method != "max") throw mismatch("pooling method", "'max'", "'" + method + "'");
        const auto pool = expanded(f.self, "pool", 2, {});
        const auto stride = expanded(f.self, "stride", 2, {1, 1});
        const auto pad = expanded(f.self, "pad", 4, {0, 0, 0, 0});
        const std::vector<double> want_pool{double(L::kernel), double(L::kernel)};
        const std::vector<double> want_stride{double(L::stride), double(L::stride)};
        if (pool != want_pool) throw mismatch("pooling window [h w]", list_text(want_pool), list_text(pool));
        if (stride != want_stride) throw mismatch("pooling stride [sy sx]", list_text(want_stride), list_text(stride));
        if (pad.size() != 4 || pad[0] != double(L::pad.top) || pad[2] != double(L::pad.left))
            throw mismatch("pooling padding top/left", "[" + std::to_string(L::pad.top) + " * " +
                                                           std::to_string(L::pad.left) + " *]",
                           list_text(pad));
        // MatConvNet rounds down after padding; the result must be our (ceil-rounded) size.
        auto count = [](double in, double k, double s, double lo, double hi) {
            return std::floor((in + lo + hi - k) / s) + 1;
        };
        const double oh = count(In::height, pool[0], stride[0], pad[0], pad[1]);
        const double ow = count(In::width, pool[1], stride[1], pad[2], pad[3]);
        if (oh != double(Out::height) || ow != double(Out::width))
            throw mismatch("pooling output size (from padding " + list_text(pad) + ")",
                           std::to_string(Out::height) + "x" + std::to_string(Out::width),
                           std::to_string(std::size_t(oh)) + "x" + std::to_string(std::size_t(ow)));
    } else if constexpr (L::kind == "relu") {
        expect_type({"relu"});
        const auto leak = numbers(field(f.self, "leak"));
        if (!leak.empty() && leak[0] != 0) throw mismatch("ReLU leak", "0", list_text(leak));
    } else if constexpr (L::kind == "dropout") {
        expect_type({"dropout"});
    }
}

}  // namespace matconvnet_detail

// Loads MatConvNet weights into `net` (see the header comment for layouts, matching and errors).
// Returns the file's other contents (layout, layer list, average image, classes).
template <class Net, class Backend>
matconvnet_model load_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                                 const matconvnet_import_options& opt = {}) {
    using namespace matconvnet_detail;
    const std::string file = path.string();
    const std::string where = "load_matconvnet: '" + file + "'";
    mat_ptr mat = open(path, "load_matconvnet");
    const auto top = top_level_names(mat.get());
    auto has = [&](std::string_view n) { return std::find(top.begin(), top.end(), n) != top.end(); };
    if (!has("layers"))
        throw io_error(where + ": no top-level 'layers' variable; found " + list_text(top) +
                       " (not a MatConvNet model?)");
    var_ptr layers_var = read(mat.get(), "layers");
    if (!layers_var)
        throw io_error(where + ": cannot read 'layers' (truncated or corrupted file?)" +
                       (last_log().empty() ? "" : ": " + last_log()));
    const auto layers = layers_of(layers_var.get(), where);

    matconvnet_model model;
    model.layout = has("meta") ? matconvnet_layout::newer : matconvnet_layout::older;
    for (const auto& l : layers) {
        model.layer_names.push_back(l.name);
        model.layer_types.push_back(l.type);
    }

    auto kept = [&](std::string_view name) { return std::find(opt.keep.begin(), opt.keep.end(), name) != opt.keep.end(); };
    // Every named layer of Net, matched by name.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                if constexpr (!L::name.empty()) {
                    if (kept(L::name)) return;
                    const auto it = std::find_if(layers.begin(), layers.end(),
                                                 [](const file_layer& f) { return f.name == L::name; });
                    if (it == layers.end()) {
                        if constexpr (L::kind == "dropout") return;  // deployed models drop their dropout layers
                        throw io_error(where + ": " + Net::label(I) + " is not in the file, whose layers are " +
                                       list_text(model.layer_names) + " (a different network?)");
                    } else {
                        load_layer<Net, I>(net, *it, file);
                    }
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});

    if (!opt.allow_extra_file_layers)
        for (const auto& l : layers)
            if ((l.filters || l.biases) && Net::find(l.name) == Net::depth)
                throw io_error(where + ": the file's layer '" + l.name + "' (" + l.type +
                               ", filters " + dims_text(dims_of(l.filters)) +
                               ") has no counterpart in the network (a different network?); allow it with "
                               "matconvnet_import_options::allow_extra_file_layers");

    // Normalization and classes: meta.{normalization, classes} or top-level ones.
    var_ptr meta = has("meta") ? read(mat.get(), "meta") : nullptr;
    var_ptr norm_top = !meta && has("normalization") ? read(mat.get(), "normalization") : nullptr;
    var_ptr classes_top = !meta && has("classes") ? read(mat.get(), "classes") : nullptr;
    matvar_t* norm = meta ? field(meta.get(), "normalization") : norm_top.get();
    matvar_t* classes = meta ? field(meta.get(), "classes") : classes_top.get();
    if (matvar_t* avg = field(norm, "averageImage"); avg && numel(avg) > 0) {
        check_finite(avg, where + ": normalization", "averageImage");
        const auto d = dims_of(avg);
        const std::size_t n = numel(avg);
        if (n == 3) {
            model.average_image = xt::xtensor<float, 3>::from_shape({1, 1, 3});
            for (std::size_t c = 0; c < 3; ++c) model.average_image(0, 0, c) = float(element(avg, c));
        } else if (d.size() == 3 && d[2] == 3) {
            const std::size_t H = d[0], W = d[1];
            model.average_image = xt::xtensor<float, 3>::from_shape({H, W, 3});
            for (std::size_t h = 0; h < H; ++h)
                for (std::size_t w = 0; w < W; ++w)
                    for (std::size_t c = 0; c < 3; ++c)
                        model.average_image(h, w, c) = float(element(avg, h + H * (w + W * c)));
        } else {
            throw shape_error(where + ": averageImage: expected H x W x 3 or 3 values, found " + dims_text(d));
        }
    }
    model.image_size = numbers(field(norm, "imageSize"));
    model.class_names = texts(field(classes, "name"));
    model.class_descriptions = texts(field(classes, "description"));
    return model;
}

namespace matconvnet_detail {

inline var_ptr make_text(const std::string& s) {
    size_t dims[2] = {1, s.size()};
    std::string copy = s;
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UTF8, 2, dims, copy.data(), 0));
}
inline var_ptr make_doubles(std::vector<double> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, int(dims.size()), dims.data(), v.data(), 0));
}
inline var_ptr make_row(std::vector<double> v) { return make_doubles(v, {1, v.size()}); }
inline var_ptr make_singles(std::vector<float> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_SINGLE, MAT_T_SINGLE, int(dims.size()), dims.data(), v.data(), 0));
}
inline var_ptr make_cell(std::vector<var_ptr> items, const char* name = nullptr) {
    size_t dims[2] = {1, items.size()};
    var_ptr cell(Mat_VarCreate(name, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0));
    for (std::size_t i = 0; i < items.size(); ++i) Mat_VarSetCell(cell.get(), int(i), items[i].release());
    return cell;
}
inline var_ptr make_struct(const char* name, std::vector<std::pair<std::string, var_ptr>> fields) {
    std::vector<const char*> names;
    for (auto& f : fields) names.push_back(f.first.c_str());
    names.push_back(nullptr);
    size_t dims[2] = {1, 1};
    var_ptr s(Mat_VarCreateStruct2(name, 2, dims, names.data()));
    for (auto& f : fields) Mat_VarSetStructFieldByName(s.get(), f.first.c_str(), 0, f.second.release());
    return s;
}
inline var_ptr make_texts(const std::vector<std::string>& v) {
    std::vector<var_ptr> items;
    for (const auto& s : v) items.push_back(make_text(s));
    return make_cell(std::move(items));
}

template <class Net, std::size_t I, class Backend>
var_ptr export_layer(nn::network<Net, Backend>& net) {
    using L = typename Net::template layer_at<I>;
    using In = typename Net::template input_of<I>;
    using Out = typename Net::template shape_at<I>;
    using ops = backend::ops<Backend>;
    const std::string name = L::name.empty() ? "layer" + std::to_string(I + 1) : std::string(L::name);
    if constexpr (L::kind == "conv2d" || L::kind == "dense") {
        constexpr bool is_conv = L::kind == "conv2d";
        constexpr auto k = kernel_of<L, In>();
        constexpr std::size_t out_c = k[0], kh = k[1], kw = k[2];
        constexpr std::size_t C = In::channels;
        auto params = net.params(I);
        const host_tensor w = ops::to_host(params[0].value);
        const host_tensor b = ops::to_host(params[1].value);
        std::vector<float> filters(kh * kw * C * out_c);
        for (std::size_t o = 0; o < out_c; ++o)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t h = 0; h < kh; ++h)
                    for (std::size_t x = 0; x < kw; ++x)
                        filters[h + kh * (x + kw * (c + C * o))] = w.data()[((o * C + c) * kh + h) * kw + x];
        std::vector<var_ptr> weights;
        weights.push_back(make_singles(std::move(filters), {kh, kw, C, out_c}));
        weights.push_back(make_singles(std::vector<float>(b.data(), b.data() + out_c), {out_c, 1}));
        double stride = 1;
        std::vector<double> pad{0, 0, 0, 0};
        if constexpr (is_conv) {
            stride = double(L::stride);
            pad = {double(L::pad.top), double(L::pad.bottom), double(L::pad.left), double(L::pad.right)};
        }
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("conv"));
        f.emplace_back("weights", make_cell(std::move(weights)));
        f.emplace_back("size", make_row({double(kh), double(kw), double(C), double(out_c)}));
        f.emplace_back("pad", make_row(pad));
        f.emplace_back("stride", make_row({stride, stride}));
        f.emplace_back("dilate", make_row({1, 1}));
        f.emplace_back("precious", make_row({0}));
        f.emplace_back("opts", make_cell({}));
        return make_struct(nullptr, std::move(f));
    } else if constexpr (L::kind == "max_pool") {
        // Our ceil rounding as MatConvNet's floor after padding: pad bottom/right just enough.
        const double k = double(L::kernel), s = double(L::stride);
        const double pb = std::max(double(L::pad.bottom),
                                   (double(Out::height) - 1) * s + k - double(In::height) - double(L::pad.top));
        const double pr = std::max(double(L::pad.right),
                                   (double(Out::width) - 1) * s + k - double(In::width) - double(L::pad.left));
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("pool"));
        f.emplace_back("method", make_text("max"));
        f.emplace_back("pool", make_row({k, k}));
        f.emplace_back("stride", make_row({s, s}));
        f.emplace_back("pad", make_row({double(L::pad.top), pb, double(L::pad.left), pr}));
        f.emplace_back("precious", make_row({0}));
        f.emplace_back("opts", make_cell({}));
        return make_struct(nullptr, std::move(f));
    } else if constexpr (L::kind == "lrn") {
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("lrn"));
        f.emplace_back("param", make_row({double(L::size), double(L::kappa), double(L::alpha), double(L::beta)}));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    } else if constexpr (L::kind == "relu") {
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("relu"));
        f.emplace_back("leak", make_row({0}));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    } else if constexpr (L::kind == "dropout") {
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text(name));
        f.emplace_back("type", make_text("dropout"));
        f.emplace_back("rate", make_row({double(L::rate)}));
        f.emplace_back("precious", make_row({0}));
        return make_struct(nullptr, std::move(f));
    } else {
        static_assert(L::kind == "conv2d", "save_matconvnet: this layer kind has no MatConvNet counterpart; add one "
                                           "to export_layer in io/matconvnet.hpp");
        return nullptr;
    }
}

}  // namespace matconvnet_detail

// Writes `net` as a MatConvNet simplenn model in the newer layout (`layers` + `meta`), readable by
// vl_simplenn (after vl_simplenn_tidy) and by load_matconvnet. Written to a temporary file and
// renamed, so a failed export never leaves a half-written model behind.
template <class Net, class Backend>
void save_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                     const matconvnet_export_options& opt = {}) {
    using namespace matconvnet_detail;
    install_log();
    const std::string where = "save_matconvnet: '" + path.string() + "'";
    std::vector<var_ptr> items;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (items.push_back(export_layer<Net, I>(net)), ...);
    }(std::make_index_sequence<Net::depth>{});
    if (opt.append_softmax) {
        std::vector<std::pair<std::string, var_ptr>> f;
        f.emplace_back("name", make_text("prob"));
        f.emplace_back("type", make_text("softmax"));
        items.push_back(make_struct(nullptr, std::move(f)));
    }
    var_ptr layers = make_cell(std::move(items), "layers");

    using In = typename Net::input_shape;
    std::vector<std::pair<std::string, var_ptr>> norm;
    if (opt.average_image.size() > 0) {
        const auto s = opt.average_image.shape();
        if (s[2] != 3) throw shape_error(where + ": average_image must be H x W x 3, found last extent " + std::to_string(s[2]));
        std::vector<float> avg(s[0] * s[1] * 3);
        for (std::size_t h = 0; h < s[0]; ++h)
            for (std::size_t w = 0; w < s[1]; ++w)
                for (std::size_t c = 0; c < 3; ++c) avg[h + s[0] * (w + s[1] * c)] = opt.average_image(h, w, c);
        norm.emplace_back("averageImage", make_singles(std::move(avg), {s[0], s[1], 3}));
    } else {
        norm.emplace_back("averageImage", make_singles({}, {0, 0}));
    }
    norm.emplace_back("imageSize", make_row({double(In::height), double(In::width), double(In::channels)}));
    norm.emplace_back("interpolation", make_text("bilinear"));
    norm.emplace_back("keepAspect", make_row({0}));
    norm.emplace_back("border", make_row({0, 0}));
    norm.emplace_back("cropSize", make_row({1, 1}));
    std::vector<std::pair<std::string, var_ptr>> classes;
    classes.emplace_back("name", make_texts(opt.class_names));
    classes.emplace_back("description", make_texts(opt.class_descriptions));
    std::vector<std::pair<std::string, var_ptr>> meta_fields;
    meta_fields.emplace_back("normalization", make_struct(nullptr, std::move(norm)));
    meta_fields.emplace_back("classes", make_struct(nullptr, std::move(classes)));
    var_ptr meta = make_struct("meta", std::move(meta_fields));

    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    {
        mat_ptr mat(Mat_CreateVer(tmp.string().c_str(), "MATLAB 5.0 MAT-file, written by dermtl", MAT_FT_MAT5));
        if (!mat) throw io_error(where + ": cannot create '" + tmp.string() + "'");
        const auto compression = opt.compress ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
        if (Mat_VarWrite(mat.get(), layers.get(), compression) != 0 || Mat_VarWrite(mat.get(), meta.get(), compression) != 0) {
            mat.reset();
            std::filesystem::remove(tmp);
            throw io_error(where + ": writing failed (disk full?)" + (last_log().empty() ? "" : ": " + last_log()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw io_error(where + ": cannot rename the temporary file into place: " + ec.message());
    }
}

}  // namespace dermtl::io
