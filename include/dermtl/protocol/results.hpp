#pragma once
// Experiment results and the resumable results store.
//
// fold_result: one fold's test predictions and what was chosen on the way (C, best epoch).
// results_store: one folder per experiment cell; each finished fold is one JSON file written
// atomically (temporary file + rename), so a killed run loses at most the fold in progress and a
// new run skips every fold already on disk.
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/io/atomic_file.hpp"
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

    std::vector<metrics::fold_predictions> predictions() const {
        std::vector<metrics::fold_predictions> p;
        for (const auto& f : folds) p.push_back(f.predictions);
        return p;
    }
};

inline nlohmann::json to_json(const fold_result& r) {
    const auto& s = r.predictions.scores;
    std::vector<std::vector<double>> scores(std::size_t(s.rows()), std::vector<double>(std::size_t(s.cols())));
    for (Eigen::Index i = 0; i < s.rows(); ++i)
        for (Eigen::Index j = 0; j < s.cols(); ++j) scores[std::size_t(i)][std::size_t(j)] = s(i, j);
    nlohmann::json j = {{"fold", r.fold},         {"ids", r.ids},
            {"labels", r.predictions.labels}, {"scores", scores},
            {"strata", r.predictions.strata}, {"auc", r.auc},
            {"chosen_c", r.chosen_c}, {"confidences", r.confidences},
            {"best_epoch", r.best_epoch}, {"seconds", r.seconds},
            {"config", r.config},     {"format", results_format},
            {"version", std::string(version)}};
    if (r.auc_one_vs_rest) j["auc_one_vs_rest"] = *r.auc_one_vs_rest;
    if (r.decision_accuracy) j["decision_accuracy"] = *r.decision_accuracy;
    return j;
}

inline fold_result fold_result_from_json(const nlohmann::json& j) {
    if (!j.contains("format") || j.at("format") != results_format)
        throw io_error("fold result written by an incompatible dermtl version (" +
                       (j.contains("version") ? j.at("version").dump() : std::string("unknown")) + ", format " +
                       (j.contains("format") ? j.at("format").dump() : std::string("none")) + "; this is " +
                       std::string(version) + ", format " + std::to_string(results_format) +
                       "); nothing was overwritten: move the results folder away or choose another output folder");
    fold_result r;
    r.fold = j.at("fold");
    r.ids = j.at("ids").get<std::vector<std::string>>();
    r.predictions.labels = j.at("labels").get<std::vector<int>>();
    const auto scores = j.at("scores").get<std::vector<std::vector<double>>>();
    const std::size_t cols = scores.empty() ? 1 : scores.front().size();
    r.predictions.scores.resize(Eigen::Index(scores.size()), Eigen::Index(cols));
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (scores[i].size() != cols) throw io_error("fold result '" + r.fold + "': score rows of different lengths");
        for (std::size_t k = 0; k < cols; ++k) r.predictions.scores(Eigen::Index(i), Eigen::Index(k)) = scores[i][k];
    }
    r.predictions.strata = j.at("strata").get<std::vector<int>>();
    r.auc = j.at("auc");
    r.chosen_c = j.at("chosen_c");
    r.confidences = j.at("confidences").get<std::vector<double>>();
    r.best_epoch = j.at("best_epoch");
    r.seconds = j.value("seconds", 0.0);
    r.config = j.value("config", nlohmann::json::object());
    if (j.contains("auc_one_vs_rest")) r.auc_one_vs_rest = j.at("auc_one_vs_rest").get<double>();
    if (j.contains("decision_accuracy")) r.decision_accuracy = j.at("decision_accuracy").get<double>();
    if (r.ids.size() != r.predictions.labels.size() || std::size_t(r.predictions.scores.rows()) != r.ids.size())
        throw io_error("fold result '" + r.fold + "': ids, labels and scores differ in length");
    return r;
}

class results_store {
public:
    explicit results_store(std::filesystem::path folder) : folder_(std::move(folder)) {}

    // The fold's result when a previous run of the same experiment finished it; nullopt when there
    // is none (or `recompute` and it was made by another experiment: save() then replaces it).
    // A result made by another experiment is never reused: config_error names the folder, the
    // first differing field with its stored and current values, and the two ways out.
    std::optional<fold_result> load(const std::string& fold, const fingerprint& made_by, bool recompute = false) const {
        auto r = load(fold);
        if (!r) return r;
        const auto stored = r->config.contains("fingerprint") ? r->config.at("fingerprint") : nlohmann::json();
        const auto d = made_by.first_difference(stored);
        if (!d) return r;
        if (recompute) return std::nullopt;
        throw config_error("results store '" + folder_.string() + "': " + fold + " was made by another experiment: '" +
                           d->field + "' was " + d->stored + ", now " + d->current +
                           "; choose another output folder (--out) to keep both, or pass --recompute to replace it");
    }

    // The fold's result as stored, whatever made it; nullopt when there is none.
    std::optional<fold_result> load(const std::string& fold) const {
        const auto p = path_of(fold);
        if (!std::filesystem::exists(p)) return std::nullopt;
        std::ifstream in(p);
        try {
            return fold_result_from_json(nlohmann::json::parse(in));
        } catch (const io_error& e) {
            throw io_error("results_store: '" + p.string() + "': " + e.what());
        } catch (const nlohmann::json::exception& e) {
            throw io_error("results_store: '" + p.string() + "' is not a fold result (" + e.what() +
                           "); delete it to recompute that fold");
        }
    }

    void save(const fold_result& r) const {
        io::prepare_folder(folder_, "results store");
        io::write_file_atomically(path_of(r.fold), to_json(r).dump(1));
    }

    const std::filesystem::path& folder() const { return folder_; }

private:
    std::filesystem::path path_of(const std::string& fold) const { return folder_ / (fold + ".json"); }
    std::filesystem::path folder_;
};

}  // namespace dermtl::protocol
