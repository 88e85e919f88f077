// Definitions of metrics/significance.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/significance.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL five_by_two_parts five_by_two_differences(std::string_view op, std::span<const double> a,
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

DERMTL_DECL significance_result checked_design(std::string_view op, significance_result r,
                                               const five_by_two_design& design, dependent_folds on_dependent) {
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

DERMTL_DECL significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b) {
    const auto d = detail::five_by_two_differences("paired_t_test_5x2cv", a, b);
    significance_result r;
    r.statistic = d.p[0] / std::sqrt(d.sum_variances / 5.0);
    r.df1 = 5;
    const boost::math::students_t dist(5.0);
    r.p_value = 2 * boost::math::cdf(boost::math::complement(dist, std::abs(r.statistic)));
    return r;
}

DERMTL_DECL significance_result paired_t_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                                    const five_by_two_design& design,
                                                    dependent_folds on_dependent) {
    if (!design.valid() && on_dependent == dependent_folds::refuse)  // refuse before any other check
        return detail::checked_design("paired_t_test_5x2cv", {}, design, on_dependent);
    return detail::checked_design("paired_t_test_5x2cv", paired_t_test_5x2cv(a, b), design, on_dependent);
}

DERMTL_DECL significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b) {
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

DERMTL_DECL significance_result combined_f_test_5x2cv(std::span<const double> a, std::span<const double> b,
                                                      const five_by_two_design& design,
                                                      dependent_folds on_dependent) {
    if (!design.valid() && on_dependent == dependent_folds::refuse)
        return detail::checked_design("combined_f_test_5x2cv", {}, design, on_dependent);
    return detail::checked_design("combined_f_test_5x2cv", combined_f_test_5x2cv(a, b), design, on_dependent);
}

}  // namespace dermtl::metrics
