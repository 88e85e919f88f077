#pragma once
// The intervals and calibration the report shows beside each mean (issue 26, "In the report").
//
// A cell's value is the mean over its test folds of a measure computed on each fold. Its
// interval is about that same number, computed from the per-image out-of-fold predictions:
//   - bootstrap (fold_mean_bootstrap): a resample draws test images (with replacement,
//     stratified by class, an image id being one unit: in 5x2 CV an image is tested once per
//     repetition, so its 5 predictions move together); each fold's measure is recomputed on the
//     drawn images of its test set and the resample's statistic is their mean over the folds (a
//     fold whose drawn images lack a class is left out of that resample's mean). The estimate
//     on all images is the cell's mean. The trained models stay fixed: the interval says how much
//     the cell's mean would move with another sample of test images from the same population,
//     not how much it would move with another training run (that is the ± sd over folds and the
//     5x2cv tests). BCa (percentile where BCa is undefined), metrics::bootstrap's definitions.
//   - DeLong (fold_mean_delong, binary AUC only): the folds are split into repetitions (runs of
//     consecutive folds with disjoint test images: the 2 halves of a 5x2 repetition, all k
//     folds of a k-fold CV, a single split). Within a repetition the folds' test sets are
//     disjoint, so the variance of their mean AUC is sum_f var_f / k^2 with var_f DeLong's
//     variance of fold f. Repetitions share images and their covariance is not estimated: the
//     standard error of the mean over repetitions is bounded by the mean of their standard
//     errors (conservative; exact when there is one repetition). Interval: mean -+ z se, clipped
//     to [0, 1] as pROC's ci.auc. With one fold it is delong_variance's interval.
// Calibration (calibration_of): Brier score, and ECE with 10 equal-width and 10 equal-mass bins
// (metrics/calibration.hpp), of the Platt confidences of every fold pooled (in 5x2 CV each image
// once per repetition, each time from another model), with both reliability diagrams.
// Not templates: defined in impl/intervals.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

inline constexpr std::size_t default_interval_resamples = 2000;
inline constexpr std::uint64_t default_interval_seed = 26;

struct interval_options {
    std::size_t resamples = default_interval_resamples;
    double confidence = 0.95;
    std::uint64_t seed = default_interval_seed;
};

// A measure of one fold's test predictions: labels and their score rows (n x 1 or n x K).
using fold_metric = std::function<double(std::span<const int> labels, const metrics::score_matrix& scores)>;

// The bootstrap of the mean over folds of `metric` (see above).
// Requires: folds non-empty, ids one list per fold with one id per label, score rows one per
//           label; every class held by at least 2 images.
// Throws: config_error / shape_error naming the fold; as metrics::bootstrap.
DERMTL_DECL metrics::bootstrap_result fold_mean_bootstrap(std::span<const metrics::fold_predictions> folds,
                                                          std::span<const std::vector<std::string>> ids,
                                                          const fold_metric& metric,
                                                          const interval_options& options = {});

// A cell's interval from a bootstrap: BCa, or the percentile interval where BCa is undefined.
DERMTL_DECL cell_interval bootstrap_interval(const metrics::bootstrap_result& b);

// Folds grouped into repetitions: runs of consecutive folds whose test ids are disjoint.
DERMTL_DECL std::vector<std::vector<std::size_t>> repetitions_of(std::span<const std::vector<std::string>> ids);

// DeLong's interval of the mean binary AUC over folds (see above).
// Requires: binary folds (one score column), at least 2 cases of each class in every fold.
DERMTL_DECL cell_interval fold_mean_delong(std::span<const metrics::fold_predictions> folds,
                                           std::span<const std::vector<std::string>> ids, double confidence = 0.95);

// Both intervals of a binary AUC cell (bootstrap, then DeLong), or the bootstrap of the mean
// one-vs-one AUC for K classes: metrics::fold_auc's measure, the paper's AUC.
DERMTL_DECL std::vector<cell_interval> auc_intervals(std::span<const metrics::fold_predictions> folds,
                                                     std::span<const std::vector<std::string>> ids,
                                                     const interval_options& options = {});

// Brier score, ECE and reliability diagrams (10 equal-width, 10 equal-mass bins) of pooled
// probabilities of the positive class.
DERMTL_DECL calibration_section calibration_of(std::string name, std::span<const int> labels,
                                               std::span<const double> probabilities);

// The reliability diagram of a section as an inline SVG: the diagonal, each binning's non-empty
// bins (mean predicted, observed frequency) joined by a line, a marker's area showing its count.
DERMTL_DECL std::string reliability_svg(const calibration_section& s);

// One line per (section, binning, bin): the section's Brier score and ECEs repeated on each.
DERMTL_DECL std::string to_csv(const std::vector<calibration_section>& sections);

// A Markdown table: one row per section (cases, Brier, ECE equal-width, ECE equal-mass).
DERMTL_DECL std::string calibration_markdown(const std::vector<calibration_section>& sections);

// The HTML section (id "calibration"): the table above and each section's reliability SVG.
DERMTL_DECL std::string calibration_html(const std::vector<calibration_section>& sections);

// A sentence for a table's legend saying what its intervals are; empty when it has none.
DERMTL_DECL std::string intervals_sentence(const table& t);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/intervals.ipp"
#endif
