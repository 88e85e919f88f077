#pragma once
// Forward declarations of dermtl's value types (as xtensor's xtensor_forward.hpp does): a header
// that only names these types -- in a signature, a pointer or a reference -- includes this instead
// of the header that defines them, and its includers do not pay for OpenCV, Eigen or nlohmann_json.
// The class templates with constrained parameters (nn::network, protocol::experiment) are not
// declared here: their constraints live with their definitions.
namespace dermtl {

namespace backend {
struct cpu;
struct onednn;
struct cuda;
}  // namespace backend

namespace data {
struct sample;
struct dataset;
struct fold;
}  // namespace data

namespace io {
class image_cache;
class mean_image;
struct preprocess_options;
struct checkpoint;
struct feature_set;
}  // namespace io

namespace metrics {
struct fold_predictions;
struct fold_summary;
}  // namespace metrics

namespace svm {
struct svm_classifier;
struct libsvm_classifier;
}  // namespace svm

namespace train {
struct trainer_options;
}  // namespace train

namespace protocol {
struct cell_id;
struct cell_facts;
struct cell_traits;
class cell_network;
struct experiment_inputs;
struct experiment_result;
struct fold_result;
struct labelled_task;
class fingerprint;
class content_hashes;
class results_store;
class registry;
}  // namespace protocol

}  // namespace dermtl
