// Definitions of metrics/threshold_metrics.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/threshold_metrics.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

DERMTL_DECL std::vector<int> isic_binarize(std::span<const double> truth) {
    detail::check_finite("isic_binarize", truth, "truth value");
    std::vector<int> labels(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) labels[i] = truth[i] > isic_threshold ? 1 : 0;
    return labels;
}

DERMTL_DECL threshold_metrics isic_threshold_metrics(std::span<const int> labels, std::span<const double> confidences) {
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

DERMTL_DECL double specificity_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
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
