// Definitions of protocol/results.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/results.hpp"

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/io/atomic_file.hpp"

namespace dermtl::protocol {

DERMTL_DECL std::vector<metrics::fold_predictions> experiment_result::predictions() const {
    std::vector<metrics::fold_predictions> p;
    for (const auto& f : folds) p.push_back(f.predictions);
    return p;
}

DERMTL_DECL nlohmann::json to_json(const fold_result& r) {
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

DERMTL_DECL fold_result fold_result_from_json(const nlohmann::json& j) {
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

DERMTL_DECL std::optional<fold_result> results_store::load(const std::string& fold, const fingerprint& made_by,
                                                          bool recompute) const {
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

DERMTL_DECL std::optional<fold_result> results_store::load(const std::string& fold) const {
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

DERMTL_DECL void results_store::save(const fold_result& r) const {
    io::prepare_folder(folder_, "results store");
    io::write_file_atomically(path_of(r.fold), to_json(r).dump(1));
}

}  // namespace dermtl::protocol
