// Definitions of report/subgroups.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/subgroups.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/operating_points.hpp"

namespace dermtl::report {

namespace subgroups_detail {

// The cases of each fold that `keep`(fold, case) selects, with their ids.
struct selection {
    std::vector<metrics::fold_predictions> folds;
    std::vector<std::vector<std::string>> ids;
};

template <class Keep>
selection select(std::span<const metrics::fold_predictions> folds, std::span<const std::vector<std::string>> ids,
                 Keep&& keep) {
    selection s;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < folds[f].labels.size(); ++i)
            if (keep(f, i)) rows.push_back(i);
        metrics::fold_predictions p;
        p.scores.resize(static_cast<Eigen::Index>(rows.size()), 1);
        std::vector<std::string> fold_ids;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            p.labels.push_back(folds[f].labels[rows[k]]);
            p.scores(static_cast<Eigen::Index>(k), 0) = folds[f].scores(static_cast<Eigen::Index>(rows[k]), 0);
            fold_ids.push_back(ids[f][rows[k]]);
        }
        s.folds.push_back(std::move(p));
        s.ids.push_back(std::move(fold_ids));
    }
    return s;
}

DERMTL_DECL fold_metric fold_metric_of(const metrics::binary_metric& m) {
    return [m](std::span<const int> l, const metrics::score_matrix& s) {
        return m(l, std::span<const double>(s.data(), static_cast<std::size_t>(s.rows())));
    };
}

// One stratum's cell: counts and share from stratify's row, then the too-small rule, the mean
// over folds and its bootstrap interval.
DERMTL_DECL void fill_stratum(cell& x, const metrics::subgroup_row& row, const selection& s, std::size_t total,
                              const metrics::binary_metric& measure, const interval_options& intervals) {
    std::set<std::string> images, positive_images, negative_images;
    for (std::size_t f = 0; f < s.folds.size(); ++f)
        for (std::size_t i = 0; i < s.folds[f].labels.size(); ++i) {
            images.insert(s.ids[f][i]);
            (s.folds[f].labels[i] == 1 ? positive_images : negative_images).insert(s.ids[f][i]);
        }
    x.counts = stratum_counts{row.count, row.positives, row.negatives, images.size()};
    x.share = total ? static_cast<double>(row.count) / static_cast<double>(total) : 0.0;
    if (row.too_small) {
        x.too_small = row.reason;
        return;
    }
    if (positive_images.size() < 2 || negative_images.size() < 2) {
        x.too_small = "positives in " + std::to_string(positive_images.size()) + " image(s), negatives in " +
                      std::to_string(negative_images.size()) + "; a bootstrap needs 2 of each";
        return;
    }
    std::vector<double> per_fold;
    for (const auto& p : s.folds) {
        const auto positives = std::count(p.labels.begin(), p.labels.end(), 1);
        if (positives == 0 || positives == static_cast<std::ptrdiff_t>(p.labels.size())) continue;  // undefined here
        per_fold.push_back(
            measure(p.labels, std::span<const double>(p.scores.data(), static_cast<std::size_t>(p.scores.rows()))));
    }
    if (per_fold.empty()) {
        x.too_small = "no test fold holds both classes";
        return;
    }
    x.value = metrics::summarize_folds(per_fold);
    try {
        x.intervals = {bootstrap_interval(fold_mean_bootstrap(s.folds, s.ids, fold_metric_of(measure), intervals))};
    } catch (const error&) {
        x.intervals.clear();  // an interval never blocks a table (as cell_intervals.hpp)
    }
}

DERMTL_DECL std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "'" : ", '") + s + "'";
    return out;
}

}  // namespace subgroups_detail

DERMTL_DECL void add_subgroup_columns(table& t, const std::vector<std::string>& strata) {
    for (const auto& s : strata) t.add_column("", s);
    t.add_column("", all_strata_column);
    t.compare = comparison_axis::none;
}

DERMTL_DECL void set_subgroup_row(table& t, std::size_t r, const std::string& column,
                                  std::span<const metrics::fold_predictions> folds,
                                  std::span<const std::vector<std::string>> ids,
                                  std::span<const std::vector<std::string>> strata, const metrics::binary_metric& measure,
                                  const std::string& measure_name, const metrics::subgroup_options& rule,
                                  const interval_options& intervals) {
    const std::string op = "report::set_subgroup_row: table '" + t.id + "', subgroups of '" + column + "'";
    if (t.columns.empty() || t.columns.back().name != all_strata_column)
        throw shape_error(op + ": expected the columns of add_subgroup_columns (the strata, then 'All'), found " +
                          std::to_string(t.columns.size()) + " columns without 'All' last");
    if (ids.size() != folds.size() || strata.size() != folds.size())
        throw shape_error(op + ": expected one list of ids and of stratum values per fold (" +
                          std::to_string(folds.size()) + "), found " + std::to_string(ids.size()) + " and " +
                          std::to_string(strata.size()));
    std::vector<int> labels;
    std::vector<double> scores;
    std::vector<std::string> values, groups;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        const auto& p = folds[f];
        const std::string where = op + ", fold " + std::to_string(f + 1);
        if (p.scores.cols() != 1)
            throw config_error(where + ": expected a binary design (one score column), found " +
                               std::to_string(p.scores.cols()) + " columns");
        const auto n = p.labels.size();
        if (static_cast<std::size_t>(p.scores.rows()) != n || ids[f].size() != n || strata[f].size() != n)
            throw shape_error(where + ": expected one score, id and stratum value per label (" + std::to_string(n) +
                              "), found " + std::to_string(p.scores.rows()) + ", " + std::to_string(ids[f].size()) +
                              " and " + std::to_string(strata[f].size()));
        for (std::size_t i = 0; i < n; ++i) {
            labels.push_back(p.labels[i]);
            scores.push_back(p.scores(static_cast<Eigen::Index>(i), 0));
            values.push_back(metrics::stratum_value(strata[f][i]));
            groups.push_back(ids[f][i]);
        }
    }
    std::vector<std::string> names;
    for (std::size_t c = 0; c + 1 < t.columns.size(); ++c) names.push_back(t.columns[c].name);
    for (const auto& v : metrics::stratum_order(values))
        if (std::find(names.begin(), names.end(), v) == names.end())
            throw shape_error(op + ": stratum '" + v + "' has no column; the table's strata are " +
                              subgroups_detail::joined(names));
    // The counts and the too-small rule (pooled over the folds); the intervals are about the mean
    // over folds, computed below, so stratify computes none.
    metrics::subgroup_options o = rule;
    o.intervals = false;
    o.order = names;
    const auto st = metrics::stratify(column, values, labels, scores, {}, measure, measure_name, o);
    auto& row = t.rows.at(r);
    for (std::size_t c = 0; c < names.size(); ++c) {
        auto& x = row.cells.at(c);
        const auto found = std::find_if(st.rows.begin(), st.rows.end(),
                                        [&](const metrics::subgroup_row& s) { return s.value == names[c]; });
        if (found == st.rows.end()) {
            x.counts = stratum_counts{};
            x.share = 0.0;
            x.too_small = "no test case";
            continue;
        }
        const auto sel = subgroups_detail::select(folds, ids, [&](std::size_t f, std::size_t i) {
            return metrics::stratum_value(strata[f][i]) == names[c];
        });
        subgroups_detail::fill_stratum(x, *found, sel, labels.size(), measure, intervals);
    }
    const auto every = subgroups_detail::select(folds, ids, [](std::size_t, std::size_t) { return true; });
    subgroups_detail::fill_stratum(row.cells.at(names.size()), st.all, every, labels.size(), measure, intervals);
}

DERMTL_DECL std::vector<operating_target> default_operating_targets() {
    std::vector<operating_target> out;
    for (auto axis : {operating_axis::sensitivity_at_specificity, operating_axis::specificity_at_sensitivity})
        for (double v : {0.80, 0.90, 0.95}) out.push_back({axis, v});
    return out;
}

DERMTL_DECL void add_operating_point_columns(table& t, std::span<const operating_target> targets) {
    for (const auto& k : targets) {
        const bool se = k.axis == operating_axis::sensitivity_at_specificity;
        t.add_column(se ? "SE at fixed SP" : "SP at fixed SE",
                     fmt::format("{} {:g}%", se ? "SP" : "SE", 100 * k.target));
    }
    t.compare = comparison_axis::none;
    t.value_label.clear();
}

DERMTL_DECL void set_operating_point_row(table& t, std::size_t r, std::span<const operating_target> targets,
                                         std::span<const metrics::fold_predictions> folds,
                                         std::span<const std::vector<std::string>> ids,
                                         const interval_options& intervals) {
    if (t.columns.size() != targets.size())
        throw shape_error("report::set_operating_point_row: table '" + t.id + "': expected one column per target (" +
                          std::to_string(targets.size()) + "), found " + std::to_string(t.columns.size()));
    for (std::size_t c = 0; c < targets.size(); ++c) {
        const auto k = targets[c];
        const metrics::binary_metric m = [k](std::span<const int> l, std::span<const double> s) {
            return k.axis == operating_axis::sensitivity_at_specificity
                       ? metrics::operating_point_at_specificity(l, s, k.target).sensitivity
                       : metrics::operating_point_at_sensitivity(l, s, k.target).specificity;
        };
        std::vector<double> per_fold;
        for (std::size_t f = 0; f < folds.size(); ++f) {
            if (folds[f].scores.cols() != 1)
                throw config_error("report::set_operating_point_row: fold " + std::to_string(f + 1) +
                                   ": expected a binary design (one score column), found " +
                                   std::to_string(folds[f].scores.cols()) + " columns");
            per_fold.push_back(m(folds[f].labels, std::span<const double>(folds[f].scores.data(),
                                                                          static_cast<std::size_t>(folds[f].scores.rows()))));
        }
        auto& x = t.at(r, c);
        x.value = metrics::summarize_folds(per_fold);
        try {
            x.intervals = {bootstrap_interval(
                fold_mean_bootstrap(folds, ids, subgroups_detail::fold_metric_of(m), intervals))};
        } catch (const error&) {
            x.intervals.clear();
        }
    }
}

}  // namespace dermtl::report
