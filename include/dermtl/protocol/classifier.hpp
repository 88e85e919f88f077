#pragma once
// Classifier policies: the decision layer trained on the L2-normalized fc7 features.
//
//   name, title          -- registry name and title (cell_id::classifier)
//   train(x, y, K, seed) -- a trained svm::svm_classifier (C chosen by validation AUC, refit)
// linear_svm<> is the paper's: C from {1e-3 .. 1e4} chosen on one stratified 10% split;
// linear_svm<svm::c_selection::repeated_splits> is the reference code's mean over 10 splits.
#include <cstdint>
#include <span>
#include <string_view>

#include "dermtl/svm/c_selection.hpp"
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

}  // namespace dermtl::protocol::classifier
