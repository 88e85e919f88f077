#pragma once
// A cell's final model: the cell's protocol run as one fold whose training set is all of the target
// data and whose test set is empty (`dermtl train-final`). The network is fine-tuned as in every
// fold of the study (its 10% validation split picks the epoch; the checkpoint resumes an interrupted
// run), the fc7 features (ReLU, L2) of every image train the classifier with C chosen as in the
// study, and Platt's sigmoid maps each decision function to a probability. What is written to disk
// (io/model_folder.hpp) is the caller's; this is the compiled part every cell shares (runner.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/protocol/runner.hpp"
#include "dermtl/svm/platt_scaling.hpp"
#include "dermtl/svm/svm_classifier.hpp"

namespace dermtl::protocol {

// The name of the one fold of a final model.
inline constexpr const char* final_fold_name = "final";

struct final_fit {
    std::string cell;                        // the cell's id with the run's numerics (/precision=bf16, ...)
    std::string fingerprint;                 // hex: everything that made it (the cell's, fold "final")
    std::size_t samples = 0;                 // images it trained on (the design's, of the target)
    std::size_t best_epoch = 0;              // 0 when the cell trains no network
    std::vector<std::string> class_names;    // label order
    svm::svm_classifier classifier;          // C chosen as in the study, refit on every image
    std::vector<svm::platt_scaling> platt;   // one per decision function (two classes: one)
    // Held-out decision values (C selection's validation split, models fitted on the rest with the
    // chosen C) and their labels: where Platt's sigmoids were fitted and where referral thresholds
    // are chosen. Two classes: one value per case; more: one row of K per case.
    std::vector<std::vector<double>> validation_decision;
    std::vector<int> validation_labels;
    io::mean_image mean;                      // what is subtracted from each image
    std::vector<io::safetensors_tensor> tensors;  // the network's (models/weight_maps.hpp, dermtl's names)
};

// The classifier a final model keeps: a linear SVM (the paper's). Cells of another classifier
// refuse (experiment<...>::train_final).
using final_fit_fn = svm::svm_classifier (*)(const svm::feature_matrix& x, const std::vector<int>& y, int classes,
                                             std::uint64_t seed);

// One fold holding every sample of `d` for training, none for testing.
DERMTL_DECL data::fold_set everything_fold(const data::dataset& d);

// Runs the final fold (see the top of the file). `task` is the design's relabelling of in.target
// with everything_fold's one fold. Throws as run_cell does, with the cell named.
DERMTL_DECL final_fit train_final_cell(const cell_traits& traits, const experiment_inputs& in, const labelled_task& task,
                                       cell_network& network, final_fit_fn fit, describe_transfer_fn describe);

// The probability of each class from the decision values of one image: two classes: {1 - p, p}
// with p Platt's of the one decision function; more: each class's one-vs-rest Platt probability,
// divided by their sum (scikit-learn's CalibratedClassifierCV does the same).
DERMTL_DECL std::vector<double> class_probabilities(const std::vector<double>& decision,
                                                    const std::vector<svm::platt_scaling>& platt);

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/final_fit.ipp"
#endif
