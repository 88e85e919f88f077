// Definitions of metrics/operating_points.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/operating_points.hpp"

#include <cstddef>
#include <string>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

namespace detail {

// The point that calls positive every group before g and `share` of group g. Vertex 0 of the
// polyline is (0, 0); vertex g + 1 is (g, 1).
DERMTL_DECL operating_point point_in_group(const cumulative_counts& c, std::size_t g, double share) {
    if (share == 0 && g > 0) {  // a vertex: named by the lowest score called positive, all of its group
        --g;
        share = 1;
    }
    const double tp_before = g ? c.true_positives[g - 1] : 0.0, fp_before = g ? c.false_positives[g - 1] : 0.0;
    const double positives = c.true_positives.back(), negatives = c.false_positives.back();
    operating_point p;
    p.true_positives = tp_before + share * (c.true_positives[g] - tp_before);
    p.false_positives = fp_before + share * (c.false_positives[g] - fp_before);
    p.sensitivity = p.true_positives / positives;
    p.specificity = (negatives - p.false_positives) / negatives;
    p.threshold = c.thresholds[g];
    p.share_at_threshold = share;
    return p;
}

DERMTL_DECL operating_point point_at_called_positive(const cumulative_counts& c, double called) {
    std::size_t g = 0;
    while (g + 1 < c.thresholds.size() && c.true_positives[g] + c.false_positives[g] < called) ++g;
    const double before = g ? c.true_positives[g - 1] + c.false_positives[g - 1] : 0.0;
    const double size = c.true_positives[g] + c.false_positives[g] - before;
    return point_in_group(c, g, (called - before) / size);
}

DERMTL_DECL operating_point point_at_specificity(const cumulative_counts& c, double target) {
    const double negatives = c.false_positives.back();
    const auto specificity_at_vertex = [&](std::size_t k) {
        return k == 0 ? 1.0 : (negatives - c.false_positives[k - 1]) / negatives;
    };
    const std::size_t groups = c.thresholds.size();
    std::size_t k = 0;  // the last vertex with specificity >= target
    while (k < groups && specificity_at_vertex(k + 1) >= target) ++k;
    if (k == groups) return point_in_group(c, groups - 1, 1.0);
    const double s0 = specificity_at_vertex(k), s1 = specificity_at_vertex(k + 1);
    return point_in_group(c, k, (s0 - target) / (s0 - s1));
}

DERMTL_DECL operating_point point_at_sensitivity(const cumulative_counts& c, double target) {
    const double positives = c.true_positives.back();
    const auto sensitivity_at_vertex = [&](std::size_t k) {
        return k == 0 ? 0.0 : c.true_positives[k - 1] / positives;
    };
    if (target <= 0) return point_in_group(c, 0, 0.0);
    std::size_t k = 1;  // the first vertex with sensitivity >= target
    while (k < c.thresholds.size() && sensitivity_at_vertex(k) < target) ++k;
    const double s0 = sensitivity_at_vertex(k - 1), s1 = sensitivity_at_vertex(k);
    return point_in_group(c, k - 1, (target - s0) / (s1 - s0));
}

DERMTL_DECL void check_rate_target(std::string_view op, std::string_view what, double target) {
    if (!(target >= 0 && target <= 1))
        throw config_error(op_prefix(op) + "expected a " + std::string(what) + " in [0, 1], found " +
                           std::to_string(target));
}

}  // namespace detail

DERMTL_DECL operating_point operating_point_at_specificity(std::span<const int> labels, std::span<const double> scores,
                                                           double specificity) {
    constexpr const char* op = "operating_point_at_specificity";
    detail::check_rate_target(op, "specificity", specificity);
    detail::check_binary_scores(op, labels, scores);
    return detail::point_at_specificity(detail::binary_clf_curve(labels, scores), specificity);
}

DERMTL_DECL operating_point operating_point_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                                           double sensitivity) {
    constexpr const char* op = "operating_point_at_sensitivity";
    detail::check_rate_target(op, "sensitivity", sensitivity);
    detail::check_binary_scores(op, labels, scores);
    return detail::point_at_sensitivity(detail::binary_clf_curve(labels, scores), sensitivity);
}

DERMTL_DECL bootstrap_result bootstrap_sensitivity_at_specificity(std::span<const int> labels,
                                                                  std::span<const double> scores, double specificity,
                                                                  std::span<const std::string> groups,
                                                                  const bootstrap_options& options) {
    detail::check_rate_target("bootstrap_sensitivity_at_specificity", "specificity", specificity);
    return bootstrap_binary(
        labels, scores, groups,
        [specificity](auto l, auto s) { return operating_point_at_specificity(l, s, specificity).sensitivity; },
        options);
}

DERMTL_DECL bootstrap_result bootstrap_specificity_at_sensitivity(std::span<const int> labels,
                                                                  std::span<const double> scores, double sensitivity,
                                                                  std::span<const std::string> groups,
                                                                  const bootstrap_options& options) {
    detail::check_rate_target("bootstrap_specificity_at_sensitivity", "sensitivity", sensitivity);
    return bootstrap_binary(
        labels, scores, groups,
        [sensitivity](auto l, auto s) { return operating_point_at_sensitivity(l, s, sensitivity).specificity; },
        options);
}

}  // namespace dermtl::metrics
