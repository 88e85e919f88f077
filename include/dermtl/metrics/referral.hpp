#pragma once
// Referral analysis, from the paper's conclusion: instead of diagnosing every case, refer to a
// doctor both the cases the model is confident are positive and the cases where it is unsure;
// only the cases it is confident are negative stay unreferred. With a score that grows with the
// confidence of malignancy, "confident positive or unsure" is "score above some cut", so a
// referral budget of r (a share of all cases) refers the r*n highest-scoring cases.
//
// For each budget the analysis reports the sensitivity reached (melanomas referred / all
// melanomas), the share of melanomas left unreferred (1 - sensitivity), the prevalence of
// melanoma among the unreferred cases (the risk an unreferred patient still carries), and how the
// referred cases split into confident positives (score > decision_threshold) and unsure ones.
//
// Ties at the cut are shared out: when a group of equal scores straddles the budget, each of its
// cases counts as referred with the same fraction (the expected value under random
// tie-breaking), so budgets are met exactly and results never depend on input order.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

// One referral budget. Counts may be fractional where ties straddle the cut (see above).
struct referral_row {
    double rate = 0;                    // requested share of cases referred
    double referred = 0;                // cases referred: round(rate * n)
    double referred_confident = 0;      // of which score > decision_threshold
    double referred_unsure = 0;         // of which score <= decision_threshold
    double melanomas_referred = 0;
    double sensitivity = 0;             // melanomas_referred / melanomas
    double melanomas_unreferred = 0;
    double unreferred_share = 0;        // melanomas_unreferred / melanomas = 1 - sensitivity
    double unreferred_prevalence = 0;   // melanomas_unreferred / unreferred cases (0 if none)
};

// Represents: the referral table plus the diagnostic baseline (refer only the confident
// positives: score > decision_threshold) for comparison.
struct referral_table {
    std::size_t n_cases = 0;
    std::size_t n_melanomas = 0;
    double decision_threshold = 0;
    double baseline_rate = 0;         // share of cases with score > decision_threshold
    double baseline_sensitivity = 0;  // sensitivity of that rule
    std::vector<referral_row> rows;
};

inline std::vector<double> default_referral_rates() { return {0.1, 0.2, 0.3, 0.4, 0.5}; }

// Requires: labels 0/1 with both classes (1 = melanoma / malignant), one finite score per label,
//           rates in [0, 1]. decision_threshold: 0.5 for confidences in [0, 1], 0 for raw SVM
//           decision values.
// Ensures: one row per rate, in the given order; sensitivity is non-decreasing in the rate.
// Throws: config_error (labels, rates), shape_error (sizes), numeric_error (NaN scores).
inline referral_table referral_analysis(std::span<const int> labels, std::span<const double> scores,
                                        double decision_threshold,
                                        const std::vector<double>& rates = default_referral_rates()) {
    constexpr const char* op = "referral_analysis";
    detail::check_same_size(op, labels.size(), scores.size());
    detail::check_finite(op, scores);
    const auto counts = detail::check_binary_labels(op, labels);
    for (double r : rates)
        if (!(r >= 0 && r <= 1))
            throw config_error(std::string(op) + ": expected referral rates in [0, 1], found " + std::to_string(r));
    const std::size_t n = labels.size();
    const double melanomas = static_cast<double>(counts.positives);

    // Groups of equal scores, highest first: (size, melanomas, above threshold).
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    struct group {
        double size = 0, positives = 0;
        bool confident = false;
    };
    std::vector<group> groups;
    for (std::size_t k = 0; k < n; ++k) {
        if (k == 0 || scores[order[k]] != scores[order[k - 1]])
            groups.push_back({0, 0, scores[order[k]] > decision_threshold});
        groups.back().size += 1;
        groups.back().positives += labels[order[k]];
    }

    referral_table t;
    t.n_cases = n;
    t.n_melanomas = counts.positives;
    t.decision_threshold = decision_threshold;
    double above = 0, above_pos = 0;
    for (const auto& g : groups)
        if (g.confident) {
            above += g.size;
            above_pos += g.positives;
        }
    t.baseline_rate = above / static_cast<double>(n);
    t.baseline_sensitivity = above_pos / melanomas;

    for (double rate : rates) {
        referral_row row;
        row.rate = rate;
        row.referred = std::floor(rate * static_cast<double>(n) + 0.5);
        double left = row.referred;
        for (const auto& g : groups) {
            if (left <= 0) break;
            const double take = std::min(left, g.size);
            const double fraction = take / g.size;
            row.melanomas_referred += fraction * g.positives;
            (g.confident ? row.referred_confident : row.referred_unsure) += take;
            left -= take;
        }
        row.sensitivity = row.melanomas_referred / melanomas;
        row.melanomas_unreferred = melanomas - row.melanomas_referred;
        row.unreferred_share = row.melanomas_unreferred / melanomas;
        const double unreferred = static_cast<double>(n) - row.referred;
        row.unreferred_prevalence = unreferred > 0 ? row.melanomas_unreferred / unreferred : 0.0;
        t.rows.push_back(row);
    }
    return t;
}

// The table as Markdown (percentages with one decimal), for reports and logs.
inline std::string to_markdown(const referral_table& t) {
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

// The table as CSV, one row per rate: data for a plot of sensitivity against referral rate.
inline std::string to_csv(const referral_table& t) {
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
