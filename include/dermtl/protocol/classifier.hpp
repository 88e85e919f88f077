#pragma once
// Classifier policies: the decision layer trained on the L2-normalized fc7 features.
//
//   name, title          -- registry name and title (cell_id::classifier)
//   train(x, y, K, seed) -- a trained classifier (C chosen by validation AUC, refit) with the
//                           members chosen_c(), scores(x), confidences(x), predict(x)
// linear_svm<> is the paper's: liblinear, C from {1e-3 .. 1e4} chosen on one stratified 10% split;
// linear_svm<svm::c_selection::repeated_splits> is that with the reference code's mean over 10
// splits; libsvm_svc is the reference code's classifier itself (libsvm SVC, Platt probabilities).
#include <cstdint>
#include <span>
#include <string_view>

#include "dermtl/svm/c_selection.hpp"
#include "dermtl/svm/libsvm_classifier.hpp"
#include "dermtl/svm/svm_classifier.hpp"

namespace dermtl::protocol::classifier {

template <svm::c_selection::policy Selection = svm::c_selection::single_split>
struct linear_svm {
    // "svm" (the paper's, the default of cell_id) or "svm_repeated_splits" (the reference code's).
    static constexpr std::string_view name = Selection::n_splits == 1 ? "svm" : "svm_repeated_splits";
    static constexpr std::string_view title =
        Selection::n_splits == 1 ? "Linear SVM" : "Linear SVM (C by repeated validation splits)";
    static svm::svm_classifier train(const svm::feature_matrix& x, std::span<const int> labels, int classes,
                                     std::uint64_t seed) {
        return svm::train_svm_classifier<Selection>(x, labels, classes, seed);
    }
};

// The reference implementation's classifier: sklearn 0.17 SVC(kernel='linear',
// class_weight='balanced', probability=True) = libsvm (hinge loss, unregularized bias), one-vs-rest
// for three classes, C by GridSearchCV's mean AUC over 10 stratified 10% splits, refit on all;
// scores are its Platt probabilities (what the reference computed AUC on).
struct libsvm_svc {
    static constexpr std::string_view name = "libsvm_svc";
    static constexpr std::string_view title = "Linear SVC (libsvm, Platt probabilities)";
    static svm::libsvm_classifier train(const svm::feature_matrix& x, std::span<const int> labels, int classes,
                                        std::uint64_t seed) {
        return svm::train_libsvm_classifier<svm::c_selection::repeated_splits>(x, labels, classes, seed);
    }
};

}  // namespace dermtl::protocol::classifier
