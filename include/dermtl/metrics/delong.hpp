#pragma once
// DeLong's variance of the AUC and DeLong's test for two correlated AUCs (DeLong, DeLong &
// Clarke-Pearson 1988), in Sun & Xu's O(n log n) formulation (IEEE Signal Processing Letters 21,
// 2014): the structural components come from midranks instead of the O(m n) pairwise kernel.
//
// With m positives x_i and n negatives y_j, psi(x, y) = 1 if x > y, 1/2 if x = y, 0 otherwise:
//   V10_i = (1/n) sum_j psi(x_i, y_j) = (R_i - R^x_i) / n,
//   V01_j = (1/m) sum_i psi(x_i, y_j) = 1 - (R_j - R^y_j) / m,
// where R is a case's midrank among all cases and R^x (R^y) its midrank among the positives
// (negatives). AUC = mean(V10) = mean(V01), and
//   var(AUC) = s10^2 / m + s01^2 / n   (sample variances, denominators m - 1 and n - 1).
// Two scorings of the same cases (paired): S = S10 / m + S01 / n with the 2 x 2 sample covariance
// matrices of their components; z = (AUC_a - AUC_b) / sqrt(S_aa + S_bb - 2 S_ab), two-sided
// p = 2 Phi(-|z|).
//
// These are pROC's (1.18) var(roc) and roc.test(method = "delong", paired = TRUE) for
// roc(..., levels = c(0, 1), direction = "<"): label 1 positive, higher score more positive, no
// flipping of AUCs below 0.5.
//
// What DeLong answers, and what it does not: it compares two fitted models on one fixed test
// set, treating the test cases as the random sample. It says nothing about the variation from
// training (use the 5x2cv tests of significance.hpp to compare training procedures), and it
// assumes independent cases: images that share a lesion or a patient make it optimistic (use the
// clustered bootstrap of bootstrap.hpp there).
// Not templates: defined in impl/delong.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/bootstrap.hpp"

namespace dermtl::metrics {

// Represents: DeLong's structural components of one scoring.
struct delong_components {
    std::vector<double> positives;  // V10, one per positive case, in input order
    std::vector<double> negatives;  // V01, one per negative case, in input order
    double auc = 0;                 // mean(V10)
};

// Represents: an AUC with its DeLong variance and normal-theory interval.
struct delong_auc {
    double auc = 0;
    double variance = 0;
    double standard_error = 0;
    confidence_interval interval;  // auc -+ z sd, clipped to [0, 1] (pROC's ci.auc, method "delong")
    double confidence = 0.95;
    std::size_t positives = 0, negatives = 0;
};

// Represents: DeLong's paired test of two scorings of the same cases.
struct delong_test_result {
    double auc_a = 0, auc_b = 0;
    double difference = 0;             // auc_a - auc_b
    double variance_a = 0, variance_b = 0, covariance = 0;
    double standard_error = 0;         // of the difference
    double z = 0;                      // difference / standard_error (0 when both are 0, as pROC)
    double p_value = 1;                // two-sided
    confidence_interval interval;      // difference -+ z sd, not clipped (pROC's roc.test conf.int)
    double confidence = 0.95;
    std::size_t positives = 0, negatives = 0;
};

// Requires: labels 0/1 with at least 2 of each class, one finite score per label.
// Ensures: the components above; O(n log n).
// Throws: config_error (labels, fewer than 2 of a class), shape_error, numeric_error (NaN/Inf).
DERMTL_DECL delong_components delong_structural_components(std::span<const int> labels,
                                                           std::span<const double> scores);

// Requires: as above; confidence in (0, 1). Ensures: pROC's auc, var(roc) and ci.auc.
DERMTL_DECL delong_auc delong_variance(std::span<const int> labels, std::span<const double> scores,
                                       double confidence = 0.95);

// Requires: as above, scores_a and scores_b both one per label (the same cases, same order).
// Ensures: pROC's roc.test(method = "delong", paired = TRUE) statistic, p-value and conf.int.
DERMTL_DECL delong_test_result delong_test(std::span<const int> labels, std::span<const double> scores_a,
                                           std::span<const double> scores_b, double confidence = 0.95);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/delong.ipp"
#endif
