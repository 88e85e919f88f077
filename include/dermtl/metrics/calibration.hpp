#pragma once
// Calibration of predicted probabilities of the positive class: the Brier score, the expected
// calibration error (ECE) and the reliability diagram's data, with equal-width or equal-mass bins.
//
// Bins, as sklearn.calibration.calibration_curve (1.2) draws them:
//   - equal_width: edges linspace(0, 1, B + 1);
//   - equal_mass: edges np.percentile(p, linspace(0, 1, B + 1) * 100) (ties can make equal edges
//     and so empty bins).
// A probability p falls in bin k when exactly k of the inner edges e_1 .. e_{B-1} are below it
// (np.searchsorted(edges[1:-1], p)): bins are (e_k, e_{k+1}], the first one closed at 0.
// ECE = sum_k (n_k / n) |observed_k - mean_predicted_k| over the non-empty bins (Naeini et al.
// 2015; Guo et al. 2017 with these bins), observed_k the share of positives in bin k.
// Unlike calibration_curve, the diagram keeps empty bins (count 0, NaN means) and their counts.
//
// Probabilities: Platt-mapped SVM scores (svm/platt_scaling.hpp) or any probability a cell
// outputs; raw decision values are not probabilities and are refused. For three classes, score
// each class's column one-vs-rest.
// Not templates: defined in impl/calibration.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/bootstrap.hpp"

namespace dermtl::metrics {

enum class calibration_bins {
    equal_width,  // calibration_curve(strategy='uniform')
    equal_mass,   // calibration_curve(strategy='quantile')
};

inline constexpr std::size_t default_calibration_bins = 10;

// One bin of a reliability diagram.
struct reliability_bin {
    double lower = 0, upper = 0;  // edges: (lower, upper], the first bin [lower, upper]
    std::size_t count = 0;
    double mean_predicted = std::numeric_limits<double>::quiet_NaN();      // NaN when empty
    double observed_frequency = std::numeric_limits<double>::quiet_NaN();  // share of positives; NaN when empty
};

// Represents: the reliability diagram of one set of predictions and its calibration errors.
struct reliability_diagram {
    calibration_bins binning = calibration_bins::equal_width;
    std::size_t cases = 0;
    std::vector<reliability_bin> bins;  // B bins, empty ones included, increasing
    double expected_calibration_error = 0;
    double maximum_calibration_error = 0;  // max_k |observed_k - mean_predicted_k| over non-empty bins
};

// Requires: labels 0/1 (one class alone is allowed), one probability in [0, 1] per label, weights
//           empty or one finite non-negative weight per label with a positive sum.
// Ensures: sklearn.metrics.brier_score_loss(labels, probabilities, sample_weight=weights).
// Throws: config_error (labels, probabilities outside [0, 1], weights), shape_error, numeric_error.
DERMTL_DECL double brier_score(std::span<const int> labels, std::span<const double> probabilities,
                               std::span<const double> weights = {});

// Requires: as brier_score (no weights); n_bins >= 1.
// Ensures: the bins above; the non-empty bins' (observed_frequency, mean_predicted) are
//          calibration_curve(labels, probabilities, n_bins=n_bins, strategy=...)'s (prob_true, prob_pred).
DERMTL_DECL reliability_diagram reliability(std::span<const int> labels, std::span<const double> probabilities,
                                            calibration_bins binning = calibration_bins::equal_width,
                                            std::size_t n_bins = default_calibration_bins);

// reliability(...).expected_calibration_error.
DERMTL_DECL double expected_calibration_error(std::span<const int> labels, std::span<const double> probabilities,
                                              calibration_bins binning = calibration_bins::equal_width,
                                              std::size_t n_bins = default_calibration_bins);

// The bootstrap interval of the ECE (bins recomputed on each resample, as equal-mass edges
// depend on the sample), clustered and stratified as bootstrap.hpp says.
DERMTL_DECL bootstrap_result bootstrap_calibration_error(std::span<const int> labels,
                                                         std::span<const double> probabilities,
                                                         calibration_bins binning = calibration_bins::equal_width,
                                                         std::size_t n_bins = default_calibration_bins,
                                                         std::span<const std::string> groups = {},
                                                         const bootstrap_options& options = {});

// The diagram as CSV (lower,upper,count,mean_predicted,observed_frequency; empty means blank).
DERMTL_DECL std::string to_csv(const reliability_diagram& d);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/calibration.ipp"
#endif
