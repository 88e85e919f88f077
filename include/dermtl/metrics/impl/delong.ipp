// Definitions of metrics/delong.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/delong.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

namespace detail {

// Midranks (1-based, ties sharing the mean of their ranks) of values, in input order: O(n log n).
DERMTL_DECL std::vector<double> delong_midranks(std::span<const double> values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
        const double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k) ranks[order[k]] = midrank;
        i = j;
    }
    return ranks;
}

DERMTL_DECL class_counts delong_check(std::string_view op, std::span<const int> labels,
                                      std::span<const double> scores) {
    check_same_size(op, labels.size(), scores.size());
    check_finite(op, scores);
    const auto c = check_binary_labels(op, labels);
    if (c.positives < 2 || c.negatives < 2)
        throw config_error(op_prefix(op) + "expected at least 2 positives and 2 negatives (DeLong's variance divides "
                           "by m - 1 and n - 1), found " + std::to_string(c.positives) + " positives and " +
                           std::to_string(c.negatives) + " negatives");
    return c;
}

// Sample covariance of two component vectors about their AUCs (pROC: sum((a - ta)(b - tb)) / (k - 1)).
DERMTL_DECL double delong_covariance(const std::vector<double>& a, double ta, const std::vector<double>& b, double tb) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - ta) * (b[i] - tb);
    return s / static_cast<double>(a.size() - 1);
}

DERMTL_DECL confidence_interval delong_normal_interval(double center, double sd, double confidence) {
    if (!(confidence > 0 && confidence < 1))
        throw config_error("delong: expected a confidence level in (0, 1), found " + std::to_string(confidence));
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    return {center - z * sd, center + z * sd};
}

}  // namespace detail

DERMTL_DECL delong_components delong_structural_components(std::span<const int> labels,
                                                           std::span<const double> scores) {
    const auto counts = detail::delong_check("delong_structural_components", labels, scores);
    std::vector<double> x, y;  // positives' and negatives' scores
    x.reserve(counts.positives);
    y.reserve(counts.negatives);
    for (std::size_t i = 0; i < labels.size(); ++i) (labels[i] == 1 ? x : y).push_back(scores[i]);
    const auto all = detail::delong_midranks(scores);
    const auto rx = detail::delong_midranks(x);
    const auto ry = detail::delong_midranks(y);
    const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
    delong_components c;
    c.positives.reserve(x.size());
    c.negatives.reserve(y.size());
    for (std::size_t i = 0, ix = 0, iy = 0; i < labels.size(); ++i) {
        if (labels[i] == 1) {
            c.positives.push_back((all[i] - rx[ix++]) / n);
        } else {
            c.negatives.push_back(1 - (all[i] - ry[iy++]) / m);
        }
    }
    c.auc = std::accumulate(c.positives.begin(), c.positives.end(), 0.0) / m;
    return c;
}

DERMTL_DECL delong_auc delong_variance(std::span<const int> labels, std::span<const double> scores, double confidence) {
    const auto c = delong_structural_components(labels, scores);
    delong_auc r;
    r.auc = c.auc;
    r.positives = c.positives.size();
    r.negatives = c.negatives.size();
    r.variance = detail::delong_covariance(c.positives, c.auc, c.positives, c.auc) / static_cast<double>(r.positives) +
                 detail::delong_covariance(c.negatives, c.auc, c.negatives, c.auc) / static_cast<double>(r.negatives);
    r.standard_error = std::sqrt(r.variance);
    r.confidence = confidence;
    r.interval = detail::delong_normal_interval(r.auc, r.standard_error, confidence);
    r.interval.lower = std::clamp(r.interval.lower, 0.0, 1.0);
    r.interval.upper = std::clamp(r.interval.upper, 0.0, 1.0);
    return r;
}

DERMTL_DECL delong_test_result delong_test(std::span<const int> labels, std::span<const double> scores_a,
                                           std::span<const double> scores_b, double confidence) {
    detail::check_same_size("delong_test", labels.size(), scores_b.size(), "second scoring's");
    const auto a = delong_structural_components(labels, scores_a);
    const auto b = delong_structural_components(labels, scores_b);
    const double m = static_cast<double>(a.positives.size()), n = static_cast<double>(a.negatives.size());
    delong_test_result r;
    r.positives = a.positives.size();
    r.negatives = a.negatives.size();
    r.auc_a = a.auc;
    r.auc_b = b.auc;
    r.difference = a.auc - b.auc;
    using detail::delong_covariance;
    r.variance_a = delong_covariance(a.positives, a.auc, a.positives, a.auc) / m +
                   delong_covariance(a.negatives, a.auc, a.negatives, a.auc) / n;
    r.variance_b = delong_covariance(b.positives, b.auc, b.positives, b.auc) / m +
                   delong_covariance(b.negatives, b.auc, b.negatives, b.auc) / n;
    r.covariance = delong_covariance(a.positives, a.auc, b.positives, b.auc) / m +
                   delong_covariance(a.negatives, a.auc, b.negatives, b.auc) / n;
    // L S L' with L = (1, -1); rounding can leave a tiny negative for identical scorings.
    r.standard_error = std::sqrt(std::max(0.0, r.variance_a + r.variance_b - 2 * r.covariance));
    r.z = r.difference == 0 && r.standard_error == 0 ? 0.0 : r.difference / r.standard_error;
    r.p_value = 2 * detail::normal_cdf(-std::abs(r.z));
    r.confidence = confidence;
    r.interval = detail::delong_normal_interval(r.difference, r.standard_error, confidence);
    return r;
}

}  // namespace dermtl::metrics
