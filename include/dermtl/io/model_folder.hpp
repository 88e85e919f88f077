#pragma once
// A final model on disk: what `dermtl train-final` writes and `dermtl predict` / `dermtl export-onnx`
// read. One folder, two files:
//
//   MODEL/network.safetensors  the network's tensors (dermtl's names, float32, PyTorch layouts:
//                              models/weight_maps.hpp) plus the preprocessing mean as the tensor
//                              "preprocessing.mean" ([3, 1, 1] per channel or [3, H, W] per pixel,
//                              RGB at 0-255, to subtract from the resized image; it broadcasts over a
//                              [N, 3, H, W] batch). Its __metadata__ holds dermtl.format, .cell,
//                              .fingerprint, .version, .network, .input_size, .classes (a JSON array)
//                              and .preprocessing (JSON: preset, mean, scale, std).
//   MODEL/model.json           the decision layer on the network's fc7 features (after ReLU,
//                              L2-normalized): the linear SVM, Platt's sigmoid per decision function,
//                              the referral thresholds, and the network file's content hash.
//
// A model reads back only when model.json parses, network.safetensors exists and its hash is the one
// recorded (so a file altered or swapped after training is refused, naming it), and the metadata in
// the safetensors header agrees with model.json. write_model_folder writes a sibling temporary folder
// and renames it over `dir`, so a reader sees the previous model or the new one, never a mix.
//
//   io::final_model m = io::read_model_folder("MODEL");   // io_error naming the file
//   m.svm.weights[0]  (fc7's width entries), m.platt[0].a, m.referral->high
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/io/safetensors.hpp"

namespace dermtl::io {

inline constexpr const char* model_format = "dermtl-model/1";
inline constexpr const char* model_network_file = "network.safetensors";
inline constexpr const char* model_json_file = "model.json";
inline constexpr const char* model_mean_tensor = "preprocessing.mean";

// How an image becomes the network's input, after dermtl's frame crop and area resize to
// input_size x input_size (io/image_cache.hpp): x = (rgb * scale - mean) / std, channel by channel,
// the mean being the "preprocessing.mean" tensor (per channel or per pixel).
struct model_preprocessing {
    std::string preset = "dermtl";        // where the mean came from: "dermtl" (the training set's) or a
                                          // weights preset (models/weight_maps.hpp)
    bool per_pixel = false;               // the mean tensor is [3, H, W] (else [3, 1, 1])
    std::vector<float> mean_per_channel;  // 3 values: the mean tensor's average per channel (RGB, 0-255)
    double scale = 1.0;                   // pixel values are 0-255 times this
    std::vector<float> std;               // none, or 3 values to divide by after subtracting the mean
};

// The linear SVM on the features: one decision function per row (two classes: one row, positive for
// class 1; more: one per class, one-vs-rest), f = w . x + b.
struct model_svm {
    double c = 0;                              // the C chosen on the validation split, as in the study
    std::vector<std::vector<double>> weights;  // rows of the feature width
    std::vector<double> bias;                  // one per row
};

// Platt's sigmoid of one decision function: P = 1 / (1 + exp(a f + b)) (svm/platt_scaling.hpp).
struct model_platt {
    double a = 0;
    double b = 0;
};

// The referral bands on the probability of class `positive` (binary: class 1): below `low` a case is
// a confident negative, above `high` a confident positive, in between it is referred (unsure).
struct model_referral {
    double low = 0;
    double high = 1;
    std::size_t positive = 1;
    std::string rule;  // how they were chosen, e.g. "sensitivity 0.95 / specificity 0.95 on the validation split"
};

struct final_model {
    std::string format = model_format;
    std::string cell;          // the cell id (protocol/cell_id.hpp's str())
    std::string fingerprint;   // the hex fingerprint of everything that made it
    std::string version;       // dermtl's version that wrote it
    std::string network;       // the model family as in cell ids ("vgg_m", "vgg_m_64_8")
    std::vector<std::string> classes;  // label order
    int input_size = 224;
    model_preprocessing preprocessing;
    std::string network_file = model_network_file;
    std::string network_hash;  // core/hash.hpp's FNV-1a of the network file's bytes, 16 hex digits
    std::string feature = "fc7";
    bool l2_normalize = true;
    model_svm svm;
    std::vector<model_platt> platt;  // one per decision function (binary: 1)
    std::optional<model_referral> referral;
};

// The FNV-1a hash (core/hash.hpp) of a file's bytes as 16 hex digits. Throws io_error naming the file.
DERMTL_DECL std::string file_content_hash(const std::filesystem::path& file);

// The safetensors metadata final_model puts in the network file's header.
DERMTL_DECL std::map<std::string, std::string> model_metadata(const final_model& m);

// Writes dir/network.safetensors (`tensors`, which include the "preprocessing.mean" tensor, with
// model_metadata(m)) and dir/model.json, recording the network file's hash (m.network_hash is
// ignored); the folder appears whole (see the top of the file). An existing `dir` is replaced only
// when it is empty or a model folder (holds model.json); anything else is refused (config_error)
// rather than deleted.
// Requires: m's svm rows of one width, as many biases and Platt pairs; classes >= 2; a mean tensor
// of shape [3, 1, 1] or [3, input_size, input_size]. Throws config_error / io_error naming what.
DERMTL_DECL void write_model_folder(const std::filesystem::path& dir, const final_model& m,
                                    const std::vector<safetensors_tensor>& tensors);

// Reads and checks a model folder (see the top of the file). Throws io_error naming the missing,
// malformed or altered file and the field.
DERMTL_DECL final_model read_model_folder(const std::filesystem::path& dir);

// The network file's tensors without the preprocessing mean (what a network loads), and the mean.
// Requires: a model read by read_model_folder from `dir`. Throws io_error naming the file.
struct model_tensors {
    safetensors_file network;            // the network's tensors and the metadata
    std::vector<std::size_t> mean_shape; // [3, 1, 1] or [3, H, W]
    std::vector<float> mean;             // channel-major
};
DERMTL_DECL model_tensors read_model_tensors(const std::filesystem::path& dir, const final_model& m);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/model_folder.ipp"
#endif
