// Definitions of metrics/multiclass_auc.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/multiclass_auc.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL void check_finite_scores(const char* op, const score_matrix& scores) {
    for (Eigen::Index j = 0; j < scores.cols(); ++j)
        for (Eigen::Index i = 0; i < scores.rows(); ++i)
            if (!std::isfinite(scores(i, j)))
                throw numeric_error(std::string(op) + ": expected finite scores, found " +
                                    std::to_string(scores(i, j)) + " at row " + std::to_string(i) + ", column " +
                                    std::to_string(j));
}

}  // namespace detail

DERMTL_DECL double one_vs_one_auc(std::span<const int> labels, const score_matrix& scores) {
    constexpr const char* op = "one_vs_one_auc";
    detail::check_same_size(op, labels.size(), static_cast<std::size_t>(scores.rows()), "score row");
    const int k = static_cast<int>(scores.cols());
    detail::check_class_labels(op, labels, k);
    detail::check_finite_scores(op, scores);
    double total = 0;
    int pairs = 0;
    for (int a = 0; a < k; ++a) {
        for (int b = a + 1; b < k; ++b) {
            std::vector<int> a_true, b_true;
            std::vector<double> a_score, b_score;
            for (std::size_t i = 0; i < labels.size(); ++i) {
                if (labels[i] != a && labels[i] != b) continue;
                a_true.push_back(labels[i] == a);
                b_true.push_back(labels[i] == b);
                a_score.push_back(scores(static_cast<Eigen::Index>(i), a));
                b_score.push_back(scores(static_cast<Eigen::Index>(i), b));
            }
            total += (roc_auc(a_true, a_score) + roc_auc(b_true, b_score)) / 2;
            ++pairs;
        }
    }
    return total / pairs;
}

DERMTL_DECL double one_vs_rest_macro_auc(std::span<const int> labels, const score_matrix& scores) {
    constexpr const char* op = "one_vs_rest_macro_auc";
    detail::check_same_size(op, labels.size(), static_cast<std::size_t>(scores.rows()), "score row");
    const int k = static_cast<int>(scores.cols());
    detail::check_class_labels(op, labels, k);
    detail::check_finite_scores(op, scores);
    double total = 0;
    std::vector<int> is_k(labels.size());
    std::vector<double> column(labels.size());
    for (int c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < labels.size(); ++i) {
            is_k[i] = labels[i] == c;
            column[i] = scores(static_cast<Eigen::Index>(i), c);
        }
        total += roc_auc(is_k, column);
    }
    return total / k;
}

}  // namespace dermtl::metrics
