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
// tie-breaking), so budgets are met exactly and results never depend on input order. A budget
// is the ROC operating point at which that many cases are called positive: the same code
// (operating_points.hpp) as the sensitivity at a fixed specificity and its converse.
// Not templates: defined in impl/referral.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
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
DERMTL_DECL referral_table referral_analysis(std::span<const int> labels, std::span<const double> scores,
                                             double decision_threshold,
                                             const std::vector<double>& rates = default_referral_rates());

// The table as Markdown (percentages with one decimal), for reports and logs.
DERMTL_DECL std::string to_markdown(const referral_table& t);

// The table as CSV, one row per rate: data for a plot of sensitivity against referral rate.
DERMTL_DECL std::string to_csv(const referral_table& t);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/referral.ipp"
#endif
