#pragma once
// All the ISIC 2016 (Part 3) measures of one binary scoring, as the challenge scorer reports them
// and as the paper's Table 2 lists them.
// Not templates: defined in impl/isic_scores.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <span>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/threshold_metrics.hpp"

namespace dermtl::metrics {

struct isic_scores {
    double auc = 0;                // roc_auc_score
    double average_precision = 0;  // average_precision_score (Table 2's "mAP")
    threshold_metrics thresholded; // ACC / SE / SP with the `> 0.5` rule
    double specificity_at_95 = 0;  // specificity at sensitivity 0.95
    double specificity_at_98 = 0;
    double specificity_at_99 = 0;
};

// Requires: labels 0/1 with both classes; confidences in [0, 1] (e.g. Platt-mapped SVM scores).
// Ensures: each field as the ISIC scorer computes it. Throws as its parts do.
DERMTL_DECL isic_scores isic_2016_scores(std::span<const int> labels, std::span<const double> confidences);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/isic_scores.ipp"
#endif
