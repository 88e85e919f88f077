#pragma once
// Cross-validation statistics: the metric on each test fold, their mean and standard deviation
// (the paper's 5x2-fold protocol), and the AUC per stratum of diagnostic difficulty with the
// stratum's share of the data (the paper's Table 4).
#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <vector>

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
inline fold_summary summarize_folds(std::span<const double> per_fold) {
    constexpr const char* op = "summarize_folds";
    if (per_fold.empty()) throw config_error(std::string(op) + ": expected at least one fold result, found none");
    detail::check_finite(op, per_fold, "fold result");
    fold_summary s;
    s.per_fold.assign(per_fold.begin(), per_fold.end());
    const double n = static_cast<double>(per_fold.size());
    s.mean = std::accumulate(per_fold.begin(), per_fold.end(), 0.0) / n;
    if (per_fold.size() > 1) {
        double ss = 0;
        for (double v : per_fold) ss += (v - s.mean) * (v - s.mean);
        s.std_dev = std::sqrt(ss / (n - 1));
    }
    return s;
}

// The paper's AUC for one fold: binary AUC for one score column, the mean one-vs-one AUC for K.
// Requires: a non-empty fold whose labels match its score rows; both (all) classes present.
inline double fold_auc(const fold_predictions& fold) {
    detail::check_same_size("fold_auc", fold.labels.size(), static_cast<std::size_t>(fold.scores.rows()), "score row");
    if (fold.scores.cols() == 1) {
        const std::vector<double> s(fold.scores.data(), fold.scores.data() + fold.scores.rows());
        return roc_auc(fold.labels, s);
    }
    return one_vs_one_auc(fold.labels, fold.scores);
}

// Binary labels and scores pooled over test folds (ROC curves, referral analysis).
struct pooled_binary {
    std::vector<int> labels;
    std::vector<double> scores;
};

// Requires: binary folds (one score column) with one score per label. `who` prefixes errors.
// Throws: config_error (a fold with several score columns), shape_error (sizes), naming the fold.
inline pooled_binary pool_binary(std::span<const fold_predictions> folds, const std::string& who) {
    pooled_binary out;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        const auto& fold = folds[f];
        if (fold.scores.cols() != 1)
            throw config_error(who + ": expected binary predictions (one score column) in fold " + std::to_string(f + 1) +
                               ", found " + std::to_string(fold.scores.cols()) + " columns; use a binary design");
        if (static_cast<std::size_t>(fold.scores.rows()) != fold.labels.size())
            throw shape_error(who + ": fold " + std::to_string(f + 1) + ": expected one score per label (" +
                              std::to_string(fold.labels.size()) + "), found " + std::to_string(fold.scores.rows()));
        out.labels.insert(out.labels.end(), fold.labels.begin(), fold.labels.end());
        out.scores.insert(out.scores.end(), fold.scores.data(), fold.scores.data() + fold.scores.rows());
    }
    return out;
}

// Requires: at least one fold; each fold non-empty with both (all) classes.
// Ensures: per-fold AUC (fold order), mean and standard deviation.
// Throws: config_error naming the fold when a fold is empty or lacks a class.
inline fold_summary cross_validated_auc(std::span<const fold_predictions> folds) {
    if (folds.empty()) throw config_error("cross_validated_auc: expected at least one fold, found none");
    std::vector<double> aucs;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        try {
            aucs.push_back(fold_auc(folds[f]));
        } catch (const config_error& e) {
            throw config_error("cross_validated_auc: fold " + std::to_string(f + 1) + ": " + e.what());
        }
    }
    return summarize_folds(aucs);
}

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
inline std::vector<stratum_auc> auc_by_stratum(std::span<const fold_predictions> folds,
                                               const std::vector<std::string>& names = {}) {
    constexpr const char* op = "auc_by_stratum";
    if (folds.empty()) throw config_error(std::string(op) + ": expected at least one fold, found none");
    std::map<int, std::size_t> counts;
    std::size_t total = 0;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        const auto& fold = folds[f];
        if (fold.labels.empty())
            throw config_error(std::string(op) + ": fold " + std::to_string(f + 1) +
                               ": expected test cases, found an empty fold");
        detail::check_same_size(op, fold.labels.size(), static_cast<std::size_t>(fold.scores.rows()), "score row");
        if (fold.strata.size() != fold.labels.size())
            throw shape_error(std::string(op) + ": fold " + std::to_string(f + 1) + ": expected one stratum per case (" +
                              std::to_string(fold.labels.size()) + "), found " + std::to_string(fold.strata.size()));
        for (int s : fold.strata) ++counts[s];
        total += fold.labels.size();
    }
    std::vector<stratum_auc> out;
    for (const auto& [s, n] : counts) {
        stratum_auc r;
        r.stratum = s;
        r.name = s >= 0 && static_cast<std::size_t>(s) < names.size() ? names[static_cast<std::size_t>(s)]
                                                                        : std::to_string(s);
        r.n_cases = n;
        r.share = static_cast<double>(n) / static_cast<double>(total);
        std::vector<double> aucs;
        for (std::size_t f = 0; f < folds.size(); ++f) {
            const auto& fold = folds[f];
            fold_predictions sub;
            std::vector<Eigen::Index> rows;
            for (std::size_t i = 0; i < fold.labels.size(); ++i)
                if (fold.strata[i] == s) rows.push_back(static_cast<Eigen::Index>(i));
            sub.scores.resize(static_cast<Eigen::Index>(rows.size()), fold.scores.cols());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                sub.labels.push_back(fold.labels[static_cast<std::size_t>(rows[i])]);
                sub.scores.row(static_cast<Eigen::Index>(i)) = fold.scores.row(rows[i]);
            }
            try {
                aucs.push_back(fold_auc(sub));
            } catch (const config_error&) {  // a class (or every case) of this stratum is absent here
                r.undefined_folds.push_back(f + 1);
            }
        }
        if (aucs.empty())
            throw config_error(std::string(op) + ": stratum '" + r.name + "': expected at least one fold where "
                               "every class is present, found none; its AUC is undefined");
        r.auc = summarize_folds(aucs);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace dermtl::metrics
