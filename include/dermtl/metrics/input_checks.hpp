#pragma once
// Input checks shared by every metric: one place that turns bad input into a clear dermtl error
// instead of a silent, meaningless number (an AUC of 0.5 from single-class labels, a NaN score
// sorted somewhere arbitrary, ...).
//
// Contract of each check: `op` names the calling operation (it starts the message); the message
// then says what was expected and what was found. On success the check returns normally.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::metrics {

// Counts of a binary label vector (0 = negative, 1 = positive).
struct class_counts {
    std::size_t negatives = 0;
    std::size_t positives = 0;
};

namespace detail {

inline std::string op_prefix(std::string_view op) { return std::string(op) + ": "; }

// Requires labels.size() == scores.size() and non-empty input; throws shape_error otherwise.
inline void check_same_size(std::string_view op, std::size_t n_labels, std::size_t n_scores,
                            std::string_view what = "scores") {
    if (n_labels == 0)
        throw config_error(op_prefix(op) + "expected at least one case, found an empty set (an empty fold?)");
    if (n_labels != n_scores)
        throw shape_error(op_prefix(op) + "expected one " + std::string(what) + " value per label (" +
                          std::to_string(n_labels) + " labels), found " + std::to_string(n_scores));
}

// Requires every value finite; throws numeric_error naming the first bad index.
inline void check_finite(std::string_view op, std::span<const double> values, std::string_view what = "score") {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw numeric_error(op_prefix(op) + "expected finite " + std::string(what) + "s, found " +
                                std::to_string(values[i]) + " at index " + std::to_string(i));
}

// Requires labels in {0, 1} with both classes present; returns the counts.
inline class_counts check_binary_labels(std::string_view op, std::span<const int> labels) {
    class_counts c;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] == 0)
            ++c.negatives;
        else if (labels[i] == 1)
            ++c.positives;
        else
            throw config_error(op_prefix(op) + "expected binary labels 0/1, found " + std::to_string(labels[i]) +
                               " at index " + std::to_string(i));
    }
    if (c.negatives == 0 || c.positives == 0)
        throw config_error(op_prefix(op) + "expected both classes among the labels, found a single class (" +
                           std::to_string(c.negatives) + " negatives, " + std::to_string(c.positives) +
                           " positives); the metric is undefined");
    return c;
}

// Requires labels in [0, n_classes) with every class present (n_classes >= 2).
inline void check_class_labels(std::string_view op, std::span<const int> labels, int n_classes) {
    if (n_classes < 2)
        throw config_error(op_prefix(op) + "expected at least 2 classes, found " + std::to_string(n_classes));
    std::vector<std::size_t> counts(static_cast<std::size_t>(n_classes), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= n_classes)
            throw config_error(op_prefix(op) + "expected labels in [0, " + std::to_string(n_classes) + "), found " +
                               std::to_string(labels[i]) + " at index " + std::to_string(i));
        ++counts[static_cast<std::size_t>(labels[i])];
    }
    for (int k = 0; k < n_classes; ++k)
        if (counts[static_cast<std::size_t>(k)] == 0)
            throw config_error(op_prefix(op) + "expected every one of the " + std::to_string(n_classes) +
                               " classes among the labels, found none of class " + std::to_string(k) +
                               "; the metric is undefined");
}

}  // namespace detail
}  // namespace dermtl::metrics
