#pragma once
// Cross-validation statistics: the metric on each test fold, their mean and standard deviation
// (the paper's 5x2-fold protocol), and the AUC per stratum of diagnostic difficulty with the
// stratum's share of the data (the paper's Table 4).
// Not templates: defined in impl/cross_validation.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::metrics {

// Represents: the predictions of one trained model on its test fold.
//   labels: one class per test case (0/1 for binary designs, 0..K-1 for K classes);
//   scores: n x 1 (binary: the positive class's score) or n x K (one column per class);
//   strata: empty, or one stratum id per case (e.g. 0 low, 1 medium, 2 high difficulty).
struct fold_predictions {
    std::vector<int> labels;
    score_matrix scores;
    std::vector<int> strata;
};

// Represents: one metric over folds. per_fold in fold order; std_dev is the sample standard
// deviation (n - 1 in the denominator), 0 when there is a single fold.
struct fold_summary {
    std::vector<double> per_fold;
    double mean = 0;
    double std_dev = 0;
};

// Requires: at least one value, all finite. Ensures: mean and sample standard deviation.
DERMTL_DECL fold_summary summarize_folds(std::span<const double> per_fold);

// The paper's AUC for one fold: binary AUC for one score column, the mean one-vs-one AUC for K.
// Requires: a non-empty fold whose labels match its score rows; both (all) classes present.
DERMTL_DECL double fold_auc(const fold_predictions& fold);

// Binary labels and scores pooled over test folds (ROC curves, referral analysis).
struct pooled_binary {
    std::vector<int> labels;
    std::vector<double> scores;
};

// Requires: binary folds (one score column) with one score per label. `who` prefixes errors.
// Throws: config_error (a fold with several score columns), shape_error (sizes), naming the fold.
DERMTL_DECL pooled_binary pool_binary(std::span<const fold_predictions> folds, const std::string& who);

// Requires: at least one fold; each fold non-empty with both (all) classes.
// Ensures: per-fold AUC (fold order), mean and standard deviation.
// Throws: config_error naming the fold when a fold is empty or lacks a class.
DERMTL_DECL fold_summary cross_validated_auc(std::span<const fold_predictions> folds);

// Represents: the AUC restricted to one stratum, over the folds where it is defined.
//   undefined_folds: 1-based folds skipped because the stratum had a single class (or no case)
//   there: reported, never scored as 0.5. n_cases / share: the stratum's test cases summed over
//   all folds and their share of all test cases (in 5x2 CV every case is tested 5 times, so this
//   is the stratum's share of the data).
struct stratum_auc {
    int stratum = 0;
    std::string name;
    fold_summary auc;
    std::vector<std::size_t> undefined_folds;
    std::size_t n_cases = 0;
    double share = 0;
};

// Requires: every fold has one stratum id per case; names[s] names stratum s when given (ids
//           without a name are named by their number).
// Ensures: one entry per stratum id present, in increasing id order.
// Throws: shape_error (strata missing or of the wrong length), config_error (empty fold, a
//         stratum whose AUC is undefined in every fold).
DERMTL_DECL std::vector<stratum_auc> auc_by_stratum(std::span<const fold_predictions> folds,
                                                    const std::vector<std::string>& names = {});

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/cross_validation.ipp"
#endif
