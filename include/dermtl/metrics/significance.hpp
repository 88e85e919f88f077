#pragma once
// Is the difference between two schemes evaluated on the same 5x2 cross-validation folds more
// than chance? (The paper notes some differences "might be due to chance"; these tests answer it.)
//
// Input: the per-fold metric (e.g. AUC) of scheme A and scheme B on the same ten folds, in the
// order replication 1 fold 1, replication 1 fold 2, replication 2 fold 1, ... (the reference
// code's Fold_1..Fold_5, each with its two halves). p_i^(j) = a - b on replication i, fold j.
//   - 5x2cv paired t-test (Dietterich 1998): t = p_1^(1) / sqrt(mean_i s_i^2), with
//     s_i^2 = (p_i^(1) - pbar_i)^2 + (p_i^(2) - pbar_i)^2; t ~ Student t, 5 degrees of freedom.
//     Two-sided p-value.
//   - combined 5x2cv F-test (Alpaydin 1999): F = sum_ij (p_i^(j))^2 / (2 sum_i s_i^2);
//     F ~ F(10, 5). One-sided (upper tail) p-value.
// Both assume the 10 folds are 5 independent replications of 2 complementary halves. Given the
// folds' five_by_two_design (five_by_two_design.hpp), they refuse folds that are not (config_error
// quoting the design's reason) unless asked to compute anyway, which flags the result
// (replications_independent = false, caveat). Without a design the caller vouches for it.
// Not templates: defined in impl/significance.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/five_by_two_design.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

// Represents: a test statistic, its distribution's degrees of freedom and the p-value.
struct significance_result {
    double statistic = 0;
    double df1 = 0;  // t: degrees of freedom; F: numerator degrees of freedom
    double df2 = 0;  // F: denominator degrees of freedom (0 for t)
    double p_value = 1;
    // false: computed on folds that are not 5 independent replications (dependent_folds::
    // compute_and_flag); the p-value then assumes an independence the folds lack.
    bool replications_independent = true;
    std::string caveat;  // why, when replications_independent is false; empty otherwise
};

// What the tests do with folds whose five_by_two_design is not valid.
enum class dependent_folds {
    refuse,            // throw config_error naming the design's problems (the default)
    compute_and_flag,  // compute, with replications_independent = false and the caveat set
};

namespace detail {

struct five_by_two_parts {
    std::array<double, 10> p{};  // differences, replication-major
    double sum_variances = 0;    // sum_i s_i^2
};

DERMTL_DECL five_by_two_parts five_by_two_differences(std::string_view op, std::span<const double> a,
                                                      std::span<const double> b);

// Applies the design to a computed result: returns it unchanged when the design is valid.
DERMTL_DECL significance_result checked_design(std::string_view op, significance_result r,
                                               const five_by_two_design& design, dependent_folds on_dependent);

}  // namespace detail

// Requires: 10 finite per-fold results for each scheme, same fold order.
// Ensures: Dietterich's 5x2cv t statistic (df 5) and its two-sided p-value.
// Throws: shape_error (not 10 each), numeric_error (NaN, or zero variance in all replications).
DERMTL_DECL significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b);

// Requires: as above; design: the folds' five_by_two_design, in the order of a and b.
// Ensures: as above when the design is valid; otherwise (compute_and_flag) the same numbers with
// replications_independent = false and the caveat naming the design's problems.
// Throws: as above; config_error (invalid design, refuse) naming the problems.
DERMTL_DECL significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                                    const five_by_two_design& design,
                                                    dependent_folds on_dependent = dependent_folds::refuse);

// Requires / throws: as paired_t_test_5x2cv.
// Ensures: Alpaydin's combined 5x2cv F statistic (df 10, 5) and its upper-tail p-value.
DERMTL_DECL significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b);

// Requires / ensures / throws: as the paired t-test with a design.
DERMTL_DECL significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                                      const five_by_two_design& design,
                                                      dependent_folds on_dependent = dependent_folds::refuse);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/significance.ipp"
#endif
