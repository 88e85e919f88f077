#pragma once
// Choosing the SVM's C by validation AUC, the two ways of the paper and its reference code:
//   c_selection::single_split      -- the paper: one stratified 10% validation split of the
//                                     training set;
//   c_selection::repeated_splits   -- the reference code: GridSearchCV over 10 stratified 10%
//                                     splits (StratifiedShuffleSplit), scored by the mean AUC.
// Both search C in {1e-3, 1e-2, ..., 1e4}; ties go to the smaller C (GridSearchCV's first best).
// The AUC is the paper's: binary AUC for two classes, the mean one-vs-one AUC for three (the
// reference code scored its three-class grid search with sklearn's macro one-vs-rest AUC instead;
// the paper reports one-vs-one, so selection optimizes what is reported).
// Not templates: select_c and its helpers are defined in impl/c_selection.ipp (core/config.hpp).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/svm/linear_svm.hpp"
#include "dermtl/svm/stratified_split.hpp"

namespace dermtl::svm {

// The paper's grid: 1e-3, 1e-2, ..., 1e4.
inline std::vector<double> paper_c_grid() { return {1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4}; }

namespace c_selection {

// The paper (Sec. 2, step 5): "We separate 10% of the training set for validation".
struct single_split {
    static constexpr int n_splits = 1;                 // one validation split
    static constexpr double validation_fraction = 0.1; // stratified 10%
};

// The reference implementation: StratifiedShuffleSplit(n_iter=10, test_size=0.1), mean AUC.
struct repeated_splits {
    static constexpr int n_splits = 10;
    static constexpr double validation_fraction = 0.1;
};

// A C-selection policy names how many stratified splits to average and their validation share.
template <class P>
concept policy = requires {
    { P::n_splits } -> std::convertible_to<int>;
    { P::validation_fraction } -> std::convertible_to<double>;
} && (P::n_splits >= 1) && (P::validation_fraction > 0.0) && (P::validation_fraction < 1.0);

}  // namespace c_selection

// The run-time form of a policy, plus the grid, the seed of the splits and the SVM settings.
struct selection_settings {
    int n_splits = 1;
    double validation_fraction = 0.1;
    std::vector<double> c_grid = paper_c_grid();
    std::uint64_t seed = 0;
    train_options train;
};

template <c_selection::policy Policy>
selection_settings settings_for(std::uint64_t seed = 0, train_options train = {}) {
    selection_settings s;
    s.n_splits = Policy::n_splits;
    s.validation_fraction = Policy::validation_fraction;
    s.seed = seed;
    s.train = train;
    return s;
}

// Represents: one grid point's validation AUC on each split and their mean.
struct c_candidate {
    double c = 0;
    std::vector<double> split_auc;
    double mean_auc = 0;
};

// Represents: the whole search. For two classes, validation_decision / validation_labels hold
// the best C's decision values on the validation cases of every split (pooled), for Platt scaling.
struct selection_result {
    std::vector<c_candidate> candidates;  // in grid order
    double best_c = 0;
    double best_mean_auc = 0;
    std::vector<double> validation_decision;
    std::vector<int> validation_labels;
};

namespace detail {

// The rows `rows` of x, in that order.
DERMTL_DECL feature_matrix select_rows(const feature_matrix& x, std::span<const std::size_t> rows);

// The labels at `rows`, in that order.
DERMTL_DECL std::vector<int> select_labels(std::span<const int> labels, std::span<const std::size_t> rows);

}  // namespace detail

// Requires: x finite with one row per label; labels in [0, n_classes) with >= 2 cases per class;
//           a non-empty grid of positive C values.
// Ensures: every grid point scored on the same n_splits stratified splits (seeded by
//          settings.seed); best_c maximizes the mean validation AUC, the smaller C on ties.
// Throws: shape_error, config_error, numeric_error as the parts it calls.
DERMTL_DECL selection_result select_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                      const selection_settings& settings);

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/c_selection.ipp"
#endif
