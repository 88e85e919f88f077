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
// This file is the driver: it opens the file, matches layers by name and reads `meta`. Each layer
// kind's reading, checking and writing is its io::matconvnet_layer<L> (io/matconvnet/layers.hpp,
// which also documents the weight orientation); the MAT-file helpers are io/matconvnet/mat_file.hpp.
// A net with a layer kind that has no matconvnet_layer does not compile.
//
// Matching: every *named* layer of Net is looked up by name in the file and checked against the
// compile-time descriptor -- conv/fc filter and bias shapes, conv stride and padding, LRN `param`,
// pooling window, stride, top/left padding and resulting output size (newer files pad pools
// bottom/right [0 1 0 1], the 2014 import did not; both give our ceil-rounded sizes), ReLU leak.
// Layers whose trait says they may be absent (dropout: deployed files drop it) and the file's
// `prob` softmax are ignored. A mismatch throws shape_error naming the layer, the expected and the
// found value. File layers that hold weights but have no counterpart in Net are an error too (a
// different network), unless allowed. Layers listed in `keep` are left as they are (e.g. fc8 when
// the number of classes differs from the file's 1000).
//
// Errors: missing file, not a MAT-file, MAT v4, truncated file -> io_error naming the file;
// layer missing from the file -> io_error listing the file's layers; shapes/hyper-parameters ->
// shape_error; NaN/Inf weight -> numeric_error naming layer, array and element.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <matio.h>
#include <xtensor/xtensor.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/matconvnet/layers.hpp"
#include "dermtl/io/matconvnet/mat_file.hpp"
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

template <class Net, std::size_t I>
using trait_at = matconvnet_layer<typename Net::template layer_at<I>>;

// Whether a trait is a specialization. Asking instantiates it, so for a layer kind without one the
// primary template's static_assert is the (only) error; the driver then skips that layer's code.
template <class Trait>
concept specialized = requires {
    { Trait::may_be_absent } -> std::convertible_to<bool>;
};

}  // namespace matconvnet_detail

// Loads MatConvNet weights into `net` (see the header comment for layouts, matching and errors).
// Returns the file's other contents (layout, layer list, average image, classes).
template <class Net, class Backend>
matconvnet_model load_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                                 const matconvnet_import_options& opt = {}) {
    using namespace mat_file;
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
    // Every named layer of Net, matched by name and read by its trait.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                using trait = matconvnet_detail::trait_at<Net, I>;
                if constexpr (matconvnet_detail::specialized<trait> && !L::name.empty()) {
                    if (kept(L::name)) return;
                    const auto it = std::find_if(layers.begin(), layers.end(),
                                                 [](const file_layer& f) { return f.name == L::name; });
                    if (it == layers.end()) {
                        if constexpr (trait::may_be_absent) return;
                        throw io_error(where + ": " + Net::label(I) + " is not in the file, whose layers are " +
                                       list_text(model.layer_names) + " (a different network?)");
                    }
                    file_layer f = *it;
                    f.where = where + ": " + Net::label(I);
                    trait::template load<typename Net::template input_of<I>>(f, net.params(I));
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
        require_real(avg, where + ": normalization", "averageImage");
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
    model.image_size = numbers(field(norm, "imageSize"), where + ": normalization", "imageSize");
    model.class_names = texts(field(classes, "name"));
    model.class_descriptions = texts(field(classes, "description"));
    return model;
}

// Writes `net` as a MatConvNet simplenn model in the newer layout (`layers` + `meta`), readable by
// vl_simplenn (after vl_simplenn_tidy) and by load_matconvnet. Written through write_atomically
// (temporary file, fsync, rename), so a failed export never leaves a half-written model behind.
template <class Net, class Backend>
void save_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                     const matconvnet_export_options& opt = {}) {
    using namespace mat_file;
    const std::string where = "save_matconvnet: '" + path.string() + "'";
    std::vector<var_ptr> items;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using trait = matconvnet_detail::trait_at<Net, I>;
                if constexpr (matconvnet_detail::specialized<trait>) {
                    const std::string name =
                        Net::names[I].empty() ? "layer" + std::to_string(I + 1) : std::string(Net::names[I]);
                    items.push_back(trait::template save<typename Net::template input_of<I>>(name, net.params(I)));
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});
    if (opt.append_softmax) {
        fields f;
        f.emplace_back("name", make_text("prob"));
        f.emplace_back("type", make_text("softmax"));
        items.push_back(make_struct(nullptr, std::move(f)));
    }
    var_ptr layers = make_cell(std::move(items), "layers");

    using In = typename Net::input_shape;
    fields norm;
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
    fields classes;
    classes.emplace_back("name", make_texts(opt.class_names));
    classes.emplace_back("description", make_texts(opt.class_descriptions));
    fields meta_fields;
    meta_fields.emplace_back("normalization", make_struct(nullptr, std::move(norm)));
    meta_fields.emplace_back("classes", make_struct(nullptr, std::move(classes)));
    var_ptr meta = make_struct("meta", std::move(meta_fields));

    write_atomically(path, "save_matconvnet", [&](const std::filesystem::path& tmp) {
        write_file(tmp, {layers.get(), meta.get()}, opt.compress, where);
    });
}

}  // namespace dermtl::io
