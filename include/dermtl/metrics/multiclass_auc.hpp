#pragma once
// Multi-class AUC as the paper reports it for Melanoma x Carcinoma x Benign: the mean of the
// one-vs-one AUCs (Hand & Till 2001, "A simple generalisation of the area under the ROC curve for
// multiple class classification problems"); and the macro one-vs-rest AUC, what the paper's
// reference code computed (roc_auc_score(label_binarize(y), P, average='macro')).
// Not templates: defined in impl/multiclass_auc.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cmath>
#include <cstddef>
#include <string>
#include <span>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL void check_finite_scores(const char* op, const score_matrix& scores);

}  // namespace detail

// Represents: M = 2 / (K (K-1)) * sum_{a<b} (A(a|b) + A(b|a)) / 2, where A(a|b) is the AUC of
// column a separating class a from class b, computed on the cases of classes a and b only.
// Requires: labels in [0, K) with every class present, scores n x K (K = scores.cols() >= 2),
//           finite. Scores need not be probabilities (SVM decision values are fine).
// Ensures: equals sklearn's roc_auc_score(labels, scores, multi_class='ovo', average='macro')
//          whenever sklearn accepts the input (rows summing to 1).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
DERMTL_DECL double one_vs_one_auc(std::span<const int> labels, const score_matrix& scores);

// Represents: (1/K) * sum_k A(k), where A(k) is the AUC of column k separating class k from all
// other classes, on every case (ties count one half).
// Requires: labels in [0, K) with every class present, scores n x K (K = scores.cols() >= 2),
//           finite; any scores (probabilities, unnormalized per-class probabilities, decision values).
// Ensures: equals sklearn's roc_auc_score(label_binarize(labels, classes=range(K)), scores,
//          average='macro') for K >= 3, which is roc_auc_score(labels, scores, multi_class='ovr',
//          average='macro') whenever sklearn accepts the input (rows summing to 1). For K = 2 it
//          is the mean of the two columns' AUCs (sklearn would score column 1 alone).
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN/Inf scores).
DERMTL_DECL double one_vs_rest_macro_auc(std::span<const int> labels, const score_matrix& scores);

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/multiclass_auc.ipp"
#endif
