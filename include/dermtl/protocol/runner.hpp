#pragma once
// The compiled runner under every experiment<...> (protocol/experiment.hpp): the fold loop, the
// fingerprints and stored results, the mean of each fold, the classifier's measures -- none of it a
// template, so it is compiled once (into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION; see
// core/config.hpp) however many cells a program instantiates.
//
// An experiment is an adapter: it describes its policy types as values (cell_traits), and hands the
// runner the two typed parts as small interfaces -- its network (cell_network, one implementation
// per network family, backend and transfer) and its classifier (classify_fn, one per classifier).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/protocol/training.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/svm/feature_matrix.hpp"
#include "dermtl/train/augmentation.hpp"

namespace dermtl::protocol {

// The target dataset relabelled for one design, and its folds with the dropped samples removed
// (indices renumbered into the relabelled dataset).
struct labelled_task {
    data::dataset dataset;
    data::fold_set folds;
};

// A cell's policy types, as the values the runner needs (experiment<...>::traits() fills it).
struct cell_traits {
    cell_id id;
    std::size_t classes = 2;                  // Labeling::classes
    std::optional<data::lesion_task> task;    // Labeling::task, where the design has one
    bool trains_network = false;              // FineTune::trains_network
    bool pretrained_mean = false;             // Transfer::pretrained_mean
    mean_lineage fixed_mean = mean_lineage::target_channel_mean;  // transfer_source<Transfer>::fixed_mean
    // The training protocol (protocol/training.hpp).
    std::string training_name = "paper";
    bool paper_training = true;               // training::paper: its name stays out of the fingerprint
    train::augmentation_options augmentation{};
    train::balance_options balance{};
    double validation_fraction = 0.1;
    mean_source means = mean_source::training_fold;
    bool accuracy_from_decision = false;
    bool one_vs_rest_auc = false;
    std::string classifier_name = "svm";      // Classifier::name
};

// The network half of one cell's run. One object serves every fold of a run: it computes the
// transferred starting point once (begin_fold's first call), and holds the fold's network between
// the calls of one fold.
class cell_network {
public:
    virtual ~cell_network() = default;
    // Makes the fold's network (the paper's initialization from in.seed), copies the transferred
    // starting point into it, and returns the pretrained average image (empty when the transfer has
    // none).
    virtual const io::mean_image& begin_fold(const experiment_inputs& in) = 0;
    // Fine-tunes the fold's network on `fold.train` (its validation split picks the epoch); returns
    // the best epoch.
    virtual std::size_t fine_tune(const data::dataset& d, const data::fold& fold, const io::mean_image& mean,
                                  const experiment_inputs& in, const train::trainer_options& options,
                                  const cell_traits& traits) = 0;
    // fc7 (after its ReLU, L2-normalized) of d[indices[i]], one row each, minus `mean`.
    virtual svm::feature_matrix features(const data::dataset& d, const std::vector<std::size_t>& indices,
                                         const io::mean_image& mean, const experiment_inputs& in) = 0;
    // The fold network's tensors under dermtl's names (models/weight_maps.hpp): a final model's network.
    virtual std::vector<io::safetensors_tensor> tensors() const = 0;
    // Makes the fold's network from such tensors (a final model's, instead of begin_fold), for
    // features(). Throws io_error / shape_error naming `file` and the tensor missing or of another shape.
    virtual void load(const io::safetensors_file& tensors, const std::string& file) = 0;
};

// What a classifier gives the runner for one fold (protocol/classifier.hpp's uniform interface).
struct classified {
    double chosen_c = 0;
    metrics::score_matrix scores;              // what the AUC is computed on
    std::vector<double> confidences;           // two classes only: Platt-mapped, in [0, 1]
    std::vector<int> decisions;                // when asked for: the classifier's decision
};
using classify_fn = classified (*)(const svm::feature_matrix& x_train, const std::vector<int>& y_train,
                                   const svm::feature_matrix& x_test, int classes, std::uint64_t seed,
                                   bool want_decisions);

// What a transfer adds to the fingerprint (transfer_source<T>::describe<Model, Backend>).
using describe_transfer_fn = void (*)(fingerprint&, const experiment_inputs&, content_hashes&);

// Runs one cell on `in`: for every fold this process owns, reuses its stored result when the same
// experiment made it, else runs it and stores it atomically (protocol/results.hpp).
DERMTL_DECL experiment_result run_cell(const cell_traits& traits, const experiment_inputs& in, const labelled_task& task,
                                       cell_network& network, classify_fn classify, describe_transfer_fn describe);

// Everything that determines a cell's results on `in`; each fold adds its own "fold" field.
DERMTL_DECL fingerprint cell_fingerprint(const cell_traits& traits, const experiment_inputs& in, const labelled_task& task,
                                         content_hashes& hashes, describe_transfer_fn describe);

// What produced a result, stored beside it.
DERMTL_DECL nlohmann::json cell_config(const cell_traits& traits, const experiment_inputs& in);

// Rethrows e as its own type with `context` in front, so callers can still catch io/config errors
// (and a stop request keeps its position, so the program still exits with the requeue code).
[[noreturn]] DERMTL_DECL void rethrow_with_context(const error& e, const std::string& context);

// The reference's fixed mean of one experiment, by the lineage of its transfer
// (transfer_source<T>::fixed_mean): ImageNet-based networks subtract VGG's channel mean,
// Retinopathy-based ones settings.py's retina_mean, the others the channel mean of the whole target
// dataset, as the reference's melanoma_mean is the whole Atlas's (test images included: its code
// does so).
DERMTL_DECL io::mean_image fixed_mean(mean_lineage lineage, const data::dataset& target, io::image_cache& cache,
                                      const reference_quirks& quirks);
// How the mean of one fixed-mean experiment is described in its fingerprint.
DERMTL_DECL std::string fixed_mean_description(mean_lineage lineage, const reference_quirks& quirks);

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/runner.ipp"
#endif
