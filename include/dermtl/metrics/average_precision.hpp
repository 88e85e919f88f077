#pragma once
// Average precision as sklearn.metrics.average_precision_score defines it (the ISIC scorer's AP,
// the paper's mAP column): AP = sum_n (R_n - R_{n-1}) P_n over decreasing distinct thresholds,
// with no interpolation.
// Not templates: defined in impl/average_precision.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

// Requires: labels 0/1 with both classes, one finite score per label (higher = more positive).
// Ensures: average_precision_score(labels, scores) (equal to 1e-12 or better).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
DERMTL_DECL double average_precision(std::span<const int> labels, std::span<const double> scores);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/average_precision.ipp"
#endif
