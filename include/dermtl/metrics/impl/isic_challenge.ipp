// Definitions of metrics/isic_challenge.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/isic_challenge.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::metrics {

namespace isic_detail {

// Weights checked and made explicit: one per label, finite, non-negative; all 1 when none given.
DERMTL_DECL std::vector<double> weights_for(std::string_view op, std::size_t n, std::span<const double> weights) {
    if (weights.empty()) return std::vector<double>(n, 1.0);
    detail::check_same_size(op, n, weights.size(), "weight");
    detail::check_finite(op, weights, "weight");
    for (std::size_t i = 0; i < weights.size(); ++i)
        if (weights[i] < 0)
            throw config_error(detail::op_prefix(op) + "expected non-negative weights, found " +
                               std::to_string(weights[i]) + " at index " + std::to_string(i));
    return {weights.begin(), weights.end()};
}

// numpy.interp(x, [x0, x1], [y0, y1]) for x0 <= x <= x1, x0 < x1, with numpy's exact end points.
DERMTL_DECL double interpolate(double x, double x0, double x1, double y0, double y1) {
    if (x == x1) return y1;
    if (x == x0) return y0;
    const double slope = (y1 - y0) / (x1 - x0);
    return slope * (x - x0) + y0;
}

}  // namespace isic_detail

namespace isic_detail {

// sklearn's _binary_clf_curve with sample_weight: the images of weight 0 dropped, then the
// weighted cumulative counts at each distinct score, from the highest down. Checks the input.
DERMTL_DECL cumulative_counts weighted_clf_curve(std::string_view op, std::span<const int> labels,
                                                 std::span<const double> scores, std::span<const double> weights) {
    detail::check_same_size(op, labels.size(), scores.size());
    detail::check_finite(op, scores);
    const auto w = weights_for(op, labels.size(), weights);
    std::vector<std::size_t> order;
    std::vector<int> kept_labels;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (w[i] != 0) {
            order.push_back(i);
            kept_labels.push_back(labels[i]);
        }
    detail::check_binary_labels(op, kept_labels);  // both classes among the images of nonzero weight
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    cumulative_counts c;
    double tp = 0, fp = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = order[k];
        (labels[i] == 1 ? tp : fp) += w[i];
        if (k + 1 == order.size() || scores[i] != scores[order[k + 1]]) {
            c.true_positives.push_back(tp);
            c.false_positives.push_back(fp);
            c.thresholds.push_back(scores[i]);
        }
    }
    return c;
}

}  // namespace isic_detail

DERMTL_DECL roc_curve_points weighted_roc_curve(std::span<const int> labels, std::span<const double> scores,
                                                std::span<const double> weights, bool drop_intermediate) {
    const auto c = isic_detail::weighted_clf_curve("weighted_roc_curve", labels, scores, weights);
    const auto& tps = c.true_positives;
    const auto& fps = c.false_positives;
    roc_curve_points r;
    const double p = tps.back(), n = fps.back();
    r.fpr.push_back(0.0);
    r.tpr.push_back(0.0);
    r.thresholds.push_back(c.thresholds.front() + 1);
    for (std::size_t i = 0; i < fps.size(); ++i) {
        // sklearn keeps the ends and every point where numpy.diff(x, 2) of fps or tps is nonzero
        // (computed as numpy does, so weighted sums round the same way).
        const bool end = i == 0 || i + 1 == fps.size();
        if (drop_intermediate && fps.size() > 2 && !end && (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) == 0 &&
            (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) == 0)
            continue;
        r.fpr.push_back(fps[i] / n);
        r.tpr.push_back(tps[i] / p);
        r.thresholds.push_back(c.thresholds[i]);
    }
    return r;
}

DERMTL_DECL double weighted_roc_auc(std::span<const int> labels, std::span<const double> scores,
                                    std::span<const double> weights) {
    const auto r = weighted_roc_curve(labels, scores, weights, true);
    return trapezoid_area(r.fpr, r.tpr);
}

DERMTL_DECL double weighted_average_precision(std::span<const int> labels, std::span<const double> scores,
                                              std::span<const double> weights) {
    // Every distinct threshold (precision_recall_curve drops nothing in sklearn 1.2), from the
    // highest: AP = sum_k (R_k - R_{k-1}) P_k with R_{-1} = 0, P_k = tp_k / (tp_k + fp_k).
    const auto c = isic_detail::weighted_clf_curve("weighted_average_precision", labels, scores, weights);
    const auto& tps = c.true_positives;
    double ap = 0, previous_recall = 0;
    for (std::size_t k = 0; k < tps.size(); ++k) {
        const double predicted = tps[k] + c.false_positives[k];
        const double precision = predicted != 0 ? tps[k] / predicted : 0.0;
        const double recall = tps[k] / tps.back();
        ap += (recall - previous_recall) * precision;
        previous_recall = recall;
    }
    return ap;
}

DERMTL_DECL double auc_above_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                         double min_sensitivity, std::span<const double> weights) {
    if (!(min_sensitivity > 0 && min_sensitivity <= 1))
        throw config_error("auc_above_sensitivity: expected a sensitivity in (0, 1], found " +
                           std::to_string(min_sensitivity));
    const auto r = weighted_roc_curve(labels, scores, weights, false);
    // The first point whose TPR reaches the target (numpy searchsorted, side='left'); point 0 has
    // TPR 0, so the segment before it exists and straddles the target.
    const std::size_t k =
        std::size_t(std::lower_bound(r.tpr.begin(), r.tpr.end(), min_sensitivity) - r.tpr.begin());
    std::vector<double> x{isic_detail::interpolate(min_sensitivity, r.tpr[k - 1], r.tpr[k], r.fpr[k - 1], r.fpr[k])};
    std::vector<double> y{min_sensitivity};
    x.insert(x.end(), r.fpr.begin() + std::ptrdiff_t(k), r.fpr.end());
    y.insert(y.end(), r.tpr.begin() + std::ptrdiff_t(k), r.tpr.end());
    return trapezoid_area(x, y);
}

DERMTL_DECL double partial_auc_above_tpr(std::span<const int> labels, std::span<const double> scores, double min_tpr,
                                         std::span<const double> weights) {
    constexpr const char* op = "partial_auc_above_tpr";
    if (!(min_tpr >= 0 && min_tpr < 1))
        throw config_error(std::string(op) + ": expected a minimum TPR in [0, 1), found " + std::to_string(min_tpr));
    detail::check_same_size(op, labels.size(), scores.size());
    detail::check_finite(op, scores);
    std::vector<int> inverted_labels(labels.size());
    std::vector<double> inverted_scores(scores.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (scores[i] < 0 || scores[i] > 1)
            throw config_error(std::string(op) + ": expected scores in [0, 1] (the 2024 challenge inverts them as 1 - "
                               "score), found " + std::to_string(scores[i]) + " at index " + std::to_string(i));
        if (labels[i] != 0 && labels[i] != 1)
            throw config_error(std::string(op) + ": expected binary labels 0/1, found " + std::to_string(labels[i]) +
                               " at index " + std::to_string(i));
        inverted_labels[i] = 1 - labels[i];
        inverted_scores[i] = std::abs(scores[i] - 1);
    }
    const auto r = weighted_roc_curve(inverted_labels, inverted_scores, weights, true);
    const double max_fpr = std::abs(1 - min_tpr);
    if (max_fpr == 1) return trapezoid_area(r.fpr, r.tpr);
    // The points with FPR <= max_fpr (numpy searchsorted, side='right'), then one at max_fpr.
    const std::size_t stop = std::size_t(std::upper_bound(r.fpr.begin(), r.fpr.end(), max_fpr) - r.fpr.begin());
    std::vector<double> x(r.fpr.begin(), r.fpr.begin() + std::ptrdiff_t(stop));
    std::vector<double> y(r.tpr.begin(), r.tpr.begin() + std::ptrdiff_t(stop));
    y.push_back(isic_detail::interpolate(max_fpr, r.fpr[stop - 1], r.fpr[stop], r.tpr[stop - 1], r.tpr[stop]));
    x.push_back(max_fpr);
    return trapezoid_area(x, y);
}

DERMTL_DECL double weighted_specificity_at_sensitivity(std::span<const int> labels, std::span<const double> scores,
                                                       double min_sensitivity, std::span<const double> weights) {
    if (!(min_sensitivity > 0 && min_sensitivity <= 1))
        throw config_error("weighted_specificity_at_sensitivity: expected a sensitivity in (0, 1], found " +
                           std::to_string(min_sensitivity));
    const auto r = weighted_roc_curve(labels, scores, weights, true);
    for (std::size_t i = 0; i < r.tpr.size(); ++i)
        if (r.tpr[i] >= min_sensitivity) return 1.0 - r.fpr[i];
    return 0.0;  // the scorer's value when no point reaches it (the last point has TPR 1: unreachable)
}

DERMTL_DECL isic_confusion isic_confusion_counts(std::span<const double> truth, std::span<const double> prediction,
                                                 std::span<const double> weights) {
    constexpr const char* op = "isic_confusion_counts";
    detail::check_same_size(op, truth.size(), prediction.size(), "prediction");
    detail::check_finite(op, truth, "truth value");
    detail::check_finite(op, prediction, "prediction");
    const auto w = isic_detail::weights_for(op, truth.size(), weights);
    isic_confusion c;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const bool t = truth[i] > 0.5, p = prediction[i] > 0.5;
        (t ? (p ? c.true_positives : c.false_negatives) : (p ? c.false_positives : c.true_negatives)) += w[i];
    }
    return c;
}

DERMTL_DECL isic_rates isic_rates_of(const isic_confusion& c) {
    const auto ratio = [](double num, double den) { return den == 0 ? 1.0 : num / den; };
    const double tp = c.true_positives, tn = c.true_negatives, fp = c.false_positives, fn = c.false_negatives;
    isic_rates r;
    const double all = tp + tn + fp + fn;
    r.accuracy = all == 0 ? std::numeric_limits<double>::quiet_NaN() : (tp + tn) / all;
    r.sensitivity = ratio(tp, tp + fn);
    r.specificity = ratio(tn, tn + fp);
    r.dice = ratio(2 * tp, 2 * tp + fp + fn);
    r.ppv = ratio(tp, tp + fp);
    r.npv = ratio(tn, tn + fn);
    return r;
}

DERMTL_DECL std::vector<int> isic_row_labels(const score_matrix& probabilities) {
    std::vector<int> labels(std::size_t(probabilities.rows()), -1);
    for (Eigen::Index i = 0; i < probabilities.rows(); ++i) {
        const double top = probabilities.row(i).maxCoeff();
        int at = -1, count = 0;
        for (Eigen::Index k = 0; k < probabilities.cols(); ++k)
            if (probabilities(i, k) == top) {
                at = int(k);
                ++count;
            }
        labels[std::size_t(i)] = count == 1 ? at : -1;
    }
    return labels;
}

DERMTL_DECL double balanced_multiclass_accuracy(const score_matrix& truth, const score_matrix& prediction,
                                                std::span<const double> weights) {
    constexpr const char* op = "balanced_multiclass_accuracy";
    if (truth.rows() != prediction.rows() || truth.cols() != prediction.cols() || truth.rows() == 0)
        throw shape_error(std::string(op) + ": expected truth and prediction of the same non-empty shape, found " +
                          std::to_string(truth.rows()) + " x " + std::to_string(truth.cols()) + " and " +
                          std::to_string(prediction.rows()) + " x " + std::to_string(prediction.cols()));
    if (!truth.allFinite() || !prediction.allFinite())
        throw numeric_error(std::string(op) + ": expected finite truth and prediction values, found NaN or Inf");
    const auto w = isic_detail::weights_for(op, std::size_t(truth.rows()), weights);
    const auto t = isic_row_labels(truth), p = isic_row_labels(prediction);
    std::vector<double> frequency(std::size_t(truth.cols()), 0.0), hits(std::size_t(truth.cols()), 0.0);
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] < 0) continue;  // undecided truth: in no category
        frequency[std::size_t(t[i])] += w[i];
        if (p[i] == t[i]) hits[std::size_t(t[i])] += w[i];
    }
    double sum = 0;
    std::size_t counted = 0;
    for (std::size_t k = 0; k < frequency.size(); ++k)
        if (frequency[k] != 0) {
            sum += hits[k] / frequency[k];
            ++counted;
        }
    if (counted == 0)
        throw config_error(std::string(op) + ": expected at least one category with truth weight, found none");
    return sum / double(counted);
}

}  // namespace dermtl::metrics
