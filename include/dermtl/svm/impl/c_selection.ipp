// Definitions of svm/c_selection.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/c_selection.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/svm/liblinear_problem.hpp"
#include "dermtl/svm/linear_svm.hpp"
#include "dermtl/svm/stratified_split.hpp"

namespace dermtl::svm {

namespace detail {

DERMTL_DECL feature_matrix select_rows(const feature_matrix& x, std::span<const std::size_t> rows) {
    feature_matrix out(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
    return out;
}

DERMTL_DECL std::vector<int> select_labels(std::span<const int> labels, std::span<const std::size_t> rows) {
    std::vector<int> out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out[i] = labels[rows[i]];
    return out;
}

}  // namespace detail

DERMTL_DECL selection_result select_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                      const selection_settings& settings) {
    constexpr const char* op = "select_c";
    detail::check_features(op, x, labels.size());
    detail::check_labels(op, labels, n_classes);
    if (settings.c_grid.empty()) throw config_error(std::string(op) + ": expected a non-empty C grid, found none");
    if (settings.n_splits < 1)
        throw config_error(std::string(op) + ": expected at least one split, found " + std::to_string(settings.n_splits));
    selection_result r;
    for (double c : settings.c_grid) r.candidates.push_back({c, {}, 0});
    std::vector<std::vector<std::vector<double>>> decision(settings.c_grid.size());  // [c][split] binary values
    std::vector<std::vector<int>> split_labels;
    rng g(settings.seed);
    for (int s = 0; s < settings.n_splits; ++s) {
        const auto split = stratified_holdout(labels, n_classes, settings.validation_fraction, g);
        liblinear_problem problem(x, split.train, settings.train.bias);
        const auto y_train = detail::select_labels(labels, split.train);
        const auto y_val = detail::select_labels(labels, split.validation);
        const auto x_val = detail::select_rows(x, split.validation);
        split_labels.push_back(y_val);
        for (std::size_t ci = 0; ci < settings.c_grid.size(); ++ci) {
            const auto model = linear_svm::fit(problem, y_train, n_classes, settings.c_grid[ci], settings.train);
            const auto dv = model.decision_values(x_val);
            double auc;
            if (n_classes == 2) {
                std::vector<double> v(dv.data(), dv.data() + dv.rows());
                auc = metrics::roc_auc(y_val, v);
                decision[ci].push_back(std::move(v));
            } else {
                auc = metrics::one_vs_one_auc(y_val, dv);
            }
            r.candidates[ci].split_auc.push_back(auc);
        }
    }
    std::size_t best = 0;
    for (std::size_t ci = 0; ci < r.candidates.size(); ++ci) {
        auto& cand = r.candidates[ci];
        double sum = 0;
        for (double a : cand.split_auc) sum += a;
        cand.mean_auc = sum / static_cast<double>(cand.split_auc.size());
        if (cand.mean_auc > r.candidates[best].mean_auc) best = ci;
    }
    r.best_c = r.candidates[best].c;
    r.best_mean_auc = r.candidates[best].mean_auc;
    if (n_classes == 2)
        for (std::size_t s = 0; s < split_labels.size(); ++s) {
            r.validation_decision.insert(r.validation_decision.end(), decision[best][s].begin(), decision[best][s].end());
            r.validation_labels.insert(r.validation_labels.end(), split_labels[s].begin(), split_labels[s].end());
        }
    return r;
}

}  // namespace dermtl::svm
