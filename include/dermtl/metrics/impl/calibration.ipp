// Definitions of metrics/calibration.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

namespace detail {

// Labels 0/1 (either class may be absent) and probabilities in [0, 1], one per label.
DERMTL_DECL void check_probabilities(std::string_view op, std::span<const int> labels,
                                     std::span<const double> probabilities) {
    check_same_size(op, labels.size(), probabilities.size(), "probability");
    check_finite(op, probabilities, "probability");
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] != 0 && labels[i] != 1)
            throw config_error(op_prefix(op) + "expected binary labels 0/1, found " + std::to_string(labels[i]) +
                               " at index " + std::to_string(i));
    for (std::size_t i = 0; i < probabilities.size(); ++i)
        if (probabilities[i] < 0 || probabilities[i] > 1)
            throw config_error(op_prefix(op) + "expected probabilities in [0, 1], found " +
                               std::to_string(probabilities[i]) + " at index " + std::to_string(i) +
                               " (raw SVM decision values? map them with Platt scaling first)");
}

// calibration_curve's edges: numpy's linspace(0, 1, B + 1) (i * (1 / B), the last exactly 1),
// or np.percentile of the probabilities at those quantiles times 100.
DERMTL_DECL std::vector<double> calibration_edges(std::span<const double> probabilities, calibration_bins binning,
                                                  std::size_t n_bins) {
    std::vector<double> edges(n_bins + 1);
    const double step = 1.0 / static_cast<double>(n_bins);
    for (std::size_t i = 0; i <= n_bins; ++i) edges[i] = i == n_bins ? 1.0 : static_cast<double>(i) * step;
    if (binning == calibration_bins::equal_mass) {
        std::vector<double> sorted(probabilities.begin(), probabilities.end());
        std::sort(sorted.begin(), sorted.end());
        for (auto& e : edges) e = numpy_percentile(sorted, e * 100);
    }
    return edges;
}

}  // namespace detail

DERMTL_DECL double brier_score(std::span<const int> labels, std::span<const double> probabilities,
                               std::span<const double> weights) {
    constexpr const char* op = "brier_score";
    detail::check_probabilities(op, labels, probabilities);
    if (!weights.empty()) {
        detail::check_same_size(op, labels.size(), weights.size(), "weight");
        detail::check_finite(op, weights, "weight");
    }
    double sum = 0, total = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double w = weights.empty() ? 1.0 : weights[i];
        if (w < 0)
            throw config_error(std::string(op) + ": expected non-negative weights, found " + std::to_string(w) +
                               " at index " + std::to_string(i));
        const double d = labels[i] - probabilities[i];
        sum += w * d * d;
        total += w;
    }
    if (!(total > 0)) throw config_error(std::string(op) + ": expected weights with a positive sum, found 0");
    return sum / total;
}

DERMTL_DECL reliability_diagram reliability(std::span<const int> labels, std::span<const double> probabilities,
                                            calibration_bins binning, std::size_t n_bins) {
    constexpr const char* op = "reliability";
    detail::check_probabilities(op, labels, probabilities);
    if (n_bins < 1) throw config_error(std::string(op) + ": expected at least 1 bin, found 0");
    const auto edges = detail::calibration_edges(probabilities, binning, n_bins);
    std::vector<double> sum_p(n_bins, 0.0), sum_y(n_bins, 0.0);
    std::vector<std::size_t> count(n_bins, 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        // searchsorted(edges[1:-1], p, side='left'): the number of inner edges strictly below p.
        const auto bin = static_cast<std::size_t>(
            std::lower_bound(edges.begin() + 1, edges.end() - 1, probabilities[i]) - (edges.begin() + 1));
        sum_p[bin] += probabilities[i];
        sum_y[bin] += labels[i];
        ++count[bin];
    }
    reliability_diagram d;
    d.binning = binning;
    d.cases = labels.size();
    const double n = static_cast<double>(labels.size());
    for (std::size_t k = 0; k < n_bins; ++k) {
        reliability_bin b;
        b.lower = edges[k];
        b.upper = edges[k + 1];
        b.count = count[k];
        if (count[k] > 0) {
            const double c = static_cast<double>(count[k]);
            b.mean_predicted = sum_p[k] / c;
            b.observed_frequency = sum_y[k] / c;
            const double gap = std::abs(b.observed_frequency - b.mean_predicted);
            d.expected_calibration_error += c / n * gap;
            d.maximum_calibration_error = std::max(d.maximum_calibration_error, gap);
        }
        d.bins.push_back(b);
    }
    return d;
}

DERMTL_DECL double expected_calibration_error(std::span<const int> labels, std::span<const double> probabilities,
                                              calibration_bins binning, std::size_t n_bins) {
    return reliability(labels, probabilities, binning, n_bins).expected_calibration_error;
}

DERMTL_DECL bootstrap_result bootstrap_calibration_error(std::span<const int> labels,
                                                         std::span<const double> probabilities,
                                                         calibration_bins binning, std::size_t n_bins,
                                                         std::span<const std::string> groups,
                                                         const bootstrap_options& options) {
    reliability(labels, probabilities, binning, n_bins);  // refuse bad input before resampling
    return bootstrap_binary(
        labels, probabilities, groups,
        [binning, n_bins](auto l, auto p) { return expected_calibration_error(l, p, binning, n_bins); }, options);
}

DERMTL_DECL std::string to_csv(const reliability_diagram& d) {
    std::string out = "lower,upper,count,mean_predicted,observed_frequency\n";
    char buf[256];
    for (const auto& b : d.bins) {
        if (b.count > 0)
            std::snprintf(buf, sizeof buf, "%.17g,%.17g,%zu,%.17g,%.17g\n", b.lower, b.upper, b.count, b.mean_predicted,
                          b.observed_frequency);
        else
            std::snprintf(buf, sizeof buf, "%.17g,%.17g,0,,\n", b.lower, b.upper);
        out += buf;
    }
    return out;
}

}  // namespace dermtl::metrics
