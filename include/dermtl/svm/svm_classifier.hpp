#pragma once
// The paper's decision layer end to end: choose C by validation AUC (single split or repeated
// splits), refit on the whole training set with that C, and -- for two classes -- fit the Platt
// mapping to [0, 1] on the validation decision values, for the ISIC scorer's `> 0.5` rule.
//
//   auto clf = svm::train_svm_classifier<svm::c_selection::single_split>(x_train, y_train, 2, seed);
//   auto scores = clf.model.binary_decision_values(x_test);       // AUC, AP, referral
//   auto conf = clf.confidences(x_test);                          // ACC/SE/SP at > 0.5
//
// Not templates (but the policy overload): defined in impl/svm_classifier.ipp (core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/score_matrix.hpp"
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
    std::vector<double> confidences(const feature_matrix& x) const;

    // The interface shared with libsvm_classifier (the experiment uses only these):
    double chosen_c() const { return selection.best_c; }

    // What the protocol computes AUC on: the final model's decision values, n x 1 or n x K.
    metrics::score_matrix scores(const feature_matrix& x) const { return model.decision_values(x); }

    // The SVM's decision: two classes, class 1 where the decision value is > 0 (liblinear's
    // predict); K, the class of the largest decision value, the first on ties (liblinear's and
    // sklearn LinearSVC's predict).
    std::vector<int> predict(const feature_matrix& x) const;
};

// Requires / throws: as select_c. Ensures: model fitted on all of (x, labels) with
// selection.best_c; for two classes, calibration fitted on selection's validation values.
DERMTL_DECL svm_classifier train_svm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                const selection_settings& settings);

template <c_selection::policy Policy>
svm_classifier train_svm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                    std::uint64_t seed = 0, train_options train = {}) {
    return train_svm_classifier(x, labels, n_classes, settings_for<Policy>(seed, train));
}

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/svm_classifier.ipp"
#endif
