#pragma once
// Input checks shared by every metric: one place that turns bad input into a clear dermtl error
// instead of a silent, meaningless number (an AUC of 0.5 from single-class labels, a NaN score
// sorted somewhere arbitrary, ...).
//
// Contract of each check: `op` names the calling operation (it starts the message); the message
// then says what was expected and what was found. On success the check returns normally.
// Not templates: defined in impl/input_checks.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::metrics {

// Counts of a binary label vector (0 = negative, 1 = positive).
struct class_counts {
    std::size_t negatives = 0;
    std::size_t positives = 0;
};

namespace detail {

DERMTL_DECL std::string op_prefix(std::string_view op);

// Requires labels.size() == scores.size() and non-empty input; throws shape_error otherwise.
DERMTL_DECL void check_same_size(std::string_view op, std::size_t n_labels, std::size_t n_scores,
                                 std::string_view what = "scores");

// Requires every value finite; throws numeric_error naming the first bad index.
DERMTL_DECL void check_finite(std::string_view op, std::span<const double> values, std::string_view what = "score");

// Requires labels in {0, 1} with both classes present; returns the counts.
DERMTL_DECL class_counts check_binary_labels(std::string_view op, std::span<const int> labels);

// Requires labels in [0, n_classes) with every class present (n_classes >= 2).
DERMTL_DECL void check_class_labels(std::string_view op, std::span<const int> labels, int n_classes);

}  // namespace detail
}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/input_checks.ipp"
#endif
