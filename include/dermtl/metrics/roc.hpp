#pragma once
// Receiver operating characteristic: the curve's points and the area under it, as scikit-learn
// (1.2) computes them, so numbers match the ISIC scorer and the paper's reference code.
// Not templates: defined in impl/roc.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

// Cumulative counts at each distinct score, from the highest score down (sklearn's
// _binary_clf_curve). Entry k counts the cases with score >= thresholds[k].
struct cumulative_counts {
    std::vector<double> true_positives;
    std::vector<double> false_positives;
    std::vector<double> thresholds;  // distinct scores, decreasing
};

namespace detail {

// Requires: checked input (same size, finite scores, labels 0/1).
DERMTL_DECL cumulative_counts binary_clf_curve(std::span<const int> labels, std::span<const double> scores);

DERMTL_DECL void check_binary_scores(std::string_view op, std::span<const int> labels, std::span<const double> scores);

}  // namespace detail

// Represents: the ROC curve of one binary scoring. Point k is (fpr[k], tpr[k]) for the rule
// "positive when score >= thresholds[k]"; point 0 is (0, 0) with threshold max(score) + 1
// (sklearn 1.2's convention; sklearn >= 1.3 writes +inf there).
struct roc_curve_points {
    std::vector<double> fpr;
    std::vector<double> tpr;
    std::vector<double> thresholds;
};

// Requires: labels 0/1 with both classes, one finite score per label (higher = more positive).
// Ensures: sklearn.metrics.roc_curve(labels, scores, drop_intermediate=...) point for point;
//          with drop_intermediate, points in the middle of a run of equal steps are dropped
//          (sklearn's default, which the ISIC scorer uses for specificity at sensitivity).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
DERMTL_DECL roc_curve_points roc_curve(std::span<const int> labels, std::span<const double> scores,
                                       bool drop_intermediate = true);

// Trapezoidal area under a curve whose x never decreases (sklearn.metrics.auc for a ROC curve).
DERMTL_DECL double trapezoid_area(std::span<const double> x, std::span<const double> y);

// Represents: the area under the ROC curve (the probability that a random positive scores above
// a random negative, ties counting one half).
// Requires / throws: as roc_curve. Ensures: sklearn.metrics.roc_auc_score(labels, scores).
DERMTL_DECL double roc_auc(std::span<const int> labels, std::span<const double> scores);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/roc.ipp"
#endif
