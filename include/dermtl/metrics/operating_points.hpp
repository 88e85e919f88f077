#pragma once
// Operating points on the ROC curve: the sensitivity reached at a fixed specificity, the
// specificity at a fixed sensitivity, and the point at which a given number of cases is called
// positive (the referral analysis of referral.hpp: refer the r n highest-scoring cases).
//
// Convention: ties are shared. The cases scoring above a cut are called positive, and of a group
// of cases with equal scores at the cut a share is (the expected counts under random
// tie-breaking). The points so reachable are the ROC polyline (roc_curve with every point), so
// targets between two ROC points are interpolated linearly, never rounded to a neighbour:
//   - sensitivity at specificity s: the highest sensitivity with specificity >= s, on the
//     polyline (at a vertical step, its top);
//   - specificity at sensitivity s: the highest specificity with sensitivity >= s (at a
//     horizontal step, its left end).
// These are pROC's (1.18) coords(roc, x, input = "specificity" / "sensitivity") for
// roc(..., levels = c(0, 1), direction = "<"). The ISIC 2016/2017 scorer's "specificity at
// sensitivity" instead reads the first ROC point reaching the target, without interpolation:
// that one is threshold_metrics.hpp's specificity_at_sensitivity.
// Not templates: defined in impl/operating_points.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <string>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

// Represents: one point of the ROC polyline with ties shared.
struct operating_point {
    double true_positives = 0;   // positives called positive (fractional where a tie group is shared)
    double false_positives = 0;  // negatives called positive
    double sensitivity = 0;
    double specificity = 0;
    // The cut: cases scoring above `threshold` are called positive, and `share_at_threshold` of
    // those scoring exactly `threshold`. Nothing called positive: threshold = the highest score, share 0.
    double threshold = 0;
    double share_at_threshold = 0;
};

namespace detail {

// On cumulative counts (roc.hpp's binary_clf_curve) of a scoring with `positives` and `negatives`:
// the point where `called` cases (0 <= called <= n) are called positive;
DERMTL_DECL operating_point point_at_called_positive(const cumulative_counts& c, double called);
// the point of highest sensitivity with specificity >= target (0 <= target <= 1);
DERMTL_DECL operating_point point_at_specificity(const cumulative_counts& c, double target);
// the point of highest specificity with sensitivity >= target (0 <= target <= 1).
DERMTL_DECL operating_point point_at_sensitivity(const cumulative_counts& c, double target);

}  // namespace detail

// Requires: labels 0/1 with both classes, one finite score per label, specificity in [0, 1].
// Ensures: as above (pROC's coords(..., input = "specificity", ret = "sensitivity")).
// Throws: config_error (labels, target), shape_error, numeric_error (NaN/Inf scores).
DERMTL_DECL operating_point operating_point_at_specificity(std::span<const int> labels, std::span<const double> scores,
                                                           double specificity);

// Requires / throws: as above, with a sensitivity in [0, 1].
DERMTL_DECL operating_point operating_point_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                                           double sensitivity);

// The bootstrap intervals (bootstrap.hpp: clustered by groups where given, stratified by class)
// of the sensitivity at a fixed specificity, and of the specificity at a fixed sensitivity.
DERMTL_DECL bootstrap_result bootstrap_sensitivity_at_specificity(std::span<const int> labels,
                                                                  std::span<const double> scores, double specificity,
                                                                  std::span<const std::string> groups = {},
                                                                  const bootstrap_options& options = {});
DERMTL_DECL bootstrap_result bootstrap_specificity_at_sensitivity(std::span<const int> labels,
                                                                  std::span<const double> scores, double sensitivity,
                                                                  std::span<const std::string> groups = {},
                                                                  const bootstrap_options& options = {});

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/operating_points.ipp"
#endif
