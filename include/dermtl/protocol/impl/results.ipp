// Definitions of protocol/results.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/results.hpp"

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/data/diagnosis.hpp"
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

namespace results_detail {

// A JSON value as a message shows it: "null", "a string 'x'", "an array of 3", "the number 1.5".
DERMTL_DECL std::string describe(const nlohmann::json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return "the number " + v.dump();
    if (v.is_string()) return "the string " + quoted_value(v.get<std::string>());
    if (v.is_array()) return "an array of " + std::to_string(v.size());
    return "an object";
}

DERMTL_DECL const nlohmann::json& field(const nlohmann::json& j, const std::string& key) {
    const auto it = j.find(key);
    if (it == j.end()) throw io_error("expected the field '" + key + "', found none");
    return *it;
}

DERMTL_DECL const nlohmann::json& array_field(const nlohmann::json& j, const std::string& key) {
    const nlohmann::json& v = field(j, key);
    if (!v.is_array()) throw io_error("'" + key + "': expected an array, found " + describe(v));
    return v;
}

// A number as a message shows it: 1 (not 1.0), 0.25, inf (which JSON would write as null).
DERMTL_DECL std::string shown(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    if (x == std::floor(x) && std::abs(x) < 1e15) return std::to_string(static_cast<long long>(x));
    return nlohmann::json(x).dump();
}

// A finite number in [lo, hi]: null, a boolean, a string or an infinity (a JSON 1e999) is refused.
DERMTL_DECL double number(const nlohmann::json& v, const std::string& what, double lo, double hi) {
    if (!v.is_number()) throw io_error(what + ": expected a number, found " + describe(v));
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
        throw io_error(what + ": expected a finite number in [" + shown(lo) + ", " + shown(hi) + "], found " +
                       (std::isfinite(x) ? v.dump() : shown(x)));
    return x;
}

// An integer in [lo, hi]: 1.5 is refused, not truncated to 1.
DERMTL_DECL long long integer(const nlohmann::json& v, const std::string& what, long long lo, long long hi) {
    const std::string expected = "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!v.is_number_integer()) throw io_error(what + ": " + expected + ", found " + describe(v));
    const bool fits = v.is_number_unsigned() ? v.get<unsigned long long>() <= static_cast<unsigned long long>(hi)
                                             : v.get<long long>() >= lo && v.get<long long>() <= hi;
    if (!fits) throw io_error(what + ": " + expected + ", found " + v.dump());
    return v.is_number_unsigned() ? static_cast<long long>(v.get<unsigned long long>()) : v.get<long long>();
}

DERMTL_DECL std::string element(const std::string& key, std::size_t i) {
    return "'" + key + "' [" + std::to_string(i) + "]";
}

}  // namespace results_detail

DERMTL_DECL fold_result fold_result_from_json(const nlohmann::json& j) {
    using namespace results_detail;
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (!j.is_object())
        throw io_error("expected a fold result (a JSON object with fold, ids, labels, scores, strata, auc, ...), found " +
                       describe(j));
    if (!j.contains("format") || j.at("format") != results_format)
        throw io_error("fold result written by an incompatible dermtl version (" +
                       (j.contains("version") ? j.at("version").dump() : std::string("unknown")) + ", format " +
                       (j.contains("format") ? j.at("format").dump() : std::string("none")) + "; this is " +
                       std::string(version) + ", format " + std::to_string(results_format) +
                       "); nothing was overwritten: move the results folder away or choose another output folder");
    fold_result r;
    const nlohmann::json& fold = field(j, "fold");
    if (!fold.is_string() || fold.get<std::string>().empty())
        throw io_error("'fold': expected the fold's name, found " + describe(fold));
    r.fold = fold.get<std::string>();
    const std::string where = "fold result '" + r.fold + "'";
    try {
        // Every per-sample array is checked against the others: the ids fix the length.
        const auto& ids = array_field(j, "ids");
        const std::size_t n = ids.size();
        if (n == 0) throw io_error("'ids': expected at least one test sample, found none");
        for (std::size_t i = 0; i < n; ++i) {
            if (!ids[i].is_string()) throw io_error(element("ids", i) + ": expected a sample id, found " + describe(ids[i]));
            r.ids.push_back(ids[i].get<std::string>());
        }
        auto same_length = [&](const nlohmann::json& a, const std::string& key, bool may_be_empty) {
            if (a.size() == n || (may_be_empty && a.empty())) return;
            throw io_error("'" + key + "': expected " + (may_be_empty ? "none or " : "") + std::to_string(n) +
                           " (one per id), found " + std::to_string(a.size()));
        };
        // scores: n rows of equal length; one column (two classes) or one per class.
        const auto& scores = array_field(j, "scores");
        same_length(scores, "scores", false);
        std::size_t cols = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& row = scores[i];
            if (!row.is_array() || row.empty())
                throw io_error(element("scores", i) + ": expected a row of scores (an array of numbers), found " +
                               describe(row));
            if (i == 0) {
                cols = row.size();
                r.predictions.scores.resize(Eigen::Index(n), Eigen::Index(cols));
            } else if (row.size() != cols) {
                throw io_error(element("scores", i) + ": expected " + std::to_string(cols) +
                               " score(s) like the first row, found " + std::to_string(row.size()));
            }
            for (std::size_t k = 0; k < cols; ++k)
                r.predictions.scores(Eigen::Index(i), Eigen::Index(k)) =
                    number(row[k], element("scores", i) + " [" + std::to_string(k) + "]", -inf, inf);
        }
        // labels: the classes the score columns stand for (one column: two classes).
        const long long classes = cols == 1 ? 2 : static_cast<long long>(cols);
        const auto& labels = array_field(j, "labels");
        same_length(labels, "labels", false);
        for (std::size_t i = 0; i < n; ++i)
            r.predictions.labels.push_back(int(integer(labels[i],
                                                       element("labels", i) + " (" + std::to_string(classes) +
                                                           " classes, as its scores have " + std::to_string(cols) +
                                                           " column(s))",
                                                       0, classes - 1)));
        // strata: the samples' diagnostic difficulty (data::difficulty), or none.
        const auto& strata = array_field(j, "strata");
        same_length(strata, "strata", true);
        for (std::size_t i = 0; i < strata.size(); ++i)
            r.predictions.strata.push_back(int(integer(strata[i], element("strata", i) + " (a difficulty level)",
                                                       int(data::difficulty::unknown), int(data::difficulty::high))));
        // confidences: two classes only, Platt-mapped scores in [0, 1].
        const auto& confidences = array_field(j, "confidences");
        same_length(confidences, "confidences", true);
        if (classes != 2 && !confidences.empty())
            throw io_error("'confidences': expected none for " + std::to_string(classes) + " classes, found " +
                           std::to_string(confidences.size()));
        for (std::size_t i = 0; i < confidences.size(); ++i)
            r.confidences.push_back(number(confidences[i], element("confidences", i), 0, 1));
        r.auc = number(field(j, "auc"), "'auc'", 0, 1);
        r.chosen_c = number(field(j, "chosen_c"), "'chosen_c'", 0, inf);
        r.best_epoch = std::size_t(integer(field(j, "best_epoch"), "'best_epoch'", 0, std::numeric_limits<int>::max()));
        if (j.contains("seconds")) r.seconds = number(j.at("seconds"), "'seconds'", 0, inf);
        if (j.contains("config")) {
            if (!j.at("config").is_object())
                throw io_error("'config': expected an object (the cell, seed and settings), found " + describe(j.at("config")));
            r.config = j.at("config");
        } else {
            r.config = nlohmann::json::object();
        }
        if (j.contains("auc_one_vs_rest")) r.auc_one_vs_rest = number(j.at("auc_one_vs_rest"), "'auc_one_vs_rest'", 0, 1);
        if (j.contains("decision_accuracy"))
            r.decision_accuracy = number(j.at("decision_accuracy"), "'decision_accuracy'", 0, 1);
    } catch (const io_error& e) {
        throw io_error(where + ": " + e.what() + "; delete the file to recompute that fold");
    } catch (const nlohmann::json::exception& e) {
        throw io_error(where + ": " + e.what() + "; delete the file to recompute that fold");
    }
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
    std::error_code ec;
    const auto status = std::filesystem::status(p, ec);
    if (!std::filesystem::exists(status)) return std::nullopt;
    if (!std::filesystem::is_regular_file(status))
        throw io_error("results_store: '" + p.string() + "': expected the fold result file of " + fold + ", found " +
                       (std::filesystem::is_directory(status) ? "a folder" : "something that is not a file") +
                       "; remove it to recompute that fold");
    std::ifstream in(p, std::ios::binary);
    if (!in) throw io_error("results_store: '" + p.string() + "': cannot open it for reading");
    try {
        auto r = fold_result_from_json(nlohmann::json::parse(in));
        // A copy of another fold's file under this name would count that fold twice.
        if (r.fold != fold)
            throw io_error("expected the result of " + fold + " (its file name), found one of " + quoted_value(r.fold) +
                           "; a file copied or renamed: delete it to recompute that fold");
        return r;
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
