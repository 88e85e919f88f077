// Definitions of svm/libsvm_classifier.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/libsvm_classifier.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::svm {

DERMTL_DECL metrics::score_matrix libsvm_classifier::scores(const feature_matrix& x) const {
    if (const auto* b = std::get_if<libsvm_svc>(&model)) {
        const auto p = b->probabilities(x);
        metrics::score_matrix s(static_cast<Eigen::Index>(p.size()), 1);
        for (std::size_t i = 0; i < p.size(); ++i) s(static_cast<Eigen::Index>(i), 0) = p[i];
        return s;
    }
    return std::get<libsvm_one_vs_rest>(model).class_probabilities(x);
}

DERMTL_DECL std::vector<double> libsvm_classifier::confidences(const feature_matrix& x) const {
    if (const auto* b = std::get_if<libsvm_svc>(&model)) return b->probabilities(x);
    throw config_error("libsvm_classifier::confidences: expected a two-class classifier, found " +
                       std::to_string(n_classes()) + " classes");
}

DERMTL_DECL std::vector<int> libsvm_classifier::predict(const feature_matrix& x) const {
    if (const auto* ovr = std::get_if<libsvm_one_vs_rest>(&model)) return ovr->predict_first_positive(x);
    return std::get<libsvm_svc>(model).predict(x);
}

DERMTL_DECL metrics::score_matrix libsvm_classifier::decision_values(const feature_matrix& x) const {
    if (const auto* b = std::get_if<libsvm_svc>(&model)) {
        const auto d = b->decision_values(x);
        metrics::score_matrix s(static_cast<Eigen::Index>(d.size()), 1);
        for (std::size_t i = 0; i < d.size(); ++i) s(static_cast<Eigen::Index>(i), 0) = d[i];
        return s;
    }
    return std::get<libsvm_one_vs_rest>(model).decision_values(x);
}

DERMTL_DECL libsvm_classifier train_libsvm_classifier(const feature_matrix& x, std::span<const int> labels,
                                                      int n_classes, const libsvm_selection_settings& settings) {
    auto selection = select_libsvm_c(x, labels, n_classes, settings);
    const double c = selection.best_c;
    if (n_classes == 2)
        return libsvm_classifier{libsvm_svc::fit(x, labels, c, settings.seed, settings.svc), std::move(selection)};
    return libsvm_classifier{libsvm_one_vs_rest::fit(x, labels, n_classes, c, settings.seed, settings.svc),
                             std::move(selection)};
}

}  // namespace dermtl::svm
