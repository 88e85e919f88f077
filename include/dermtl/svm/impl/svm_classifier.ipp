// Definitions of svm/svm_classifier.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/svm_classifier.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::svm {

DERMTL_DECL std::vector<double> svm_classifier::confidences(const feature_matrix& x) const {
    if (!calibration)
        throw config_error("svm_classifier::confidences: expected a two-class classifier (Platt mapping), found " +
                           std::to_string(model.n_classes()) + " classes");
    return calibration->probabilities(model.binary_decision_values(x));
}

DERMTL_DECL std::vector<int> svm_classifier::predict(const feature_matrix& x) const {
    const auto d = model.decision_values(x);
    std::vector<int> out(static_cast<std::size_t>(d.rows()));
    for (Eigen::Index i = 0; i < d.rows(); ++i) {
        if (d.cols() == 1) {
            out[static_cast<std::size_t>(i)] = d(i, 0) > 0 ? 1 : 0;
            continue;
        }
        Eigen::Index best = 0;
        for (Eigen::Index k = 1; k < d.cols(); ++k)
            if (d(i, k) > d(i, best)) best = k;
        out[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
    return out;
}

DERMTL_DECL svm_classifier train_svm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                const selection_settings& settings) {
    svm_classifier clf;
    clf.selection = select_c(x, labels, n_classes, settings);
    clf.model = linear_svm::fit(x, labels, n_classes, clf.selection.best_c, settings.train);
    if (n_classes == 2) clf.calibration = fit_platt(clf.selection.validation_decision, clf.selection.validation_labels);
    return clf;
}

}  // namespace dermtl::svm
