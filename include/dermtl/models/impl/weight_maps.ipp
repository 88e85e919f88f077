// Definitions of models/weight_maps.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_nn with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/models/weight_maps.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace dermtl::models {

DERMTL_DECL std::string_view weight_names_text(weight_names names) {
    switch (names) {
    case weight_names::dermtl: return "dermtl";
    case weight_names::torchvision: return "torchvision";
    case weight_names::timm: return "timm";
    }
    return "?";
}

DERMTL_DECL preprocessing_preset preset_of(weight_names names) {
    if (names == weight_names::dermtl)
        throw io_error("preset_of: tensors with dermtl's names bring no preprocessing preset of their own; take it "
                       "from the model's metadata");
    // torchvision's VGG-16 (IMAGENET1K_V1) and timm's vgg16.tv_in1k (the same weights): ImageNet's
    // mean and standard deviation at 0-1 (torchvision.transforms.Normalize; timm's IMAGENET_DEFAULT_*).
    preprocessing_preset p;
    p.name = std::string(weight_names_text(names));
    p.scale = 255;
    p.mean = {0.485, 0.456, 0.406};
    p.std_dev = {0.229, 0.224, 0.225};
    return p;
}

DERMTL_DECL preprocessing_preset matconvnet_preset(float r, float g, float b) {
    preprocessing_preset p;
    p.name = "matconvnet";
    p.scale = 1;
    p.mean = {r, g, b};
    return p;
}

DERMTL_DECL std::string preset_json(const preprocessing_preset& p) {
    auto number = [](double v) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.9g", v);
        return std::string(buf);
    };
    // Appended piece by piece: `"[" + std::string` trips GCC 12's bogus -Wrestrict.
    auto triple = [&](const std::array<double, 3>& a) {
        std::string s = "[";
        s.append(number(a[0])).append(",").append(number(a[1])).append(",").append(number(a[2])).append("]");
        return s;
    };
    // Preset names are fixed identifiers (no characters JSON would escape).
    std::string s = "{\"preset\":\"";
    s.append(p.name).append("\",\"scale\":").append(number(p.scale)).append(",\"mean\":").append(triple(p.mean));
    s.append(",\"std\":").append(triple(p.std_dev)).append("}");
    return s;
}

namespace weight_maps_detail {

DERMTL_DECL std::string prefix_for(weight_names names, std::string_view layer, std::size_t index) {
    if (names == weight_names::dermtl) return layer.empty() ? "layer" + std::to_string(index) : std::string(layer);
    // VGG-16's `features`: conv, ReLU (and a max pool after each block) are one module each, so
    // the convolutions sit at these indices in both torchvision and timm.
    static const std::map<std::string_view, std::string_view> features{
        {"conv1_1", "features.0"},  {"conv1_2", "features.2"},  {"conv2_1", "features.5"},  {"conv2_2", "features.7"},
        {"conv3_1", "features.10"}, {"conv3_2", "features.12"}, {"conv3_3", "features.14"}, {"conv4_1", "features.17"},
        {"conv4_2", "features.19"}, {"conv4_3", "features.21"}, {"conv5_1", "features.24"}, {"conv5_2", "features.26"},
        {"conv5_3", "features.28"}};
    if (auto it = features.find(layer); it != features.end()) return std::string(it->second);
    const bool tv = names == weight_names::torchvision;
    if (layer == "fc6") return tv ? "classifier.0" : "pre_logits.fc1";
    if (layer == "fc7") return tv ? "classifier.3" : "pre_logits.fc2";
    if (layer == "fc8") return tv ? "classifier.6" : "head.fc";
    return {};
}

DERMTL_DECL weight_names detect(const std::vector<std::string>& tensor_names, const std::string& dermtl_probe,
                                const std::string& where) {
    auto has = [&](std::string_view n) { return std::find(tensor_names.begin(), tensor_names.end(), n) != tensor_names.end(); };
    if (!dermtl_probe.empty() && has(dermtl_probe)) return weight_names::dermtl;
    if (has("classifier.0.weight")) return weight_names::torchvision;
    if (has("pre_logits.fc1.weight") || has("head.fc.weight")) return weight_names::timm;
    std::string listed;
    for (std::size_t i = 0; i < tensor_names.size() && i < 8; ++i) listed += (i ? ", " : "") + tensor_names[i];
    if (tensor_names.size() > 8) listed += ", ... (" + std::to_string(tensor_names.size()) + " tensors)";
    throw io_error(where + ": cannot tell whose names the tensors carry: expected dermtl's ('" + dermtl_probe +
                   "'), torchvision's VGG-16 ('classifier.0.weight') or timm's ('pre_logits.fc1.weight'), found [" +
                   listed + "]");
}

DERMTL_DECL std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

DERMTL_DECL void check_tensors(const std::vector<wanted_tensor>& wanted,
                               const std::vector<std::pair<std::string, std::vector<std::size_t>>>& found,
                               bool allow_extra, const std::string& where) {
    for (const auto& w : wanted) {
        if (w.kept) continue;
        const auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) { return f.first == w.tensor; });
        if (it == found.end())
            throw io_error(where + ": tensor '" + w.tensor + "' (for " + w.layer + ") is missing from the file");
        if (it->second != w.shape && (w.alternative.empty() || it->second != w.alternative))
            throw shape_error(where + ": tensor '" + w.tensor + "' (for " + w.layer + "): expected shape " +
                              shape_text(w.shape) + (w.alternative.empty() ? "" : " or " + shape_text(w.alternative)) +
                              ", found " + shape_text(it->second));
    }
    if (allow_extra) return;
    for (const auto& f : found)
        if (std::none_of(wanted.begin(), wanted.end(), [&](const wanted_tensor& w) { return w.tensor == f.first; }))
            throw io_error(where + ": tensor '" + shortened(f.first) + "' " + shape_text(f.second) +
                           " has no place in the network (a different network, or one to load with extra tensors allowed)");
}

DERMTL_DECL void check_finite(const io::safetensors_tensor& t, const std::string& where) {
    for (std::size_t i = 0; i < t.values.size(); ++i)
        if (!std::isfinite(t.values[i]))
            throw numeric_error(where + ": tensor '" + t.name + "' holds " + (std::isnan(t.values[i]) ? "NaN" : "Inf") +
                                " at element " + std::to_string(i) + " (of " + std::to_string(t.values.size()) + ")");
}

DERMTL_DECL std::string where_of(std::string_view op, const std::string& file) {
    return file.empty() ? std::string(op) : std::string(op) + ": '" + file + "'";
}

DERMTL_DECL host_tensor host_of(const dims4& d, const std::vector<float>& values) {
    host_tensor h(d);
    if (h.size() != values.size())
        throw shape_error("load_network_tensors: expected " + std::to_string(h.size()) + " values for " + describe(d) +
                          ", found " + std::to_string(values.size()));
    std::copy(values.begin(), values.end(), h.begin());
    return h;
}

DERMTL_DECL std::vector<wanted_tensor> wanted_from(std::span<const layer_geometry> layers, const std::string_view* layer_names,
                                                   std::string (*label)(std::size_t), weight_names names,
                                                   const tensor_load_options& opt, const std::string& where) {
    std::vector<wanted_tensor> out;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const layer_geometry& g = layers[i];
        if (g.kind == param_layer::none) continue;
        const std::string_view layer = layer_names[i];
        bool kept = false;
        for (const auto& k : opt.keep) kept = kept || (!layer.empty() && k == layer);
        const std::string prefix = prefix_for(names, layer, i + 1);
        if (prefix.empty() && !kept)
            throw io_error(where + ": the " + std::string(weight_names_text(names)) + " name map has no tensor for " +
                           label(i) + " (it covers VGG-16's conv1_1 ... fc8 only)");
        wanted_tensor w{prefix + ".weight", label(i), {}, {}, kept};
        if (g.kind == param_layer::conv) {
            w.shape = {g.out_channels, g.in_channels, g.kernel, g.kernel};
        } else {
            w.shape = {g.out_channels, g.in_channels * g.in_height * g.in_width};
            w.alternative = {g.out_channels, g.in_channels, g.in_height, g.in_width};
        }
        out.push_back(w);
        out.push_back(wanted_tensor{prefix + ".bias", label(i), {g.out_channels}, {}, kept});
    }
    return out;
}

}  // namespace weight_maps_detail

}  // namespace dermtl::models
