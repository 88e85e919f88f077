// `dermtl export-onnx` (programs/onnx_export.hpp): the model's description and its checks. The
// graph, written with ONNX's generated protobuf classes where the build found ONNX, is
// onnx_graph.cpp.
#include "programs/onnx_export.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/models/vgg.hpp"

namespace dermtl::programs::onnx_export {

namespace {
// The families the tool's cells use (apps/cells.list), by their cell-id names.
template <class... F>
struct family_list {};
using known_families =
    family_list<models::vgg_m_family<>, models::vgg_m_family<64, 8>, models::vgg_16_family<>, models::vgg_16_family<32, 8>,
                models::vgg_m_family<224, 1, models::vgg_m_pool2::reference>,
                models::vgg_m_family<64, 8, models::vgg_m_pool2::reference>>;

template <class... F>
bool find_family(family_list<F...>, std::string_view network, network_description& out, std::string& known) {
    bool found = false;
    (
        [&] {
            const std::string name = F::name();
            known += (known.empty() ? "" : ", ") + name;
            if (!found && name == network) {
                out = describe_network<typename F::template net<2>>(name);
                found = true;
            }
        }(),
        ...);
    return found;
}

std::string shape_text(const std::vector<std::size_t>& s) {
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

// ONNX's pooling output size (Pool operators, opset 13): floor or ceil of (in + pads - k) / s, plus 1.
std::size_t onnx_pool_size(std::size_t in, std::size_t k, std::size_t s, std::size_t lo, std::size_t hi, bool ceil_mode) {
    const std::size_t span = in + lo + hi - k;
    return (ceil_mode ? (span + s - 1) / s : span / s) + 1;
}
}  // namespace

const io::safetensors_tensor& tensor_of(const model_description& m, const std::string& name,
                                        const std::vector<std::size_t>& shape) {
    const auto it = std::find_if(m.tensors.begin(), m.tensors.end(), [&](const auto& t) { return t.name == name; });
    if (it == m.tensors.end())
        throw config_error("export-onnx: the network has no tensor '" + name + "' (expected " + shape_text(shape) +
                           " for the " + m.network.family + " network)");
    if (it->shape != shape)
        throw config_error("export-onnx: tensor '" + name + "' has shape " + shape_text(it->shape) + ", expected " +
                           shape_text(shape) + " for the " + m.network.family + " network");
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    if (it->values.size() != n)
        throw config_error("export-onnx: tensor '" + name + "' holds " + std::to_string(it->values.size()) +
                           " values, its shape " + shape_text(shape) + " needs " + std::to_string(n));
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(it->values[i]))
            throw config_error("export-onnx: tensor '" + name + "' holds a non-finite value at index " + std::to_string(i));
    return *it;
}

network_description describe_family(std::string_view network) {
    network_description d;
    std::string known;
    if (!find_family(known_families{}, network, d, known))
        throw config_error("export-onnx: the model's network '" + std::string(network) +
                           "' is not a family the export knows; expected one of " + known);
    return d;
}

model_description describe_model(const io::final_model& m, io::model_tensors t) {
    model_description d;
    d.network = describe_family(m.network);
    if (m.input_size != int(d.network.height))
        throw config_error("export-onnx: the model's input_size is " + std::to_string(m.input_size) + " but its network " +
                           m.network + " takes " + std::to_string(d.network.height) + " x " +
                           std::to_string(d.network.width));
    if (m.feature != "fc7")
        throw config_error("export-onnx: the model's SVM reads the feature '" + m.feature + "', the export knows fc7 only");
    if (!m.l2_normalize)
        throw config_error("export-onnx: the model's features are not L2-normalized; the export writes the paper's "
                           "pipeline (fc7, L2 normalization, SVM) only");
    d.classes = m.classes;
    d.tensors = std::move(t.network.tensors);
    d.mean_shape = std::move(t.mean_shape);
    d.mean = std::move(t.mean);
    d.scale = m.preprocessing.scale;
    d.std = m.preprocessing.std;
    d.svm_weights = m.svm.weights;
    d.svm_bias = m.svm.bias;
    for (const auto& p : m.platt) d.calibration.push_back({p.a, p.b});
    d.metadata = {{"dermtl.format", m.format},       {"dermtl.cell", m.cell},
                  {"dermtl.fingerprint", m.fingerprint}, {"dermtl.version", m.version},
                  {"dermtl.network", m.network},      {"dermtl.input_size", std::to_string(m.input_size)},
                  {"dermtl.preprocessing.preset", m.preprocessing.preset}};
    d.metadata.emplace_back("dermtl.classes", nlohmann::json(m.classes).dump());
    return d;
}

void check_model(const model_description& m) {
    const auto& net = m.network;
    if (m.classes.size() < 2)
        throw config_error("export-onnx: expected two or more classes, found " + std::to_string(m.classes.size()));
    for (const auto& l : net.layers) {
        if (const auto* c = std::get_if<conv_layer>(&l)) {
            tensor_of(m, c->name + ".weight", {c->out_channels, c->in_channels, c->kernel, c->kernel});
            tensor_of(m, c->name + ".bias", {c->out_channels});
        } else if (const auto* f = std::get_if<dense_layer>(&l)) {
            tensor_of(m, f->name + ".weight", {f->out, f->in});
            tensor_of(m, f->name + ".bias", {f->out});
        } else if (const auto* p = std::get_if<max_pool_layer>(&l)) {
            const bool ok = onnx_pool_size(p->in_height, p->kernel, p->stride, p->pad.top, p->pad.bottom, true) ==
                                p->out_height &&
                            onnx_pool_size(p->in_width, p->kernel, p->stride, p->pad.left, p->pad.right, true) ==
                                p->out_width;
            if (!ok)
                throw config_error("export-onnx: a " + std::to_string(p->kernel) + "x" + std::to_string(p->kernel) +
                                   " max pool on " + std::to_string(p->in_height) + " x " + std::to_string(p->in_width) +
                                   " gives " + std::to_string(p->out_height) + " x " + std::to_string(p->out_width) +
                                   " in dermtl, which ONNX's MaxPool (ceil_mode = 1) does not reproduce");
        }
    }
    const std::size_t channels = net.channels;
    const bool per_channel = m.mean_shape == std::vector<std::size_t>{channels, 1, 1};
    const bool per_pixel = m.mean_shape == std::vector<std::size_t>{channels, net.height, net.width};
    if (!per_channel && !per_pixel)
        throw config_error("export-onnx: the preprocessing mean has shape " + shape_text(m.mean_shape) + ", expected [" +
                           std::to_string(channels) + ", 1, 1] or [" + std::to_string(channels) + ", " +
                           std::to_string(net.height) + ", " + std::to_string(net.width) + "]");
    if (m.mean.size() != (per_channel ? channels : channels * net.height * net.width))
        throw config_error("export-onnx: the preprocessing mean holds " + std::to_string(m.mean.size()) +
                           " values for its shape " + shape_text(m.mean_shape));
    if (!m.std.empty() && m.std.size() != channels)
        throw config_error("export-onnx: the preprocessing std holds " + std::to_string(m.std.size()) +
                           " values, expected none or " + std::to_string(channels));
    for (float s : m.std)
        if (!(s > 0) || !std::isfinite(s))
            throw config_error("export-onnx: the preprocessing std must be positive, found " + std::to_string(s));
    if (!(m.scale > 0) || !std::isfinite(m.scale))
        throw config_error("export-onnx: the preprocessing scale must be positive, found " + std::to_string(m.scale));
    const std::size_t rows = m.classes.size() == 2 ? 1 : m.classes.size();
    if (m.svm_weights.size() != rows)
        throw config_error("export-onnx: the SVM has " + std::to_string(m.svm_weights.size()) +
                           " decision functions, expected " + std::to_string(rows) + " for " +
                           std::to_string(m.classes.size()) + " classes");
    for (std::size_t r = 0; r < rows; ++r) {
        if (m.svm_weights[r].size() != net.features)
            throw config_error("export-onnx: the SVM's row " + std::to_string(r) + " has " +
                               std::to_string(m.svm_weights[r].size()) + " weights, expected " +
                               std::to_string(net.features) + " (the width of fc7 of " + net.family + ")");
        for (double w : m.svm_weights[r])
            if (!std::isfinite(w))
                throw config_error("export-onnx: the SVM's row " + std::to_string(r) + " holds a non-finite weight");
    }
    if (m.svm_bias.size() != rows)
        throw config_error("export-onnx: the SVM has " + std::to_string(m.svm_bias.size()) + " biases, expected " +
                           std::to_string(rows));
    if (m.calibration.size() != rows)
        throw config_error("export-onnx: the model has " + std::to_string(m.calibration.size()) +
                           " Platt sigmoids, expected one per decision function (" + std::to_string(rows) + ")");
    for (const auto& p : m.calibration)
        if (!std::isfinite(p.a) || !std::isfinite(p.b))
            throw config_error("export-onnx: a Platt sigmoid has a non-finite parameter");
}

}  // namespace dermtl::programs::onnx_export
