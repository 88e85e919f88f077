#pragma once
// The paper's decision layer end to end: choose C by validation AUC (single split or repeated
// splits), refit on the whole training set with that C, and -- for two classes -- fit the Platt
// mapping to [0, 1] on the validation decision values, for the ISIC scorer's `> 0.5` rule.
//
//   auto clf = svm::train_svm_classifier<svm::c_selection::single_split>(x_train, y_train, 2, seed);
//   auto scores = clf.model.binary_decision_values(x_test);       // AUC, AP, referral
//   auto conf = clf.confidences(x_test);                          // ACC/SE/SP at > 0.5
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dermtl/svm/c_selection.hpp"
#include "dermtl/svm/linear_svm.hpp"
#include "dermtl/svm/platt_scaling.hpp"

namespace dermtl::svm {

// Represents: a trained decision layer. calibration is present for two classes only.
struct svm_classifier {
    linear_svm model;
    selection_result selection;
    std::optional<platt_scaling> calibration;

    // Two classes: Platt-mapped malignancy confidences in [0, 1] of the final model's scores.
    std::vector<double> confidences(const feature_matrix& x) const {
        if (!calibration)
            throw config_error("svm_classifier::confidences: expected a two-class classifier (Platt mapping), found " +
                               std::to_string(model.n_classes()) + " classes");
        return calibration->probabilities(model.binary_decision_values(x));
    }
};

// Requires / throws: as select_c. Ensures: model fitted on all of (x, labels) with
// selection.best_c; for two classes, calibration fitted on selection's validation values.
inline svm_classifier train_svm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                           const selection_settings& settings) {
    svm_classifier clf;
    clf.selection = select_c(x, labels, n_classes, settings);
    clf.model = linear_svm::fit(x, labels, n_classes, clf.selection.best_c, settings.train);
    if (n_classes == 2) clf.calibration = fit_platt(clf.selection.validation_decision, clf.selection.validation_labels);
    return clf;
}

template <c_selection::policy Policy>
svm_classifier train_svm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                    std::uint64_t seed = 0, train_options train = {}) {
    return train_svm_classifier(x, labels, n_classes, settings_for<Policy>(seed, train));
}

}  // namespace dermtl::svm
