#pragma once
// Experiment results and the resumable results store.
//
// fold_result: one fold's test predictions and what was chosen on the way (C, best epoch).
// results_store: one folder per experiment cell; each finished fold is one JSON file written
// atomically (temporary file + rename), so a killed run loses at most the fold in progress and a
// new run skips every fold already on disk.
// Not templates: defined in impl/results.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise). fold_result holds a JSON value, so this header
// includes <nlohmann/json.hpp>.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/fingerprint.hpp"

namespace dermtl::protocol {

struct fold_result {
    std::string fold;
    std::vector<std::string> ids;            // test samples, in score order
    metrics::fold_predictions predictions;   // labels, scores (n x 1 or n x K), strata = difficulty
    double auc = 0;                          // the paper's AUC for this fold
    double chosen_c = 0;
    std::vector<double> confidences;         // two classes: Platt-mapped scores in [0, 1]
    // Measures a protocol stores beside the paper's (protocol/training.hpp); absent otherwise.
    std::optional<double> auc_one_vs_rest;   // three classes: macro one-vs-rest AUC (the reference's)
    std::optional<double> decision_accuracy; // ACC of the classifier's decision (the reference's predict())
    std::size_t best_epoch = 0;              // fine-tuning only
    double seconds = 0;                      // wall time of the fold
    nlohmann::json config;                   // the cell, seed and settings that produced it
};

struct experiment_result {
    cell_id id;
    std::vector<fold_result> folds;
    metrics::fold_summary auc;

    std::vector<metrics::fold_predictions> predictions() const;
};

DERMTL_DECL nlohmann::json to_json(const fold_result& r);

// Requires: a JSON object written by to_json (this results_format).
// Ensures: every field validated against the others: ids, labels, scores (n rows of one column or
// one per class), strata (none or n, each a data::difficulty) and confidences (none or n, two
// classes only, each in [0, 1]) of one length; labels within the classes the score columns stand
// for; every number finite, where a number belongs (null, a string or a boolean is refused);
// auc, auc_one_vs_rest and decision_accuracy in [0, 1]; chosen_c and seconds non-negative.
// Throws: io_error "fold result '<fold>': '<field>' [i]: expected ..., found ...".
DERMTL_DECL fold_result fold_result_from_json(const nlohmann::json& j);

class results_store {
public:
    explicit results_store(std::filesystem::path folder) : folder_(std::move(folder)) {}

    // The fold's result when a previous run of the same experiment finished it; nullopt when there
    // is none (or `recompute` and it was made by another experiment: save() then replaces it).
    // A result made by another experiment is never reused: config_error names the folder, the
    // first differing field with its stored and current values, and the two ways out.
    std::optional<fold_result> load(const std::string& fold, const fingerprint& made_by, bool recompute = false) const;

    // The fold's result as stored, whatever made it; nullopt when there is none. A file that is not
    // a valid result of this fold (fold_result_from_json; a folder of its name; the result of
    // another fold copied under its name) is refused: io_error naming the file and what is wrong.
    std::optional<fold_result> load(const std::string& fold) const;

    void save(const fold_result& r) const;

    const std::filesystem::path& folder() const { return folder_; }

private:
    std::filesystem::path path_of(const std::string& fold) const { return folder_ / (fold + ".json"); }
    std::filesystem::path folder_;
};

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/results.ipp"
#endif
