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
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

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

inline five_by_two_parts five_by_two_differences(std::string_view op, std::span<const double> a,
                                                 std::span<const double> b) {
    if (a.size() != 10 || b.size() != 10)
        throw shape_error(std::string(op) + ": expected the 10 per-fold results of a 5x2 cross-validation for "
                          "each scheme, found " + std::to_string(a.size()) + " and " + std::to_string(b.size()));
    check_finite(op, a, "per-fold result");
    check_finite(op, b, "per-fold result");
    five_by_two_parts d;
    for (std::size_t i = 0; i < 10; ++i) d.p[i] = a[i] - b[i];
    for (std::size_t r = 0; r < 5; ++r) {
        const double p1 = d.p[2 * r], p2 = d.p[2 * r + 1];
        const double mean = (p1 + p2) / 2;
        d.sum_variances += (p1 - mean) * (p1 - mean) + (p2 - mean) * (p2 - mean);
    }
    if (!(d.sum_variances > 0))
        throw numeric_error(std::string(op) + ": expected the two folds of some replication to differ in (A - B), "
                            "found zero variance in every replication; the statistic is undefined (0/0 or x/0)");
    return d;
}

// Applies the design to a computed result: returns it unchanged when the design is valid.
inline significance_result checked_design(std::string_view op, significance_result r, const five_by_two_design& design,
                                          dependent_folds on_dependent) {
    if (design.valid()) return r;
    if (on_dependent == dependent_folds::refuse)
        throw config_error(std::string(op) + ": expected 10 folds that are 5 independent replications of 2 "
                           "complementary halves, found: " + design.reason() +
                           "; the 5x2cv p-value assumes independent replications (pass dependent_folds::"
                           "compute_and_flag to compute it anyway, flagged)");
    r.replications_independent = false;
    r.caveat = "the folds are not 5 independent replications of 2 complementary halves (" + design.reason() +
               "); the p-value assumes they are";
    return r;
}

}  // namespace detail

// Requires: 10 finite per-fold results for each scheme, same fold order.
// Ensures: Dietterich's 5x2cv t statistic (df 5) and its two-sided p-value.
// Throws: shape_error (not 10 each), numeric_error (NaN, or zero variance in all replications).
inline significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b) {
    const auto d = detail::five_by_two_differences("paired_t_test_5x2cv", a, b);
    significance_result r;
    r.statistic = d.p[0] / std::sqrt(d.sum_variances / 5.0);
    r.df1 = 5;
    const boost::math::students_t dist(5.0);
    r.p_value = 2 * boost::math::cdf(boost::math::complement(dist, std::abs(r.statistic)));
    return r;
}

// Requires: as above; design: the folds' five_by_two_design, in the order of a and b.
// Ensures: as above when the design is valid; otherwise (compute_and_flag) the same numbers with
// replications_independent = false and the caveat naming the design's problems.
// Throws: as above; config_error (invalid design, refuse) naming the problems.
inline significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                               const five_by_two_design& design,
                                               dependent_folds on_dependent = dependent_folds::refuse) {
    if (!design.valid() && on_dependent == dependent_folds::refuse)  // refuse before any other check
        return detail::checked_design("paired_t_test_5x2cv", {}, design, on_dependent);
    return detail::checked_design("paired_t_test_5x2cv", paired_t_test_5x2cv(a, b), design, on_dependent);
}

// Requires / throws: as paired_t_test_5x2cv.
// Ensures: Alpaydin's combined 5x2cv F statistic (df 10, 5) and its upper-tail p-value.
inline significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b) {
    const auto d = detail::five_by_two_differences("combined_f_test_5x2cv", a, b);
    double sum_squares = 0;
    for (double p : d.p) sum_squares += p * p;
    significance_result r;
    r.statistic = sum_squares / (2 * d.sum_variances);
    r.df1 = 10;
    r.df2 = 5;
    const boost::math::fisher_f dist(10.0, 5.0);
    r.p_value = boost::math::cdf(boost::math::complement(dist, r.statistic));
    return r;
}

// Requires / ensures / throws: as the paired t-test with a design.
inline significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                                 const five_by_two_design& design,
                                                 dependent_folds on_dependent = dependent_folds::refuse) {
    if (!design.valid() && on_dependent == dependent_folds::refuse)
        return detail::checked_design("combined_f_test_5x2cv", {}, design, on_dependent);
    return detail::checked_design("combined_f_test_5x2cv", combined_f_test_5x2cv(a, b), design, on_dependent);
}

}  // namespace dermtl::metrics
