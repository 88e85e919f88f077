#pragma once
// The ISIC 2016 scorer's thresholded metrics. Its rule: truth and submitted confidence are both
// binarized with a strict `> 0.5`; ACC, SE and SP come from the resulting confusion counts.
// Specificity at a target sensitivity is read off sklearn's ROC curve (default
// drop_intermediate) at the first point whose TPR reaches the target, as the scorer does.
//
// The scorer expects malignancy confidences in [0, 1]. Raw SVM decision values are not: map them
// first (svm/platt_scaling.hpp fits that mapping on the validation split), or the `> 0.5` rule
// would be applied to a different scale.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

inline constexpr double isic_threshold = 0.5;

// Ground truth as the ISIC files give it (0.0/1.0, "0"/"1") to labels, with the scorer's `> 0.5`.
// Requires finite values; ensures labels[i] == (truth[i] > 0.5).
inline std::vector<int> isic_binarize(std::span<const double> truth) {
    detail::check_finite("isic_binarize", truth, "truth value");
    std::vector<int> labels(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) labels[i] = truth[i] > isic_threshold ? 1 : 0;
    return labels;
}

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
inline threshold_metrics isic_threshold_metrics(std::span<const int> labels, std::span<const double> confidences) {
    constexpr const char* op = "isic_threshold_metrics";
    detail::check_binary_scores(op, labels, confidences);
    for (std::size_t i = 0; i < confidences.size(); ++i)
        if (confidences[i] < 0 || confidences[i] > 1)
            throw config_error(std::string(op) + ": expected malignancy confidences in [0, 1] (map SVM decision "
                               "values with svm::platt_scaling first), found " + std::to_string(confidences[i]) +
                               " at index " + std::to_string(i));
    threshold_metrics m;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool predicted = confidences[i] > isic_threshold;
        if (labels[i] == 1)
            ++(predicted ? m.true_positives : m.false_negatives);
        else
            ++(predicted ? m.false_positives : m.true_negatives);
    }
    m.accuracy = static_cast<double>(m.true_positives + m.true_negatives) / static_cast<double>(labels.size());
    m.sensitivity = static_cast<double>(m.true_positives) / static_cast<double>(m.true_positives + m.false_negatives);
    m.specificity = static_cast<double>(m.true_negatives) / static_cast<double>(m.true_negatives + m.false_positives);
    return m;
}

// Represents: the specificity at the first ROC point (sklearn roc_curve, default
// drop_intermediate) whose sensitivity reaches min_sensitivity: 1 - fpr there.
// Requires: min_sensitivity in (0, 1]; labels/scores as roc_curve (any score scale).
// Ensures: the ISIC scorer's "specificity at sensitivity" value.
inline double specificity_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                         double min_sensitivity) {
    if (!(min_sensitivity > 0 && min_sensitivity <= 1))
        throw config_error("specificity_at_sensitivity: expected a target sensitivity in (0, 1], found " +
                           std::to_string(min_sensitivity));
    const auto r = roc_curve(labels, scores, true);
    for (std::size_t i = 0; i < r.tpr.size(); ++i)
        if (r.tpr[i] >= min_sensitivity) return 1.0 - r.fpr[i];
    return 0.0;  // unreachable: the last point has TPR 1
}

}  // namespace dermtl::metrics
