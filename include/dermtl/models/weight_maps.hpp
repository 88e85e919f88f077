#pragma once
// A network's weights as named tensors: dermtl's own names, and the names torchvision and timm give
// VGG-16's weights, so safetensors files (io/safetensors.hpp) load into dermtl's networks and
// dermtl's networks are written as files PyTorch users load.
//
// Names (weight_names):
//   dermtl      -- "<layer>.weight" / "<layer>.bias" for each layer with parameters, the layer names
//                  of models/vgg.hpp (conv1 ... fc8; conv1_1 ... fc8 for VGG-16); an unnamed layer
//                  is "layer<N>" (1-based, as save_matconvnet names it).
//   torchvision -- VGG-16's torchvision.models.vgg16 state dict: features.N (N = the module's index
//                  in `features`: conv1_1 = features.0 ... conv5_3 = features.28), classifier.0/3/6
//                  = fc6/fc7/fc8.
//   timm        -- timm's vgg16 (e.g. vgg16.tv_in1k's model.safetensors): features.N as torchvision,
//                  pre_logits.fc1 = fc6 (a 7x7 convolution), pre_logits.fc2 = fc7 (a 1x1
//                  convolution), head.fc = fc8 (linear).
// Layouts: PyTorch's. A convolution's weight is [out, in, kh, kw]; a dense layer's [out, in] with its
// input flattened C x H x W, which is dermtl's order too, so the values are copied as they are. A
// dense layer also takes the 4-D form of a convolution covering its whole input, [out, C, H, W]
// (timm's fc1/fc2). Biases are [out].
//
// Preprocessing presets (preprocessing_preset): what a source's network expects as input, the
// network input being (pixel / scale - mean) / std per RGB channel:
//   matconvnet  -- scale 1 (0-255), the file's average image, std 1 (dermtl's own convention);
//   torchvision, timm (vgg16.tv_in1k) -- scale 255 (0-1), ImageNet's mean (0.485, 0.456, 0.406) and
//                  std (0.229, 0.224, 0.225).
// dermtl's pipeline subtracts a mean from 0-255 pixels; fold_preset_into_first_conv makes a network
// loaded from a 0-1/std source compute the same function on that input (see there).
//
// Errors: a tensor the network needs that the file lacks -> io_error naming the file, the tensor
// and the layer; a shape that differs -> shape_error naming the file, the tensor, the layer, the
// expected and the found shape; a tensor the network has no place for -> io_error (unless allowed);
// a NaN/Inf value -> numeric_error naming the tensor and the element. Every check is made before
// any parameter of the network is changed.
// Only the loops over the net's layers are templates; the name maps, checks and messages are
// weight_maps_detail:: functions defined in impl/weight_maps.ipp (compiled once into libdermtl_nn with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp). They use only the tensor structs
// of io/safetensors.hpp; reading a file (load_network_safetensors) needs the io component.
#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/nn/network.hpp"

namespace dermtl::models {

// Whose names a file's tensors carry (see the top of this header).
enum class weight_names { dermtl, torchvision, timm };

// "dermtl", "torchvision", "timm".
DERMTL_DECL std::string_view weight_names_text(weight_names names);

// What a network expects as input: (pixel / scale - mean) / std per RGB channel, pixels 0-255.
struct preprocessing_preset {
    std::string name;                         // "matconvnet", "torchvision", "timm"
    double scale = 1;                         // 1: mean at 0-255; 255: mean and std at 0-1
    std::array<double, 3> mean{0, 0, 0};      // RGB, at `scale`
    std::array<double, 3> std_dev{1, 1, 1};   // RGB, at `scale`; 1 when the source divides by none
    // The mean at 0-255 (what dermtl's pipeline subtracts).
    std::array<float, 3> mean_255() const {
        return {float(mean[0] * scale), float(mean[1] * scale), float(mean[2] * scale)};
    }
    bool divides() const { return scale != 1 || std_dev[0] != 1 || std_dev[1] != 1 || std_dev[2] != 1; }
};

// The preset of torchvision's and timm's ImageNet VGG-16 (see above). io_error for dermtl's names,
// which bring no preset of their own.
DERMTL_DECL preprocessing_preset preset_of(weight_names names);

// MatConvNet's: the file's per-channel mean at 0-255 (the average image's channel means).
DERMTL_DECL preprocessing_preset matconvnet_preset(float r, float g, float b);

// The preset as compact JSON: {"preset":"torchvision","scale":255,"mean":[...],"std":[...]}, the
// text recorded in fingerprints and in model metadata (numbers with 9 significant digits).
DERMTL_DECL std::string preset_json(const preprocessing_preset& p);

struct tensor_load_options {
    std::vector<std::string> keep;    // layers of the net whose parameters are not loaded (e.g. {"fc8"})
    bool allow_extra_tensors = false;  // tensors the net has no place for: an error unless true
};

namespace weight_maps_detail {

// A tensor the net wants: its name in the file, the layer it fills (for messages), its shape, and
// a second accepted shape (a dense layer's 4-D form; empty when none). A kept layer's tensors
// (tensor_load_options::keep) are listed too, `kept`: neither required nor loaded, nor extra when
// the file has them.
struct wanted_tensor {
    std::string tensor;
    std::string layer;
    std::vector<std::size_t> shape, alternative;
    bool kept = false;
};

// The file's tensor prefix for the net's layer `layer` (position `index` among the net's layers,
// 1-based, for unnamed ones) under `names`; empty when the map has no entry for it.
DERMTL_DECL std::string prefix_for(weight_names names, std::string_view layer, std::size_t index);

// Which names a file's tensors carry: dermtl's when `dermtl_probe` ("<first layer>.weight") is one
// of them, torchvision's when "classifier.0.weight" is, timm's when "pre_logits.fc1.weight" or
// "head.fc.weight" is; else io_error prefixed by `where` listing the file's first names.
DERMTL_DECL weight_names detect(const std::vector<std::string>& tensor_names, const std::string& dermtl_probe,
                                const std::string& where);

// Checks the file's tensors (names and shapes) against `wanted`: every wanted tensor present with
// one of its shapes, and (unless allow_extra) every file tensor wanted. Throws as the header says.
DERMTL_DECL void check_tensors(const std::vector<wanted_tensor>& wanted,
                               const std::vector<std::pair<std::string, std::vector<std::size_t>>>& found,
                               bool allow_extra, const std::string& where);

// numeric_error naming the tensor and the element when a value is NaN or Inf.
DERMTL_DECL void check_finite(const io::safetensors_tensor& t, const std::string& where);

// `where` for messages: "load_network_tensors: 'file'" or without the file.
DERMTL_DECL std::string where_of(std::string_view op, const std::string& file);

// A host tensor of dims `d` holding `values` (the same count).
DERMTL_DECL host_tensor host_of(const dims4& d, const std::vector<float>& values);

// Whether layer L holds a convolution or dense weight and bias (the kinds the maps know).
template <class L>
inline constexpr bool is_conv = L::kind == std::string_view("conv2d");
template <class L>
inline constexpr bool is_dense = L::kind == std::string_view("dense");

// What wanted_of needs of one layer of a net, read from the net's type at compile time: its kind
// (a layer without parameters is `none`), output channels, input shape and kernel side.
enum class param_layer { none, conv, dense };
struct layer_geometry {
    param_layer kind = param_layer::none;
    std::size_t out_channels = 0, in_channels = 0, in_height = 0, in_width = 0, kernel = 0;
};

template <class Net>
constexpr std::array<layer_geometry, Net::depth> geometry_of() {
    std::array<layer_geometry, Net::depth> g{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                using In = typename Net::template input_of<I>;
                using Out = typename Net::template shape_at<I>;
                if constexpr (is_conv<L>) {
                    g[I] = {param_layer::conv, Out::channels, In::channels, In::height, In::width, L::kernel};
                } else if constexpr (is_dense<L>) {
                    g[I] = {param_layer::dense, Out::channels, In::channels, In::height, In::width, 0};
                } else {
                    static_assert(L::template param_count<In> == 0,
                                  "models::weight_maps: a layer with parameters that is neither conv2d nor dense; "
                                  "teach weight_maps_detail::geometry_of and wanted_from its tensors");
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});
    return g;
}

// The tensors a net of these layers (names: Net::names, label: Net::label) wants under `names`.
DERMTL_DECL std::vector<wanted_tensor> wanted_from(std::span<const layer_geometry> layers, const std::string_view* layer_names,
                                                   std::string (*label)(std::size_t), weight_names names,
                                                   const tensor_load_options& opt, const std::string& where);

// The tensors Net wants under `names`, two per layer with parameters (weight, bias), in layer order.
template <class Net>
std::vector<wanted_tensor> wanted_of(weight_names names, const tensor_load_options& opt, const std::string& where) {
    static constexpr std::array<layer_geometry, Net::depth> layers = geometry_of<Net>();
    return wanted_from(layers, Net::names.data(), &Net::label, names, opt, where);
}

}  // namespace weight_maps_detail

// The net's parameters as tensors with dermtl's names (see the top of this header), in layer order:
// what write_safetensors writes and load_network_tensors(..., weight_names::dermtl) reads back.
// Reads the parameters only (network::params is not const, hence the cast).
template <class Net, class Backend>
std::vector<io::safetensors_tensor> network_tensors(const nn::network<Net, Backend>& net) {
    using ops = backend::ops<Backend>;
    auto& n = const_cast<nn::network<Net, Backend>&>(net);
    const auto wanted = weight_maps_detail::wanted_of<Net>(weight_names::dermtl, {}, "network_tensors");
    std::vector<io::safetensors_tensor> out;
    std::size_t k = 0;
    for (std::size_t i = 0; i < Net::depth; ++i) {
        for (auto& p : n.params(i)) {
            const host_tensor h = ops::to_host(p.value);
            const auto& w = wanted.at(k++);
            out.push_back({w.tensor, w.shape, std::vector<float>(h.begin(), h.end())});
        }
    }
    return out;
}

// Loads `f`'s tensors, named as `names` says, into `net` (layers in opt.keep left as they are).
// Everything is checked before any parameter changes (see the top of this header); `file` names
// the file in messages.
template <class Net, class Backend>
void load_network_tensors(nn::network<Net, Backend>& net, const io::safetensors_file& f, weight_names names,
                          const tensor_load_options& opt = {}, const std::string& file = {}) {
    using ops = backend::ops<Backend>;
    const std::string where = weight_maps_detail::where_of("load_network_tensors", file);
    const auto wanted = weight_maps_detail::wanted_of<Net>(names, opt, where);
    std::vector<std::pair<std::string, std::vector<std::size_t>>> found;
    found.reserve(f.tensors.size());
    for (const auto& t : f.tensors) found.emplace_back(t.name, t.shape);
    weight_maps_detail::check_tensors(wanted, found, opt.allow_extra_tensors, where);
    for (const auto& w : wanted)
        if (!w.kept) weight_maps_detail::check_finite(*f.find(w.tensor), where);

    // wanted holds each layer with parameters' weight and bias, in layer order.
    std::size_t k = 0;
    for (std::size_t i = 0; i < Net::depth; ++i)
        for (auto& p : net.params(i)) {
            const auto& w = wanted.at(k++);
            if (!w.kept) p.value = ops::from_host(weight_maps_detail::host_of(ops::dims(p.value), f.find(w.tensor)->values));
        }
}

// Which names `f` carries for a net of type Net (see weight_maps_detail::detect).
template <class Net>
weight_names detect_weight_names(const std::vector<std::string>& tensor_names, const std::string& file = {}) {
    const auto own = weight_maps_detail::wanted_of<Net>(weight_names::dermtl, {}, "detect_weight_names");
    return weight_maps_detail::detect(tensor_names, own.empty() ? std::string() : own.front().tensor,
                                      weight_maps_detail::where_of("detect_weight_names", file));
}

// Reads the safetensors `file` into `net`: its header is checked against the net (names, shapes)
// before any value is read; `names` detected from the tensor names when not given. Returns the names
// the file carries.
template <class Net, class Backend>
weight_names load_network_safetensors(const std::filesystem::path& file, nn::network<Net, Backend>& net,
                                      std::optional<weight_names> names = {}, const tensor_load_options& opt = {}) {
    const std::string where = weight_maps_detail::where_of("load_network_safetensors", file.string());
    const io::safetensors_index index = io::read_safetensors_index(file);
    std::vector<std::string> tensor_names;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> found;
    for (const auto& e : index.entries) {
        tensor_names.push_back(e.name);
        found.emplace_back(e.name, e.shape);
    }
    const weight_names n = names ? *names : detect_weight_names<Net>(tensor_names, file.string());
    weight_maps_detail::check_tensors(weight_maps_detail::wanted_of<Net>(n, opt, where), found, opt.allow_extra_tensors,
                                      where);
    load_network_tensors(net, io::read_safetensors(file), n, opt, file.string());
    return n;
}

// Makes `net`, loaded from a source whose preset divides (torchvision, timm), compute on dermtl's
// input -- pixels (0-255) minus p.mean_255() -- what the source computes on (pixel / scale - mean) / std:
// the first layer's weights for input channel c are divided by scale * std_dev[c]. Exact up to float
// rounding: the first layer is a convolution (or dense layer), linear in its input, and its zero
// padding is zero in both conventions. Requires a first layer with parameters of 3 input channels
// (else shape_error). A preset that does not divide leaves the net as it is.
template <class Net, class Backend>
void fold_preset_into_first_conv(nn::network<Net, Backend>& net, const preprocessing_preset& p) {
    using ops = backend::ops<Backend>;
    if (!p.divides()) return;
    for (std::size_t i = 0; i < Net::depth; ++i) {
        auto params = net.params(i);
        if (params.empty()) continue;
        host_tensor w = ops::to_host(params[0].value);
        const dims4 d = dims_of(w);
        // conv weight [out, 3, kh, kw]; dense weight [out, 3*H*W, 1, 1] with the input channel outermost.
        const bool conv = d[1] == 3;
        const std::size_t per_channel = conv ? d[2] * d[3] : d[1] / 3;
        if (!conv && (d[1] % 3 != 0 || Net::input_shape::channels != 3))
            throw shape_error("fold_preset_into_first_conv: expected a first layer of 3 input channels, found " +
                              Net::label(i) + " with weight " + describe(d));
        for (std::size_t o = 0; o < d[0]; ++o)
            for (std::size_t c = 0; c < 3; ++c) {
                const float factor = float(1.0 / (p.scale * p.std_dev[c]));
                float* row = w.data() + (o * d[1] * d[2] * d[3]) + c * per_channel;
                for (std::size_t j = 0; j < per_channel; ++j) row[j] *= factor;
            }
        params[0].value = ops::from_host(w);
        return;
    }
}

}  // namespace dermtl::models

#if DERMTL_HEADER_ONLY
#include "dermtl/models/impl/weight_maps.ipp"
#endif
