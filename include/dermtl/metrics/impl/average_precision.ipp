// Definitions of metrics/average_precision.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/average_precision.hpp"

#include <cstddef>

namespace dermtl::metrics {

DERMTL_DECL double average_precision(std::span<const int> labels, std::span<const double> scores) {
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
