// Definitions of metrics/referral.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/referral.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/operating_points.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

DERMTL_DECL referral_table referral_analysis(std::span<const int> labels, std::span<const double> scores,
                                             double decision_threshold,
                                             const std::vector<double>& rates) {
    constexpr const char* op = "referral_analysis";
    detail::check_same_size(op, labels.size(), scores.size());
    detail::check_finite(op, scores);
    const auto counts = detail::check_binary_labels(op, labels);
    for (double r : rates)
        if (!(r >= 0 && r <= 1))
            throw config_error(std::string(op) + ": expected referral rates in [0, 1], found " + std::to_string(r));
    const std::size_t n = labels.size();
    const double melanomas = static_cast<double>(counts.positives);

    // The ROC's cumulative counts, highest score first; a budget is the operating point at which
    // that many cases are called positive, ties shared (operating_points.hpp).
    const auto curve = detail::binary_clf_curve(labels, scores);
    referral_table t;
    t.n_cases = n;
    t.n_melanomas = counts.positives;
    t.decision_threshold = decision_threshold;
    double above = 0, above_pos = 0;  // cases (melanomas) with score > decision_threshold
    for (std::size_t g = 0; g < curve.thresholds.size() && curve.thresholds[g] > decision_threshold; ++g) {
        above = curve.true_positives[g] + curve.false_positives[g];
        above_pos = curve.true_positives[g];
    }
    t.baseline_rate = above / static_cast<double>(n);
    t.baseline_sensitivity = above_pos / melanomas;

    for (double rate : rates) {
        referral_row row;
        row.rate = rate;
        row.referred = std::floor(rate * static_cast<double>(n) + 0.5);
        // The confident cases (score > decision_threshold) come first in score order.
        row.referred_confident = std::min(row.referred, above);
        row.referred_unsure = row.referred - row.referred_confident;
        row.melanomas_referred = detail::point_at_called_positive(curve, row.referred).true_positives;
        row.sensitivity = row.melanomas_referred / melanomas;
        row.melanomas_unreferred = melanomas - row.melanomas_referred;
        row.unreferred_share = row.melanomas_unreferred / melanomas;
        const double unreferred = static_cast<double>(n) - row.referred;
        row.unreferred_prevalence = unreferred > 0 ? row.melanomas_unreferred / unreferred : 0.0;
        t.rows.push_back(row);
    }
    return t;
}

DERMTL_DECL std::string to_markdown(const referral_table& t) {
    std::string out =
        "| referred | confident | unsure | sensitivity | melanomas unreferred | melanoma rate among unreferred |\n"
        "|---:|---:|---:|---:|---:|---:|\n";
    char buf[256];
    for (const auto& r : t.rows) {
        std::snprintf(buf, sizeof buf, "| %.1f%% (%g) | %g | %g | %.1f%% | %.1f%% (%g of %zu) | %.1f%% |\n",
                      100 * r.rate, r.referred, r.referred_confident, r.referred_unsure, 100 * r.sensitivity,
                      100 * r.unreferred_share, r.melanomas_unreferred, t.n_melanomas, 100 * r.unreferred_prevalence);
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "\nDiagnostic baseline (refer only score > %g): %.1f%% referred, sensitivity %.1f%%\n",
                  t.decision_threshold, 100 * t.baseline_rate, 100 * t.baseline_sensitivity);
    return out + buf;
}

DERMTL_DECL std::string to_csv(const referral_table& t) {
    std::string out = "rate,referred,referred_confident,referred_unsure,sensitivity,melanomas_unreferred,"
                      "unreferred_share,unreferred_prevalence\n";
    char buf[512];
    for (const auto& r : t.rows) {
        std::snprintf(buf, sizeof buf, "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", r.rate, r.referred,
                      r.referred_confident, r.referred_unsure, r.sensitivity, r.melanomas_unreferred,
                      r.unreferred_share, r.unreferred_prevalence);
        out += buf;
    }
    return out;
}

}  // namespace dermtl::metrics
