#pragma once
// Every classification measure of the ISIC challenges' scorers, defined as the official scorers
// compute them (ImageMarkup/isic-challenge-scoring: Python/scoreCommon.py for 2016-2017,
// isic_challenge_scoring/metrics.py and classification.py for 2018 on; the 2024 Kaggle metric of
// ISIC-Research/Challenge-2024-Metrics, PrimaryMetric-pAUC.py). Written from their definitions:
//
//   auc_sens_80 (2018+)   raw area under the ROC curve from sensitivity 0.80 to FPR 1: the curve
//                         (every point, sklearn drop_intermediate=False) is cut at the first point
//                         whose TPR reaches 0.80, a point at exactly TPR 0.80 is put in front with
//                         its FPR interpolated linearly on the segment that straddles it, and the
//                         trapezoids are summed. No McClish normalization (sklearn's max_fpr has it).
//   pAUC above TPR (2024) the area of the ROC curve of the inverted task (labels 1 - y, scores
//                         1 - s) from FPR 0 to 1 - min_tpr, a point at exactly that FPR
//                         interpolated linearly: range [0, 1 - min_tpr], [0, 0.2] at 80% TPR.
//                         Identity: the inverted curve is the original one reflected, so
//                         auc_sens_80 = pAUC(0.8) + 0.8 * (1 - FPR at TPR 0.8).
//   spec_at_sens_NN       1 - FPR at the first ROC point (sklearn's default curve) whose TPR
//                         reaches NN %, no interpolation: 95/98/99 (2016), 82/89/95 (2017).
//                         metrics::specificity_at_sensitivity computes it.
//   ACC SE SP PPV NPV Dice  from the confusion counts of truth > 0.5 against prediction > 0.5,
//                         an undefined ratio (0/0) scored 1.0 except ACC (2018+; the 2016-2017 scorer left SE
//                         and SP undefined instead: the caller decides).
//   balanced accuracy     the mean over categories of (weighted) true positives / (weighted)
//                         truth frequency; a row's label is the column of its largest value, and a
//                         row whose largest values tie is "undecided": undecided truth rows are
//                         dropped, an undecided prediction counts as wrong; a category with no
//                         truth weight is left out of the mean.
//   AUC, AP               sklearn's roc_auc_score / average_precision_score with sample_weight.
//
// Weights: every function takes optional per-image score weights (the 2019 truth files'
// score_weight / validation_weight columns); an empty span means weight 1 for every image.
// Images of weight 0 are dropped from the ROC and PR curves, as sklearn does.
// Not templates: defined in impl/isic_challenge.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::metrics {

// The sensitivity auc_sens_80 starts from, and the 2024 challenge's minimum TPR.
inline constexpr double isic_auc_sensitivity = 0.80;

// Requires: labels 0/1 with both classes among the images of nonzero weight; finite scores;
//           weights empty or one finite, non-negative weight per label.
// Ensures: sklearn.metrics.roc_curve(labels, scores, sample_weight=weights, drop_intermediate=...).
// Throws: config_error (labels, weights), shape_error (sizes), numeric_error (NaN/Inf).
DERMTL_DECL roc_curve_points weighted_roc_curve(std::span<const int> labels, std::span<const double> scores,
                                                std::span<const double> weights, bool drop_intermediate = true);

// sklearn.metrics.roc_auc_score(labels, scores, sample_weight=weights). Requires / throws: as weighted_roc_curve.
DERMTL_DECL double weighted_roc_auc(std::span<const int> labels, std::span<const double> scores,
                                    std::span<const double> weights = {});

// sklearn.metrics.average_precision_score(labels, scores, sample_weight=weights) (sklearn 1.2).
DERMTL_DECL double weighted_average_precision(std::span<const int> labels, std::span<const double> scores,
                                              std::span<const double> weights = {});

// Represents: the scorer's auc_above_sensitivity: the raw ROC area right of the point where the
// curve reaches `min_sensitivity` (auc_sens_80 at 0.80; see the header comment).
// Requires: min_sensitivity in (0, 1]; labels/scores/weights as weighted_roc_curve.
// Ensures: in [0, 1]; (1 - 0.8^2) / 2 = 0.18 for a diagonal ROC at 0.80; 0 when the curve
//          reaches TPR 1 only at FPR 1.
DERMTL_DECL double auc_above_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                         double min_sensitivity, std::span<const double> weights = {});

// Represents: the 2024 challenge's pAUC above `min_tpr` (p_auc_tpr of PrimaryMetric-pAUC.py):
// the area under the ROC curve of labels 1 - y and scores 1 - s from FPR 0 to 1 - min_tpr.
// Requires: min_tpr in [0, 1); scores in [0, 1] (the Kaggle submissions' probabilities);
//           labels/weights as weighted_roc_curve.
// Ensures: in [0, 1 - min_tpr]; min_tpr 0 gives the whole AUC.
// Throws: config_error also for min_tpr or a score outside its range.
DERMTL_DECL double partial_auc_above_tpr(std::span<const int> labels, std::span<const double> scores, double min_tpr,
                                         std::span<const double> weights = {});

// The sensitivities of the challenges' "specificity at sensitivity" measures: 2016 (Part 3) and
// 2017 (Part 3, per category).
inline constexpr double isic_2016_sensitivities[] = {0.95, 0.98, 0.99};
inline constexpr double isic_2017_sensitivities[] = {0.82, 0.89, 0.95};

// Represents: 1 - FPR at the first point of sklearn's default ROC curve (with sample weights)
// whose TPR reaches min_sensitivity, no interpolation (Python/scoreCommon.py's computeSPECMetrics).
// Without weights it equals metrics::specificity_at_sensitivity (threshold_metrics.hpp).
// Requires: min_sensitivity in (0, 1]; labels/scores/weights as weighted_roc_curve.
DERMTL_DECL double weighted_specificity_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                                       double min_sensitivity, std::span<const double> weights = {});

// The (weighted) confusion counts of truth > 0.5 against prediction > 0.5.
struct isic_confusion {
    double true_positives = 0, true_negatives = 0, false_positives = 0, false_negatives = 0;
};

// Requires: truth and prediction of equal length, finite; weights empty or one per value.
// Throws: shape_error (sizes), numeric_error (NaN/Inf), config_error (negative weights).
DERMTL_DECL isic_confusion isic_confusion_counts(std::span<const double> truth, std::span<const double> prediction,
                                                 std::span<const double> weights = {});

// The scorer's thresholded measures (2018+): each ratio whose denominator is 0 is 1.0.
struct isic_rates {
    double accuracy = 0;     // (TP + TN) / all, unguarded as the scorer's (NaN only when every weight is 0)
    double sensitivity = 0;  // TP / (TP + FN)
    double specificity = 0;  // TN / (TN + FP)
    double dice = 0;         // 2 TP / (2 TP + FP + FN)
    double ppv = 0;          // TP / (TP + FP)
    double npv = 0;          // TN / (TN + FN)
};

DERMTL_DECL isic_rates isic_rates_of(const isic_confusion& c);

// Represents: the label of each row as the scorer's _to_labels gives it: the column of the
// largest value, or -1 ("undecided") where two or more columns share the largest value.
DERMTL_DECL std::vector<int> isic_row_labels(const score_matrix& probabilities);

// Represents: the scorer's balanced multiclass accuracy (see the header comment).
// Requires: truth and prediction n x K with the same shape, finite; weights empty or n values.
// Ensures: a value in [0, 1]. Throws: shape_error, numeric_error, config_error (no category has
//          any truth weight: the mean is undefined).
DERMTL_DECL double balanced_multiclass_accuracy(const score_matrix& truth, const score_matrix& prediction,
                                                std::span<const double> weights = {});

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/isic_challenge.ipp"
#endif
