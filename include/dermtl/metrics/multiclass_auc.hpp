#pragma once
// Multi-class AUC as the paper reports it for Melanoma x Carcinoma x Benign: the mean of the
// one-vs-one AUCs (Hand & Till 2001, "A simple generalisation of the area under the ROC curve for
// multiple class classification problems"); and the macro one-vs-rest AUC, what the paper's
// reference code computed (roc_auc_score(label_binarize(y), P, average='macro')).
#include <cmath>
#include <cstddef>
#include <string>
#include <span>
#include <vector>

#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::metrics {

namespace detail {

inline void check_finite_scores(const char* op, const score_matrix& scores) {
    for (Eigen::Index j = 0; j < scores.cols(); ++j)
        for (Eigen::Index i = 0; i < scores.rows(); ++i)
            if (!std::isfinite(scores(i, j)))
                throw numeric_error(std::string(op) + ": expected finite scores, found " +
                                    std::to_string(scores(i, j)) + " at row " + std::to_string(i) + ", column " +
                                    std::to_string(j));
}

}  // namespace detail

// Represents: M = 2 / (K (K-1)) * sum_{a<b} (A(a|b) + A(b|a)) / 2, where A(a|b) is the AUC of
// column a separating class a from class b, computed on the cases of classes a and b only.
// Requires: labels in [0, K) with every class present, scores n x K (K = scores.cols() >= 2),
//           finite. Scores need not be probabilities (SVM decision values are fine).
// Ensures: equals sklearn's roc_auc_score(labels, scores, multi_class='ovo', average='macro')
//          whenever sklearn accepts the input (rows summing to 1).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
inline double one_vs_one_auc(std::span<const int> labels, const score_matrix& scores) {
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

// Represents: (1/K) * sum_k A(k), where A(k) is the AUC of column k separating class k from all
// other classes, on every case (ties count one half).
// Requires: labels in [0, K) with every class present, scores n x K (K = scores.cols() >= 2),
//           finite; any scores (probabilities, unnormalized per-class probabilities, decision values).
// Ensures: equals sklearn's roc_auc_score(label_binarize(labels, classes=range(K)), scores,
//          average='macro') for K >= 3, which is roc_auc_score(labels, scores, multi_class='ovr',
//          average='macro') whenever sklearn accepts the input (rows summing to 1). For K = 2 it
//          is the mean of the two columns' AUCs (sklearn would score column 1 alone).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
inline double one_vs_rest_macro_auc(std::span<const int> labels, const score_matrix& scores) {
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
