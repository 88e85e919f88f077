#pragma once
// Choosing libsvm's C as the reference code did: GridSearchCV(SVC(kernel='linear',
// class_weight='balanced'), {C: 1e-3 .. 1e4}, cv=StratifiedShuffleSplit(n_iter=10,
// test_size=0.1), scoring='roc_auc'), best C by the mean validation AUC (the first best, i.e. the
// smaller C, on ties), then refit on everything (libsvm_classifier.hpp).
//
// What is scored: sklearn 0.17's roc_auc scorer asks the model's decision_function first, so
//   two classes -- the binary AUC of the SVC's decision values;
//   three      -- the macro one-vs-rest AUC of OneVsRestClassifier's decision values (the
//                 reference scored label_binarize(y) against them, average='macro').
// The grid-search fits need no Platt sigmoid: libsvm fits the decision function apart from the
// sigmoid's internal CV, so the decision values are those of SVC(probability=True).
// The splits are dermtl's stratified splits (stratified_split.hpp), not sklearn's draws; they are
// returned so a check can hand the same index lists to sklearn. (The reference's three-class
// StratifiedShuffleSplit was given the n x 3 binarized label matrix; sklearn 0.17's np.unique
// flattens it into the "classes" 0 and 1 of its 3n entries and draws row indices per entry, so
// those splits repeat cases and share cases between training and validation. dermtl stratifies
// on the three classes instead.)
// Not templates (but the policy helpers): defined in impl/libsvm_c_selection.ipp (core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/svm/c_selection.hpp"
#include "dermtl/svm/libsvm_svc.hpp"
#include "dermtl/svm/stratified_split.hpp"

namespace dermtl::svm {

// The run-time form of a c_selection policy, the grid, the seed and libsvm's settings.
struct libsvm_selection_settings {
    int n_splits = c_selection::repeated_splits::n_splits;
    double validation_fraction = c_selection::repeated_splits::validation_fraction;
    std::vector<double> c_grid = paper_c_grid();
    std::uint64_t seed = 0;  // the splits, and the final model's Platt CV
    libsvm_options svc;
};

template <c_selection::policy Policy>
libsvm_selection_settings libsvm_settings_for(std::uint64_t seed = 0, libsvm_options svc = {}) {
    libsvm_selection_settings s;
    s.n_splits = Policy::n_splits;
    s.validation_fraction = Policy::validation_fraction;
    s.seed = seed;
    s.svc = svc;
    return s;
}

// Represents: the whole search. candidates in grid order (c_candidate: C, AUC per split, mean);
// splits: the (train, validation) index lists every C was scored on.
struct libsvm_selection_result {
    std::vector<c_candidate> candidates;
    double best_c = 0;
    double best_mean_auc = 0;
    std::vector<holdout_split> splits;
};

// The reference's validation score of one fitted model on one split (see top of file).
DERMTL_DECL double libsvm_validation_auc(const feature_matrix& x_val, std::span<const int> y_val, int n_classes,
                                         double c, const feature_matrix& x_train, std::span<const int> y_train,
                                         const libsvm_options& svc, std::uint64_t seed);

// Requires: x finite with one row per label; labels in [0, n_classes) with every class present
//           in every split's training and validation part; a non-empty grid of positive C.
// Ensures: every grid point scored on `splits` (in order); best_c maximizes the mean validation
//          AUC, the smaller (earlier) C on ties; result.splits = splits.
// Throws: config_error, shape_error, numeric_error as the parts it calls.
DERMTL_DECL libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                    const libsvm_selection_settings& settings,
                                                    std::vector<holdout_split> splits);

// As above, on settings.n_splits stratified splits drawn from rng(settings.seed)
// (repeated_stratified_holdouts).
DERMTL_DECL libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                                    const libsvm_selection_settings& settings);

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/libsvm_c_selection.ipp"
#endif
