#pragma once
// Seeded bootstrap confidence intervals (percentile and BCa) for any statistic of a test set,
// resampling whole clusters (a lesion, a patient) where the data has groups, stratified so that
// every resample keeps every class.
//
// The design. A resampling unit is a cluster of rows: one group id's rows, or one row when no
// groups are given. A unit's stratum is the set of classes among its rows ({benign}, {melanoma},
// or {benign, melanoma} for a patient with both). Each resample draws, stratum by stratum, as
// many units (with replacement) as the stratum holds, so every resample has the same number of
// units of each composition: every class is present (a metric like the AUC stays defined) and
// the class balance varies only as much as mixed clusters let it. Without groups this is the
// stratified bootstrap of pROC (boot.stratified = TRUE) and of most ROC software. Ungrouped
// resampling of images that share a lesion would treat near-copies as independent evidence and
// make the interval too narrow; HAM10000's lesion_id is the case in point.
//
// The intervals, with B replicates theta*_b of the statistic and its estimate theta on all rows,
// exactly as scipy.stats.bootstrap (1.10) computes them from the same replicates:
//   - percentile: np.percentile(theta*, 100 alpha) and np.percentile(theta*, 100 (1 - alpha)),
//     alpha = (1 - confidence) / 2, numpy's linear interpolation;
//   - BCa (Efron & Tibshirani 1993, 14.3): z0 = Phi^-1(share of theta* below theta, ties
//     counting one half; unlike scipy, a replicate equal to theta up to rounding, 1e-12
//     relative, is a tie: a resample's AUC can be theta's rational value off by one bit, and a
//     bit should not move the interval); the acceleration a from the jackknife that leaves one unit (cluster)
//     out at a time: a = sum U^3 / (6 (sum U^2)^1.5), U_i = (n - 1)(mean_j theta_(j) - theta_(i));
//     the interval is the percentile interval at Phi(z0 + (z0 + z)/(1 - a (z0 + z))) for z = the
//     normal quantiles of alpha and 1 - alpha. Where z0 or a is undefined (theta outside every
//     replicate, or every jackknife value equal), the BCa bounds are NaN, as scipy's are.
// Not templates: defined in impl/bootstrap.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::metrics {

// Represents: the units a bootstrap resamples and the strata it resamples them in.
// Invariants: every row belongs to exactly one unit; units are numbered in the order of their
// first row; strata are ordered by their class sets (lexicographically), units within a stratum
// by number; every class is held by at least 2 units.
class resampling_design {
public:
    // Requires: labels in [0, n_classes) (n_classes >= 2) with every class held by at least 2
    //           units; groups empty (every row its own unit) or one id per label.
    // Throws: config_error (labels; fewer than 2 units holding some class, naming the count of
    //         every class), shape_error (groups of another length).
    DERMTL_DECL resampling_design(std::span<const int> labels, std::span<const std::string> groups, int n_classes);

    std::size_t rows() const { return rows_; }
    std::size_t units() const { return unit_rows_.size(); }
    bool clustered() const { return clustered_; }
    // Rows of unit u, increasing.
    const std::vector<std::size_t>& unit_rows(std::size_t u) const { return unit_rows_[u]; }
    // Units of each stratum.
    const std::vector<std::vector<std::size_t>>& strata() const { return strata_; }

    // One resample: the drawn units, stratum by stratum (units() of them), from `g`. The
    // bootstrap draws resample b as the b-th call on rng(seed), so a caller can reproduce them.
    DERMTL_DECL std::vector<std::size_t> draw(rng& g) const;

    // The rows of the given units, unit by unit (a unit drawn twice gives its rows twice).
    DERMTL_DECL std::vector<std::size_t> rows_of(std::span<const std::size_t> units) const;

private:
    std::size_t rows_ = 0;
    bool clustered_ = false;
    std::vector<std::vector<std::size_t>> unit_rows_;
    std::vector<std::vector<std::size_t>> strata_;
};

// A statistic of a multiset of rows of the caller's data (rows may repeat). The bootstrap calls
// it on all rows, on every resample and on every leave-one-unit-out jackknife sample.
using row_statistic = std::function<double(std::span<const std::size_t> rows)>;

struct bootstrap_options {
    std::size_t resamples = 2000;  // B
    double confidence = 0.95;      // two-sided level of both intervals
    std::uint64_t seed = 0;        // the resamples are rng(seed)'s draws: same seed, same resamples
    bool keep_replicates = true;   // keep theta*_b (e.g. for a histogram or an oracle)
};

struct confidence_interval {
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
};

// Represents: a bootstrap interval of one statistic on one test set.
struct bootstrap_result {
    double estimate = 0;              // the statistic on all rows
    confidence_interval percentile;   // percentile interval
    confidence_interval bca;          // BCa interval (NaN bounds where undefined)
    double standard_error = 0;        // sample standard deviation of the replicates (ddof 1)
    double bias_correction = 0;       // z0
    double acceleration = 0;          // a (jackknife over units)
    double confidence = 0.95;
    std::size_t resamples = 0;
    std::size_t units = 0;            // resampled units: clusters, or rows when not clustered
    bool clustered = false;
    std::uint64_t seed = 0;
    std::vector<double> replicates;   // theta*_b in draw order (empty unless keep_replicates)
};

// Requires: options.resamples >= 2, confidence in (0, 1); the statistic finite on every sample.
// Ensures: the intervals above (equal to scipy.stats.bootstrap(method='BCa' / 'percentile') fed
//          the same resamples); deterministic in options.seed.
// Throws: config_error (options), numeric_error naming the sample where the statistic failed or
//         was not finite.
DERMTL_DECL bootstrap_result bootstrap(const resampling_design& design, const row_statistic& statistic,
                                       const bootstrap_options& options = {});

// A binary metric of labels and scores (roc_auc, average_precision, auc_sens_80, ...): the
// hook by which any binary measure gets an interval.
using binary_metric = std::function<double(std::span<const int> labels, std::span<const double> scores)>;

// The bootstrap of metric(labels[rows], scores[rows]).
// Requires: labels 0/1 with each class held by >= 2 units, one finite score per label, groups
//           empty or one id per label. Throws: as resampling_design, the metric and bootstrap.
// E.g. bootstrap_binary(y, s, lesion_ids, [](auto l, auto s) { return auc_sens_80(l, s); }).
DERMTL_DECL bootstrap_result bootstrap_binary(std::span<const int> labels, std::span<const double> scores,
                                              std::span<const std::string> groups, const binary_metric& metric,
                                              const bootstrap_options& options = {});

// The measures of the ISIC scorer, each a bootstrap_binary of the metric of the same name.
DERMTL_DECL bootstrap_result bootstrap_auc(std::span<const int> labels, std::span<const double> scores,
                                           std::span<const std::string> groups = {},
                                           const bootstrap_options& options = {});
DERMTL_DECL bootstrap_result bootstrap_average_precision(std::span<const int> labels, std::span<const double> scores,
                                                         std::span<const std::string> groups = {},
                                                         const bootstrap_options& options = {});
// Sensitivity and specificity with the scorer's `> 0.5` rule (threshold_metrics.hpp); confidences
// in [0, 1].
DERMTL_DECL bootstrap_result bootstrap_sensitivity(std::span<const int> labels, std::span<const double> confidences,
                                                   std::span<const std::string> groups = {},
                                                   const bootstrap_options& options = {});
DERMTL_DECL bootstrap_result bootstrap_specificity(std::span<const int> labels, std::span<const double> confidences,
                                                   std::span<const std::string> groups = {},
                                                   const bootstrap_options& options = {});

// The three-class (any K) mean of one-vs-one AUCs (multiclass_auc.hpp), which has no DeLong
// variance: the bootstrap is its interval. Strata by the K classes.
// Requires: labels in [0, K) with each class held by >= 2 units, scores n x K finite.
DERMTL_DECL bootstrap_result bootstrap_one_vs_one_auc(std::span<const int> labels, const score_matrix& scores,
                                                      std::span<const std::string> groups = {},
                                                      const bootstrap_options& options = {});

namespace detail {

// np.percentile(sorted, q_percent) with numpy's (1.24) default linear method, bit for bit.
// Requires: sorted non-empty and increasing; q_percent in [0, 100].
DERMTL_DECL double numpy_percentile(std::span<const double> sorted, double q_percent);

// Standard normal quantile and distribution function, defined at 0, 1 and +-inf as scipy's
// ndtri / ndtr are (-inf/+inf, 0/1); NaN in, NaN out.
DERMTL_DECL double normal_quantile(double p);
DERMTL_DECL double normal_cdf(double x);

}  // namespace detail

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/bootstrap.ipp"
#endif
