// Definitions of metrics/input_checks.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/input_checks.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL std::string op_prefix(std::string_view op) { return std::string(op) + ": "; }

DERMTL_DECL void check_same_size(std::string_view op, std::size_t n_labels, std::size_t n_scores,
                                 std::string_view what) {
    if (n_labels == 0)
        throw config_error(op_prefix(op) + "expected at least one case, found an empty set (an empty fold?)");
    if (n_labels != n_scores)
        throw shape_error(op_prefix(op) + "expected one " + std::string(what) + " value per label (" +
                          std::to_string(n_labels) + " labels), found " + std::to_string(n_scores));
}

DERMTL_DECL void check_finite(std::string_view op, std::span<const double> values, std::string_view what) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw numeric_error(op_prefix(op) + "expected finite " + std::string(what) + "s, found " +
                                std::to_string(values[i]) + " at index " + std::to_string(i));
}

DERMTL_DECL class_counts check_binary_labels(std::string_view op, std::span<const int> labels) {
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

DERMTL_DECL void check_class_labels(std::string_view op, std::span<const int> labels, int n_classes) {
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
