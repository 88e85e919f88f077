// Definitions of metrics/isic_scores.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/isic_scores.hpp"

#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/threshold_metrics.hpp"

namespace dermtl::metrics {

DERMTL_DECL isic_scores isic_2016_scores(std::span<const int> labels, std::span<const double> confidences) {
    isic_scores s;
    s.thresholded = isic_threshold_metrics(labels, confidences);
    s.auc = roc_auc(labels, confidences);
    s.average_precision = average_precision(labels, confidences);
    s.specificity_at_95 = specificity_at_sensitivity(labels, confidences, 0.95);
    s.specificity_at_98 = specificity_at_sensitivity(labels, confidences, 0.98);
    s.specificity_at_99 = specificity_at_sensitivity(labels, confidences, 0.99);
    return s;
}

}  // namespace dermtl::metrics
