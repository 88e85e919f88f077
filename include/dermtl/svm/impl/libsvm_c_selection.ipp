// Definitions of svm/libsvm_c_selection.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/libsvm_c_selection.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/svm/c_selection.hpp"
#include "dermtl/svm/libsvm_svc.hpp"
#include "dermtl/svm/linear_svm.hpp"
#include "dermtl/svm/stratified_split.hpp"

namespace dermtl::svm {

DERMTL_DECL double libsvm_validation_auc(const feature_matrix& x_val, std::span<const int> y_val, int n_classes,
                                         double c, const feature_matrix& x_train, std::span<const int> y_train,
                                         const libsvm_options& svc, std::uint64_t seed) {
    if (n_classes == 2) {
        const auto model = libsvm_svc::fit(x_train, y_train, c, seed, svc);
        return metrics::roc_auc(y_val, model.decision_values(x_val));
    }
    const auto model = libsvm_one_vs_rest::fit(x_train, y_train, n_classes, c, seed, svc);
    return metrics::one_vs_rest_macro_auc(y_val, model.decision_values(x_val));
}

DERMTL_DECL libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                    const libsvm_selection_settings& settings,
                                                    std::vector<holdout_split> splits) {
    const std::string op = "select_libsvm_c";
    detail::check_features(op, x, labels.size());
    detail::check_labels(op, labels, n_classes);
    if (settings.c_grid.empty()) throw config_error(op + ": expected a non-empty C grid, found none");
    if (splits.empty()) throw config_error(op + ": expected at least one validation split, found none");
    libsvm_options svc = settings.svc;
    svc.probability = false;  // the decision values do not depend on it (see top of file)
    libsvm_selection_result r;
    for (double c : settings.c_grid) r.candidates.push_back({c, {}, 0});
    for (std::size_t s = 0; s < splits.size(); ++s) {
        const auto& split = splits[s];
        for (std::size_t i : split.train)
            if (i >= labels.size())
                throw config_error(op + ": split " + std::to_string(s + 1) + ": expected case indices below " +
                                   std::to_string(labels.size()) + ", found " + std::to_string(i));
        for (std::size_t i : split.validation)
            if (i >= labels.size())
                throw config_error(op + ": split " + std::to_string(s + 1) + ": expected case indices below " +
                                   std::to_string(labels.size()) + ", found " + std::to_string(i));
        const auto x_train = detail::select_rows(x, split.train);
        const auto y_train = detail::select_labels(labels, split.train);
        const auto x_val = detail::select_rows(x, split.validation);
        const auto y_val = detail::select_labels(labels, split.validation);
        for (auto& cand : r.candidates) {
            try {
                cand.split_auc.push_back(
                    libsvm_validation_auc(x_val, y_val, n_classes, cand.c, x_train, y_train, svc, settings.seed));
            } catch (const config_error& e) {
                throw config_error(op + ": split " + std::to_string(s + 1) + ", C = " + std::to_string(cand.c) +
                                   ": " + e.what());
            }
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
    r.splits = std::move(splits);
    return r;
}

DERMTL_DECL libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                    const libsvm_selection_settings& settings) {
    detail::check_features("select_libsvm_c", x, labels.size());
    detail::check_labels("select_libsvm_c", labels, n_classes);
    return select_libsvm_c(x, labels, n_classes, settings,
                           repeated_stratified_holdouts(labels, n_classes, settings.validation_fraction,
                                                        settings.n_splits, settings.seed));
}

}  // namespace dermtl::svm
