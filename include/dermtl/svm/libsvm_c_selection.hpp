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
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

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
inline double libsvm_validation_auc(const feature_matrix& x_val, std::span<const int> y_val, int n_classes, double c,
                                    const feature_matrix& x_train, std::span<const int> y_train,
                                    const libsvm_options& svc, std::uint64_t seed) {
    if (n_classes == 2) {
        const auto model = libsvm_svc::fit(x_train, y_train, c, seed, svc);
        return metrics::roc_auc(y_val, model.decision_values(x_val));
    }
    const auto model = libsvm_one_vs_rest::fit(x_train, y_train, n_classes, c, seed, svc);
    return metrics::one_vs_rest_macro_auc(y_val, model.decision_values(x_val));
}

// Requires: x finite with one row per label; labels in [0, n_classes) with every class present
//           in every split's training and validation part; a non-empty grid of positive C.
// Ensures: every grid point scored on `splits` (in order); best_c maximizes the mean validation
//          AUC, the smaller (earlier) C on ties; result.splits = splits.
// Throws: config_error, shape_error, numeric_error as the parts it calls.
inline libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
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

// As above, on settings.n_splits stratified splits drawn from rng(settings.seed)
// (repeated_stratified_holdouts).
inline libsvm_selection_result select_libsvm_c(const feature_matrix& x, std::span<const int> labels, int n_classes,
                                               const libsvm_selection_settings& settings) {
    detail::check_features("select_libsvm_c", x, labels.size());
    detail::check_labels("select_libsvm_c", labels, n_classes);
    return select_libsvm_c(x, labels, n_classes, settings,
                           repeated_stratified_holdouts(labels, n_classes, settings.validation_fraction,
                                                        settings.n_splits, settings.seed));
}

}  // namespace dermtl::svm
