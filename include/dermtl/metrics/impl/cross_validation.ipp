// Definitions of metrics/cross_validation.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/cross_validation.hpp"

#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

DERMTL_DECL fold_summary summarize_folds(std::span<const double> per_fold) {
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

DERMTL_DECL double fold_auc(const fold_predictions& fold) {
    detail::check_same_size("fold_auc", fold.labels.size(), static_cast<std::size_t>(fold.scores.rows()), "score row");
    if (fold.scores.cols() == 1) {
        const std::vector<double> s(fold.scores.data(), fold.scores.data() + fold.scores.rows());
        return roc_auc(fold.labels, s);
    }
    return one_vs_one_auc(fold.labels, fold.scores);
}

DERMTL_DECL pooled_binary pool_binary(std::span<const fold_predictions> folds, const std::string& who) {
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

DERMTL_DECL fold_summary cross_validated_auc(std::span<const fold_predictions> folds) {
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

DERMTL_DECL std::vector<stratum_auc> auc_by_stratum(std::span<const fold_predictions> folds,
                                                    const std::vector<std::string>& names) {
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
