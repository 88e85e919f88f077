#pragma once
// `dermtl train-final`: one cell's final model -- its protocol run as one fold whose training set is
// all of the given data (protocol/final_fit.hpp) -- written as a model folder (io/model_folder.hpp):
// the network as safetensors, the SVM, Platt's sigmoid(s) and the referral thresholds as model.json.
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "dermtl/io/model_folder.hpp"
#include "dermtl/protocol/final_fit.hpp"
#include "dermtl/protocol/registry.hpp"
#include "programs/model_cells.hpp"
#include "programs/study.hpp"

namespace dermtl::programs {

// How the referral thresholds are chosen on the held-out values (C selection's validation split,
// Platt probabilities of the positive class; two classes only): `low` is the cut at which
// `refer_sensitivity` of the positives score above it (below or at it: confident negative), `high`
// the cut at which `confident_specificity` of the negatives score at or below it (above it:
// confident positive); high is raised to low when it falls below.
struct referral_targets {
    double refer_sensitivity = 0.95;
    double confident_specificity = 0.95;
};

// The referral thresholds from held-out probabilities of the positive class and their labels.
// Throws config_error when a class is missing (metrics/operating_points.hpp's checks).
io::model_referral referral_thresholds(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                       const referral_targets& targets);

// The model folder's description of a final fit: everything but the network file's hash.
io::final_model final_model_of(const protocol::final_fit& fit, const model_cells& m, const referral_targets& targets);

// The fit's network tensors plus the mean as the "preprocessing.mean" tensor ([3, 1, 1] or [3, H, W]).
std::vector<io::safetensors_tensor> model_tensors_of(protocol::final_fit& fit);

struct final_model_summary {
    io::final_model model;
    std::size_t samples = 0;
    std::size_t best_epoch = 0;
};

// Trains `cell` (a cell of `m`) on all of st.target and writes the model folder `out` (whole, or
// not at all). The work folder (checkpoints, synthetic data) is s.out. Throws config_error / io_error
// naming the cell, the option or the file.
final_model_summary train_final_model(study& st, const model_cells& m, const protocol::registry_entry& cell,
                                      const data_paths& p, const run_settings& s, const referral_targets& targets,
                                      const std::filesystem::path& out, std::ostream& log);

}  // namespace dermtl::programs
