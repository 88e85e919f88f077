#pragma once
// `dermtl export-onnx`: a final model (io/model_folder.hpp) as one ONNX graph that holds the whole
// decision pipeline of the paper:
//
//   image [N, 3, S, S]  RGB at 0-255, already frame-cropped and area-resized to S x S (dermtl's
//                       preprocessing, which no operator of ONNX 1.12's opsets reproduces)
//   -> (x * scale - mean) / std        the model's preprocessing (mean per channel or per pixel)
//   -> the network up to fc7 after its ReLU (conv, ReLU, LRN, max pooling, dense; no dropout)
//   -> L2 normalization of each row (an all-zero row stays zero, as svm::l2_normalize_rows)
//   -> decision_values [N, m]          the linear SVM, f = w . x + b (m = 1 for two classes)
//   -> probabilities [N, K]            Platt's sigmoid per decision function, 1 / (1 + exp(a f + b)),
//                                      as protocol::class_probabilities (what `dermtl predict` writes):
//                                      two classes: [1 - p, p] with p the class-1 probability; more:
//                                      each class's one-vs-rest sigmoid divided by their sum (1 / K
//                                      each when the sum is 0), as scikit-learn's CalibratedClassifierCV
//
// The graph is written with ONNX's generated protobuf classes at opset 13, the batch dimension
// dynamic ("N"). Conventions that differ between dermtl and ONNX, handled here:
//   - LRN: ONNX's alpha is divided by the window size (as Caffe's and PyTorch's), dermtl's
//     (MatConvNet's) is not: the graph's alpha is dermtl's times the size.
//   - MaxPool: dermtl keeps a last partial window (rounding::ceil, Caffe's rule): ceil_mode = 1,
//     after checking that ONNX's output size formula gives dermtl's size for every pool.
//   - Dense layers: Flatten (C x H x W order, as dermtl's dense) then Gemm with transB = 1 on the
//     [out, in] weight.
//
// ONNX and protobuf stay in onnx_export.cpp: this header is the typed description only. A build
// without them (ONNX not found at configure time) compiles the description but onnx_export_available()
// is false and write_onnx throws, saying so.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dermtl/core/shape.hpp"
#include "dermtl/io/model_folder.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"

namespace dermtl::programs::onnx_export {

// The layers of the exported part of a network, in dermtl's terms (the graph's nodes are derived
// from these). Names are the network's layer names: the graph's node names, and for conv and dense
// layers their tensors' "<name>.weight" / "<name>.bias". An unnamed layer gets "<kind><index>".
struct conv_layer {
    std::string name;
    std::size_t in_channels = 0, out_channels = 0, kernel = 0, stride = 1;
    padding pad{};
};
struct relu_layer {
    std::string name;
};
struct lrn_layer {
    std::string name;
    std::size_t size = 5;
    float kappa = 2, alpha = 1e-4f, beta = 0.75f;  // dermtl's convention: alpha NOT divided by the size
};
struct max_pool_layer {
    std::string name;
    std::size_t kernel = 0, stride = 1;
    padding pad{};
    std::size_t in_height = 0, in_width = 0, out_height = 0, out_width = 0;  // dermtl's shapes
};
struct dense_layer {
    std::string name;
    std::size_t in = 0, out = 0;  // `in` = C * H * W of the input, flattened in that order
};
using layer = std::variant<conv_layer, relu_layer, lrn_layer, max_pool_layer, dense_layer>;

// A network up to its feature tap, as the graph reproduces it.
struct network_description {
    std::string family;  // the cell id's network name ("vgg_m", "vgg_16", "vgg_m_64_8")
    std::size_t channels = 3, height = 0, width = 0;
    std::vector<layer> layers;
    std::size_t features = 0;  // the tap's width (fc7: 4096, or 4096 / Div)
};

// The description of Net's layers 0 .. tap_index<Tap> (dropout left out: it is the identity at
// inference). Works on any net of conv2d, relu, lrn, max_pool, dense and dropout layers.
template <nn::net_type Net, fixed_string Tap = "fc7">
network_description describe_network(std::string family) {
    network_description d;
    d.family = std::move(family);
    d.channels = Net::input_shape::channels;
    d.height = Net::input_shape::height;
    d.width = Net::input_shape::width;
    constexpr std::size_t last = Net::template tap_index<Tap>;
    d.features = Net::template shape_at<last>::size;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                using In = typename Net::template input_of<I>;
                using Out = typename Net::template shape_at<I>;
                constexpr std::string_view kind = L::kind;
                if constexpr (kind == "conv2d") {
                    d.layers.push_back(conv_layer{std::string(L::name), In::channels, L::out_channels, L::kernel,
                                                  L::stride, L::pad});
                } else if constexpr (kind == "relu") {
                    d.layers.push_back(relu_layer{std::string(L::name)});
                } else if constexpr (kind == "lrn") {
                    d.layers.push_back(lrn_layer{std::string(L::name), L::size, L::kappa, L::alpha, L::beta});
                } else if constexpr (kind == "max_pool") {
                    d.layers.push_back(max_pool_layer{std::string(L::name), L::kernel, L::stride, L::pad, In::height,
                                                      In::width, Out::height, Out::width});
                } else if constexpr (kind == "dense") {
                    d.layers.push_back(dense_layer{std::string(L::name), In::size, L::units});
                } else if constexpr (kind == "dropout") {
                    // the identity at inference
                } else {
                    static_assert(kind == "dropout", "onnx_export::describe_network: a layer kind the ONNX "
                                                     "export does not know (conv2d, relu, lrn, max_pool, dense, "
                                                     "dropout)");
                }
            }(),
            ...);
    }(std::make_index_sequence<last + 1>{});
    return d;
}

// The description of a model family by its cell-id name: the families of models/vgg.hpp that the
// tool's cells use (VGG-M, its 2x2-pool2 variant, VGG-16, and their scaled variants), up to fc7.
// Throws config_error naming the family and listing the known ones.
network_description describe_family(std::string_view network);

// Platt's sigmoid of one decision function, P = 1 / (1 + exp(a f + b)).
struct platt {
    double a = 0, b = 0;
};

// Everything the graph holds.
struct model_description {
    network_description network;
    std::vector<std::string> classes;                   // label order, two or more
    std::vector<io::safetensors_tensor> tensors;        // the network's, by dermtl name; others ignored
    std::vector<std::size_t> mean_shape;                // [3, 1, 1] or [3, H, W]
    std::vector<float> mean;                            // channel-major, RGB at 0-255 times scale
    double scale = 1.0;                                 // pixels are 0-255 times this
    std::vector<float> std;                             // none, or one divisor per channel
    std::vector<std::vector<double>> svm_weights;       // m rows of the feature width (m = 1 or classes)
    std::vector<double> svm_bias;                       // m
    std::vector<platt> calibration;                     // m
    std::vector<std::pair<std::string, std::string>> metadata;  // the model's metadata_props (cell, ...)
};

// The description of a model folder read by io::read_model_folder / io::read_model_tensors.
model_description describe_model(const io::final_model& m, io::model_tensors tensors);

// Requires: a description whose tensors, SVM and Platt sizes fit its network and classes.
// Throws config_error naming the tensor or field and what was expected vs found (checked before
// anything is written).
void check_model(const model_description& m);

// The model's tensor `name`, checked: present, of `shape`, as many values, all finite (config_error
// naming the tensor otherwise). check_model and the graph (onnx_graph.cpp) read tensors through it.
const io::safetensors_tensor& tensor_of(const model_description& m, const std::string& name,
                                        const std::vector<std::size_t>& shape);

// What was written.
struct export_summary {
    std::size_t nodes = 0, initializers = 0;
    std::size_t bytes = 0;
    int opset = 0;
};

// Whether this build can write ONNX (found libonnx-dev and libprotobuf-dev at configure time).
bool onnx_export_available();

// Writes the graph (see the top of the file) to `out` atomically. Checks `m` first (check_model).
// Throws config_error (description), io_error (the file), and, in a build without ONNX, config_error
// saying so.
export_summary write_onnx(const model_description& m, const std::filesystem::path& out);

}  // namespace dermtl::programs::onnx_export
