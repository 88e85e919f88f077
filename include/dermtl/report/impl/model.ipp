// Definitions of report/model.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::report {

DERMTL_DECL std::size_t table::add_column(std::string group, std::string name) {
    if (!rows.empty())
        throw config_error("report::table '" + id + "': add_column('" + name + "'): expected every column added "
                           "before the first row, found " + std::to_string(rows.size()) + " row(s) already");
    columns.push_back({std::move(group), std::move(name)});
    return columns.size() - 1;
}

DERMTL_DECL std::size_t table::add_row(std::string name, row_kind kind) {
    rows.push_back({std::move(name), std::vector<cell>(columns.size()), kind});
    return rows.size() - 1;
}

DERMTL_DECL std::size_t table::row_index(const std::string& name) const {
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r].name == name) return r;
    std::string known;
    for (const auto& r : rows) known += (known.empty() ? "'" : ", '") + r.name + "'";
    throw config_error("report::table '" + id + "': expected a row named '" + name + "', found only " +
                       (known.empty() ? std::string("no rows") : known));
}

DERMTL_DECL std::size_t table::column_index(const std::string& group, const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].group == group && columns[c].name == name) return c;
    std::string known;
    for (const auto& c : columns) known += (known.empty() ? "'" : ", '") + c.label() + "'";
    throw config_error("report::table '" + id + "': expected a column '" + column{group, name}.label() +
                       "', found only " + (known.empty() ? std::string("no columns") : known));
}

DERMTL_DECL cell& table::at(std::size_t r, std::size_t c) {
    if (r >= rows.size() || c >= columns.size() || c >= rows[r].cells.size())
        throw shape_error("report::table '" + id + "': expected a cell within " + std::to_string(rows.size()) +
                          " rows x " + std::to_string(columns.size()) + " columns, found row " +
                          std::to_string(r) + ", column " + std::to_string(c));
    return rows[r].cells[c];
}

DERMTL_DECL void table::set(std::size_t r, std::size_t c, metrics::fold_summary value,
                             std::optional<double> reference) {
    auto& x = at(r, c);
    x.value = std::move(value);
    if (reference) x.reference = reference;
}

DERMTL_DECL void table::add_roc(std::size_t c, std::span<const int> labels, std::span<const double> scores) {
    if (c >= columns.size())
        throw shape_error("report::table '" + id + "': add_roc: expected a column index below " +
                          std::to_string(columns.size()) + ", found " + std::to_string(c));
    roc_series s;
    s.column = c;
    s.curve = metrics::roc_curve(labels, scores, true);
    s.auc = metrics::trapezoid_area(s.curve.fpr, s.curve.tpr);
    for (int y : labels) (y == 1 ? s.n_positives : s.n_negatives) += 1;
    roc.push_back(std::move(s));
}

DERMTL_DECL void table::add_roc(std::size_t c, std::span<const metrics::fold_predictions> folds) {
    const auto pooled = metrics::pool_binary(folds, "report::table '" + id + "': add_roc");
    add_roc(c, pooled.labels, pooled.scores);
}

DERMTL_DECL void set_strata_row(table& t, std::size_t r, std::span<const metrics::stratum_auc> strata,
                                const metrics::fold_summary& all, std::span<const double> references) {
    if (!references.empty() && references.size() != strata.size() + 1)
        throw shape_error("report::set_strata_row: table '" + t.id + "': expected " + std::to_string(strata.size() + 1) +
                          " reference values (one per stratum and All), found " + std::to_string(references.size()));
    if (t.columns.size() != strata.size() + 1)
        throw shape_error("report::set_strata_row: table '" + t.id + "': expected " + std::to_string(strata.size() + 1) +
                          " columns (one per stratum and All), found " + std::to_string(t.columns.size()));
    for (std::size_t s = 0; s <= strata.size(); ++s) {
        const bool is_all = s == strata.size();
        auto& x = t.at(r, s);
        x.value = is_all ? all : strata[s].auc;
        x.share = is_all ? 1.0 : strata[s].share;
        if (!references.empty()) x.reference = references[s];
    }
}

DERMTL_DECL void add_strata_columns(table& t, const std::vector<std::string>& stratum_names) {
    for (const auto& n : stratum_names) t.add_column("", n);
    t.add_column("", "All");
}

DERMTL_DECL void add_isic_columns(table& t) {
    for (const char* m : {"AUC", "mAP", "ACC", "SE", "SP"}) t.add_column("", m);
    t.compare = comparison_axis::none;
    t.value_label.clear();
}

DERMTL_DECL void set_isic_row(table& t, std::size_t r, const metrics::isic_scores& s,
                              std::span<const double> references) {
    if (t.columns.size() != 5 || (!references.empty() && references.size() != 5))
        throw shape_error("report::set_isic_row: table '" + t.id + "': expected the 5 ISIC columns (add_isic_columns) "
                          "and 0 or 5 reference values, found " + std::to_string(t.columns.size()) + " columns and " +
                          std::to_string(references.size()) + " references");
    const double v[] = {s.auc, s.average_precision, s.thresholded.accuracy, s.thresholded.sensitivity,
                        s.thresholded.specificity};
    for (std::size_t c = 0; c < 5; ++c) {
        t.set(r, c, metrics::summarize_folds(std::span<const double>(&v[c], 1)));
        if (!references.empty()) t.set_reference(r, c, references[c]);
    }
}

namespace detail {

DERMTL_DECL void check_fraction(const std::string& where, double v, const char* what) {
    if (!std::isfinite(v))
        throw numeric_error(where + ": expected a finite " + what + ", found " + std::to_string(v));
    if (v < 0 || v > 1)
        throw config_error(where + ": expected the " + what + " as a fraction in [0, 1] (82.5% is 0.825), found " +
                           std::to_string(v));
}

DERMTL_DECL bool valid_id(const std::string& id) {
    if (id.empty()) return false;
    for (char ch : id)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) return false;
    return true;
}

}  // namespace detail

DERMTL_DECL void validate(const table& t) {
    const std::string op = "report::validate: table '" + t.id + "'";
    if (!detail::valid_id(t.id))
        throw config_error("report::validate: expected a table id of lower-case letters, digits, '_' or '-' (it "
                           "names the table's files), found '" + t.id + "' (title '" + t.title + "')");
    if (t.columns.empty()) throw config_error(op + ": expected at least one column, found none");
    for (const auto& r : t.rows) {
        if (r.cells.size() != t.columns.size())
            throw shape_error(op + ", row '" + r.name + "': expected " + std::to_string(t.columns.size()) +
                              " cells (one per column), found " + std::to_string(r.cells.size()));
        for (std::size_t c = 0; c < r.cells.size(); ++c) {
            const auto& x = r.cells[c];
            const std::string where = op + ", row '" + r.name + "', column '" + t.columns[c].label() + "'";
            if (x.value) {
                if (r.kind == row_kind::published)
                    throw config_error(where + ": expected only published (reference) values in a published row, "
                                       "found a measured value");
                detail::check_fraction(where, x.value->mean, "mean");
                if (!std::isfinite(x.value->std_dev) || x.value->std_dev < 0)
                    throw numeric_error(where + ": expected a finite, non-negative standard deviation, found " +
                                        std::to_string(x.value->std_dev));
                for (double v : x.value->per_fold) detail::check_fraction(where, v, "per-fold value");
            }
            if (x.reference) detail::check_fraction(where, *x.reference, "reference value");
            if (x.reference && !x.value && r.kind == row_kind::measured)
                throw config_error(where + ": expected the paper's value only beside a value of ours, found a "
                                   "published value with no measurement in a row of our results (it would read as "
                                   "ours); leave the cell empty, or quote it in a published row");
            if (x.share) detail::check_fraction(where, *x.share, "stratum share");
            if (!x.too_small.empty() && (x.value || x.reference || !x.intervals.empty()))
                throw config_error(where + ": expected a stratum too small to be shown (" + x.too_small +
                                   ") to hold no value, published value or interval, found one");
            for (const auto& i : x.intervals) {
                if (!x.value)
                    throw config_error(where + ": expected an interval only beside a value of ours, found one alone");
                detail::check_fraction(where, i.lower, "interval's lower bound");
                detail::check_fraction(where, i.upper, "interval's upper bound");
                if (i.lower > i.upper)
                    throw config_error(where + ": expected an interval's lower bound at most its upper bound, found " +
                                       std::to_string(i.lower) + " > " + std::to_string(i.upper));
            }
        }
    }
    for (const auto& r : t.rows)
        if (r.kind == row_kind::measured &&
            std::none_of(r.cells.begin(), r.cells.end(),
                         [](const cell& x) { return x.value.has_value() || !x.too_small.empty(); }))
            throw config_error(op + ", row '" + r.name + "': expected at least one measured value in a row of our "
                               "results, found none; leave the row out");
    for (std::size_t i = 0; i < t.roc.size(); ++i) {
        const auto& s = t.roc[i];
        const std::string where = op + ", ROC curve " + std::to_string(i + 1);
        if (s.column >= t.columns.size())
            throw shape_error(where + ": expected a column index below " + std::to_string(t.columns.size()) +
                              ", found " + std::to_string(s.column));
        if (s.curve.fpr.size() != s.curve.tpr.size() || s.curve.fpr.empty())
            throw shape_error(where + ": expected as many (non-zero) FPR as TPR points, found " +
                              std::to_string(s.curve.fpr.size()) + " and " + std::to_string(s.curve.tpr.size()));
        for (std::size_t k = 0; k < s.curve.fpr.size(); ++k) {
            detail::check_fraction(where, s.curve.fpr[k], "false positive rate");
            detail::check_fraction(where, s.curve.tpr[k], "true positive rate");
        }
        detail::check_fraction(where, s.auc, "AUC");
    }
}

DERMTL_DECL void validate(const report& rep) {
    for (std::size_t i = 0; i < rep.tables.size(); ++i) {
        validate(rep.tables[i]);
        if (rep.tables[i].id == "report" || rep.tables[i].id == "referral")
            throw config_error("report::validate: expected a table id other than 'report' and 'referral' (the "
                               "report's own files use them), found '" + rep.tables[i].id + "'");
        for (std::size_t j = 0; j < i; ++j)
            if (rep.tables[j].id == rep.tables[i].id)
                throw config_error("report::validate: expected unique table ids (they name files), found '" +
                                   rep.tables[i].id + "' twice");
    }
    for (const auto& s : rep.calibrations) {
        const std::string where = "report::validate: calibration of '" + s.name + "'";
        detail::check_fraction(where, s.brier, "Brier score");
        detail::check_fraction(where, s.equal_width.expected_calibration_error, "equal-width ECE");
        detail::check_fraction(where, s.equal_mass.expected_calibration_error, "equal-mass ECE");
    }
    for (const auto& s : rep.referrals) {
        const std::string where = "report::validate: referral analysis '" + s.name + "'";
        if (s.table.rows.empty()) throw config_error(where + ": expected at least one referral rate, found none");
        for (const auto& r : s.table.rows) {
            detail::check_fraction(where, r.rate, "referral rate");
            detail::check_fraction(where, r.sensitivity, "sensitivity");
            detail::check_fraction(where, r.unreferred_share, "unreferred share");
        }
    }
}

}  // namespace dermtl::report
