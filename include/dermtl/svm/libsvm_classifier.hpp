#pragma once
// The reference code's decision layer end to end: C chosen by the mean validation AUC over
// stratified splits (libsvm_c_selection.hpp), then SVC(kernel='linear', class_weight='balanced',
// probability=True) refit on the whole training set with that C -- libsvm_svc for two classes,
// libsvm_one_vs_rest for three -- whose Platt probabilities are what the reference scored.
//
//   auto clf = svm::train_libsvm_classifier(x_train, y_train, 2, svm::libsvm_selection_settings{});
//   metrics::fold_auc({y_test, clf.scores(x_test)});   // the reference's AUC
//   clf.predict(x_test);                               // the reference's ACC (the SVM's decision)
//
// Represents: a trained classifier; the members chosen_c / scores / confidences / predict are
//             the interface it shares with svm_classifier.
// Not templates (but the policy overload): defined in impl/libsvm_classifier.ipp (core/config.hpp).
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/svm/libsvm_c_selection.hpp"
#include "dermtl/svm/libsvm_svc.hpp"

namespace dermtl::svm {

struct libsvm_classifier {
    std::variant<libsvm_svc, libsvm_one_vs_rest> model;  // libsvm_svc for two classes
    libsvm_selection_result selection;

    int n_classes() const {
        return std::holds_alternative<libsvm_svc>(model) ? 2 : std::get<libsvm_one_vs_rest>(model).n_classes();
    }
    double chosen_c() const { return selection.best_c; }

    // What the reference computed its AUC on: two classes, n x 1 Platt probabilities of class 1
    // (predict_proba[:, 1]); three, n x K per-class Platt probabilities, not normalized (its
    // OneVsRestClassifier was fitted on label_binarize(y), so predict_proba is multilabel).
    metrics::score_matrix scores(const feature_matrix& x) const;

    // Two classes: Platt probability of class 1 in [0, 1] (for the ISIC `> 0.5` rule).
    std::vector<double> confidences(const feature_matrix& x) const;

    // The SVM's decision, as the reference's ACC takes it: two classes, libsvm's predict (the
    // decision value's sign); K, the reference's own rule (libsvm_one_vs_rest::
    // predict_first_positive: its OneVsRestClassifier was fitted on label_binarize(y), so predict
    // gives an indicator row, which LabelBinarizer.inverse_transform turns into the first class
    // with a positive decision value, class 0 when none is). It agrees with the argmax of the
    // decision values (libsvm_one_vs_rest::predict) whenever exactly one of them is positive.
    std::vector<int> predict(const feature_matrix& x) const;

    // The decision values: n x 1 (positive: class 1) or n x K.
    metrics::score_matrix decision_values(const feature_matrix& x) const;
};

// Requires / throws: as select_libsvm_c. Ensures: C chosen on the splits drawn from
// settings.seed; the model refit on all of (x, labels) with that C and settings.svc (probability
// as set there, on by default), its Platt CV seeded from settings.seed.
DERMTL_DECL libsvm_classifier train_libsvm_classifier(const feature_matrix& x, std::span<const int> labels,
                                                      int n_classes, const libsvm_selection_settings& settings);

template <c_selection::policy Policy>
libsvm_classifier train_libsvm_classifier(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                          std::uint64_t seed = 0, libsvm_options svc = {}) {
    return train_libsvm_classifier(x, labels, n_classes, libsvm_settings_for<Policy>(seed, svc));
}

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/libsvm_classifier.ipp"
#endif
