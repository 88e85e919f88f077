#pragma once
// The intervals and calibration of a result's cells (issue 26, "In the report"), from its per-image
// out-of-fold predictions: report/intervals.hpp computes them; this adapts protocol results to it.
// A cell whose data cannot give an interval (a class held by fewer than 2 test images, a fold
// DeLong refuses) keeps its mean ± sd and gets no interval: an interval never blocks a table.
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::programs {

inline std::vector<std::vector<std::string>> test_ids(const protocol::experiment_result& r) {
    std::vector<std::vector<std::string>> ids;
    for (const auto& f : r.folds) ids.push_back(f.ids);
    return ids;
}

// The paper's AUC of a cell (metrics::fold_auc per fold): its bootstrap interval, and DeLong's for
// a binary design.
inline std::vector<report::cell_interval> auc_intervals_of(const protocol::experiment_result& r) {
    try {
        const auto folds = r.predictions();
        const auto ids = test_ids(r);
        return report::auc_intervals(folds, ids);
    } catch (const error&) {
        return {};
    }
}

// The bootstrap interval of a binary measure of the Platt confidences (as binary_measures computes
// it per fold), and DeLong's too when `with_delong` (the AUC column).
inline std::vector<report::cell_interval> confidence_intervals_of(const protocol::experiment_result& r,
                                                                  const metrics::binary_metric& metric,
                                                                  bool with_delong) {
    try {
        std::vector<metrics::fold_predictions> folds;
        for (const auto& f : r.folds) {
            if (f.confidences.size() != f.predictions.labels.size()) return {};
            metrics::fold_predictions p;
            p.labels = f.predictions.labels;
            p.scores = Eigen::Map<const metrics::score_matrix>(f.confidences.data(),
                                                               static_cast<Eigen::Index>(f.confidences.size()), 1);
            folds.push_back(std::move(p));
        }
        const auto ids = test_ids(r);
        const report::fold_metric m = [&metric](std::span<const int> l, const metrics::score_matrix& s) {
            return metric(l, std::span<const double>(s.data(), static_cast<std::size_t>(s.rows())));
        };
        std::vector<report::cell_interval> out{report::bootstrap_interval(report::fold_mean_bootstrap(folds, ids, m))};
        if (with_delong) out.push_back(report::fold_mean_delong(folds, ids));
        return out;
    } catch (const error&) {
        return {};
    }
}

// The calibration of a binary cell's Platt confidences, every fold pooled; none without them.
inline std::optional<report::calibration_section> calibration_of(const protocol::experiment_result& r,
                                                                 std::string name) {
    std::vector<int> labels;
    std::vector<double> p;
    for (const auto& f : r.folds) {
        if (f.predictions.scores.cols() != 1 || f.confidences.size() != f.predictions.labels.size()) return {};
        labels.insert(labels.end(), f.predictions.labels.begin(), f.predictions.labels.end());
        p.insert(p.end(), f.confidences.begin(), f.confidences.end());
    }
    if (labels.empty()) return {};
    try {
        return report::calibration_of(std::move(name), labels, p);
    } catch (const error&) {
        return {};
    }
}

}  // namespace dermtl::programs
