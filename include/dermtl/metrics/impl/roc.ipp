// Definitions of metrics/roc.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/roc.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL cumulative_counts binary_clf_curve(std::span<const int> labels, std::span<const double> scores) {
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    cumulative_counts c;
    double tp = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        tp += labels[order[k]];
        const bool last_of_value = k + 1 == order.size() || scores[order[k]] != scores[order[k + 1]];
        if (last_of_value) {
            c.true_positives.push_back(tp);
            c.false_positives.push_back(static_cast<double>(k + 1) - tp);
            c.thresholds.push_back(scores[order[k]]);
        }
    }
    return c;
}

DERMTL_DECL void check_binary_scores(std::string_view op, std::span<const int> labels, std::span<const double> scores) {
    check_same_size(op, labels.size(), scores.size());
    check_finite(op, scores);
    check_binary_labels(op, labels);
}

}  // namespace detail

DERMTL_DECL roc_curve_points roc_curve(std::span<const int> labels, std::span<const double> scores,
                                       bool drop_intermediate) {
    detail::check_binary_scores("roc_curve", labels, scores);
    auto c = detail::binary_clf_curve(labels, scores);
    auto& tps = c.true_positives;
    auto& fps = c.false_positives;
    auto& thr = c.thresholds;
    if (drop_intermediate && fps.size() > 2) {
        std::vector<double> t2, f2, h2;
        for (std::size_t i = 0; i < fps.size(); ++i) {
            const bool end = i == 0 || i + 1 == fps.size();
            if (end || fps[i - 1] - 2 * fps[i] + fps[i + 1] != 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] != 0) {
                t2.push_back(tps[i]);
                f2.push_back(fps[i]);
                h2.push_back(thr[i]);
            }
        }
        tps.swap(t2);
        fps.swap(f2);
        thr.swap(h2);
    }
    roc_curve_points r;
    const double p = tps.back(), n = fps.back();
    r.fpr.reserve(fps.size() + 1);
    r.tpr.reserve(fps.size() + 1);
    r.fpr.push_back(0.0);
    r.tpr.push_back(0.0);
    r.thresholds.push_back(thr.front() + 1);
    for (std::size_t i = 0; i < fps.size(); ++i) {
        r.fpr.push_back(fps[i] / n);
        r.tpr.push_back(tps[i] / p);
        r.thresholds.push_back(thr[i]);
    }
    return r;
}

DERMTL_DECL double trapezoid_area(std::span<const double> x, std::span<const double> y) {
    double area = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) area += (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
    return area;
}

DERMTL_DECL double roc_auc(std::span<const int> labels, std::span<const double> scores) {
    const auto r = roc_curve(labels, scores, true);
    return trapezoid_area(r.fpr, r.tpr);
}

}  // namespace dermtl::metrics
