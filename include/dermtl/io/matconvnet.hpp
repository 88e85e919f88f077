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
// A net with a layer kind that has no matconvnet_layer does not compile. Only the loops over the
// net's layers are templates; opening the file, the checks that do not depend on the net, reading
// `meta` and writing the file are matconvnet_detail:: functions defined in impl/matconvnet.ipp
// (compiled once into libdermtl_io with DERMTL_SEPARATE_COMPILATION, inline otherwise;
// core/config.hpp).
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
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "dermtl/core/config.hpp"
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

// A simplenn file opened for load_matconvnet: the file, its top-level names, its `layers` variable
// and the layers read from it, and the model's layout and layer list so far.
struct opened_model {
    mat_file::mat_ptr mat;
    std::vector<std::string> top;  // top-level variable names, in file order
    mat_file::var_ptr layers_var;
    std::vector<file_layer> layers;
    matconvnet_model model;
};

// Opens `path` and reads its `layers` (io_error prefixed by `where` for a file that is not a
// simplenn model: no `layers`, unreadable `layers`, a DagNN model).
DERMTL_DECL opened_model open_model(const std::filesystem::path& path, const std::string& where);

// The io_error for the net's layer `label` that the file lacks, listing the file's layers.
DERMTL_DECL io_error missing_layer(const std::string& where, const std::string& label,
                                   const std::vector<std::string>& file_layers);

// io_error for the first file layer holding weights whose name is none of the net's `names`.
DERMTL_DECL void check_extra_layers(const std::vector<file_layer>& layers, std::span<const std::string_view> names,
                                    const std::string& where);

// Reads the file's normalization (average image, image size) and classes into m.model, from
// meta.{normalization, classes} or top-level ones.
DERMTL_DECL void read_meta(opened_model& m, const std::string& where);

// Writes the model whose layer structs are `items` (in net order) for an input of
// height x width x channels, with opt's meta, atomically (see save_matconvnet).
DERMTL_DECL void write_model(const std::filesystem::path& path, std::vector<mat_file::var_ptr> items,
                             std::size_t height, std::size_t width, std::size_t channels,
                             const matconvnet_export_options& opt, const std::string& where);

}  // namespace matconvnet_detail

// Loads MatConvNet weights into `net` (see the header comment for layouts, matching and errors).
// Returns the file's other contents (layout, layer list, average image, classes).
template <class Net, class Backend>
matconvnet_model load_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                                 const matconvnet_import_options& opt = {}) {
    const std::string where = "load_matconvnet: '" + path.string() + "'";
    matconvnet_detail::opened_model m = matconvnet_detail::open_model(path, where);
    const auto& layers = m.layers;

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
                        throw matconvnet_detail::missing_layer(where, Net::label(I), m.model.layer_names);
                    }
                    file_layer f = *it;
                    f.where = where + ": " + Net::label(I);
                    trait::template load<typename Net::template input_of<I>>(f, net.params(I));
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});

    if (!opt.allow_extra_file_layers) matconvnet_detail::check_extra_layers(layers, Net::names, where);
    matconvnet_detail::read_meta(m, where);
    return std::move(m.model);
}

// Writes `net` as a MatConvNet simplenn model in the newer layout (`layers` + `meta`), readable by
// vl_simplenn (after vl_simplenn_tidy) and by load_matconvnet. Written through write_atomically
// (temporary file, fsync, rename), so a failed export never leaves a half-written model behind.
template <class Net, class Backend>
void save_matconvnet(const std::filesystem::path& path, nn::network<Net, Backend>& net,
                     const matconvnet_export_options& opt = {}) {
    const std::string where = "save_matconvnet: '" + path.string() + "'";
    std::vector<mat_file::var_ptr> items;
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
    using In = typename Net::input_shape;
    matconvnet_detail::write_model(path, std::move(items), In::height, In::width, In::channels, opt, where);
}

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/matconvnet.ipp"
#endif
