#pragma once
// The ISIC 2016 scorer's thresholded metrics. Its rule: truth and submitted confidence are both
// binarized with a strict `> 0.5`; ACC, SE and SP come from the resulting confusion counts.
// Specificity at a target sensitivity is read off sklearn's ROC curve (default
// drop_intermediate) at the first point whose TPR reaches the target, as the scorer does.
//
// The scorer expects malignancy confidences in [0, 1]. Raw SVM decision values are not: map them
// first (svm/platt_scaling.hpp fits that mapping on the validation split), or the `> 0.5` rule
// would be applied to a different scale.
// Not templates: defined in impl/threshold_metrics.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

inline constexpr double isic_threshold = 0.5;

// Ground truth as the ISIC files give it (0.0/1.0, "0"/"1") to labels, with the scorer's `> 0.5`.
// Requires finite values; ensures labels[i] == (truth[i] > 0.5).
DERMTL_DECL std::vector<int> isic_binarize(std::span<const double> truth);

// Represents: the confusion counts of "positive when confidence > 0.5" and the rates from them.
struct threshold_metrics {
    std::size_t true_positives = 0, true_negatives = 0, false_positives = 0, false_negatives = 0;
    double accuracy = 0;     // (TP + TN) / n
    double sensitivity = 0;  // TP / (TP + FN)
    double specificity = 0;  // TN / (TN + FP)
};

// Requires: labels 0/1 with both classes; one confidence per label, each in [0, 1].
// Ensures: the ISIC 2016 scorer's accuracy, sensitivity and specificity (equal to sklearn's
//          accuracy_score / recall_score on the binarized values).
// Throws: config_error (labels, confidences outside [0,1]), shape_error, numeric_error.
DERMTL_DECL threshold_metrics isic_threshold_metrics(std::span<const int> labels, std::span<const double> confidences);

// Represents: the specificity at the first ROC point (sklearn roc_curve, default
// drop_intermediate) whose sensitivity reaches min_sensitivity: 1 - fpr there.
// Requires: min_sensitivity in (0, 1]; labels/scores as roc_curve (any score scale).
// Ensures: the ISIC scorer's "specificity at sensitivity" value.
DERMTL_DECL double specificity_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                              double min_sensitivity);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/threshold_metrics.ipp"
#endif
