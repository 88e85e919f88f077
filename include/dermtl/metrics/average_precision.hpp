#pragma once
// Average precision as sklearn.metrics.average_precision_score defines it (the ISIC scorer's AP,
// the paper's mAP column): AP = sum_n (R_n - R_{n-1}) P_n over decreasing distinct thresholds,
// with no interpolation.
#include <cstddef>
#include <span>

#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

// Requires: labels 0/1 with both classes, one finite score per label (higher = more positive).
// Ensures: average_precision_score(labels, scores) (equal to 1e-12 or better).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
inline double average_precision(std::span<const int> labels, std::span<const double> scores) {
    detail::check_binary_scores("average_precision", labels, scores);
    const auto c = detail::binary_clf_curve(labels, scores);
    const double p = c.true_positives.back();
    // sklearn sums over recall decreasing: -sum(diff(recall) * precision[:-1]); the terms are
    // (R_k - R_{k-1}) * P_k for k from the last threshold back to the first, then R_0 = 0.
    double ap = 0;
    const std::size_t m = c.true_positives.size();
    for (std::size_t j = m; j-- > 0;) {
        const double tp = c.true_positives[j];
        const double prev = j == 0 ? 0.0 : c.true_positives[j - 1] / p;
        const double precision = tp / (tp + c.false_positives[j]);
        ap += -((prev - tp / p) * precision);
    }
    return ap;
}

}  // namespace dermtl::metrics
