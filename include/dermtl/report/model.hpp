#pragma once
// The report model: what experiment code fills, knowing nothing about output formats. The
// writers (markdown.hpp, csv.hpp, json.hpp, plots.hpp, html.hpp, write.hpp) read it.
//
// A `table` is one of the paper's tables: rows (experimental designs, architectures, or the
// published competitors of Table 2), columns (transfer x fine-tuning schemes under a two-level
// header as in Table 1, strata as in Table 4, or metrics as in Table 2), and cells holding our
// cross-validated value (a metrics::fold_summary) and optionally the paper's published number.
// A table may carry ROC curves, one per column, for its ROC plot. A `report` holds the tables,
// referral analyses and run metadata.
//
// Published values are never shown as ours: in a measured row a cell holds the paper's number
// only beside our value (the writers put it in a column marked as the paper's), and a measured
// row holds at least one value of ours; numbers quoted from the literature alone go in published
// rows. validate() enforces both. `paper_note` says what differs when the paper's values are
// shown beside results of another configuration (asked for by the user).
//
// Units: every value is a fraction in [0, 1] (an AUC of 82.5% is 0.825), reference values too;
// the writers show percentages. validate() rejects values outside [0, 1], which catches a
// published "82.5" typed where 0.825 was meant.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/five_by_two_design.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::report {

// One cell. value: ours over the cross-validation folds; reference: the paper's published
// number (in a measured row only beside our value, in the paper's column; alone in a published
// row); share: in a stratified table, the stratum's share of the test cases. An empty cell (no
// value, no reference) is shown as a dash. design: whether value's folds are 5 independent
// replications of 2 halves (from their test ids; absent: not known); the 5x2cv comparisons give
// no p-values for a cell whose design is invalid.
struct cell {
    std::optional<metrics::fold_summary> value;
    std::optional<double> reference;
    std::optional<double> share;
    std::optional<metrics::five_by_two_design> design;
};

// One column. group: the upper header shared by neighbouring columns ("From ImageNet"), empty
// for a one-level header; name: the lower header ("with FT").
struct column {
    std::string group;
    std::string name;
    std::string label() const { return group.empty() ? name : group + " / " + name; }
    bool operator==(const column&) const = default;
};

// measured: our results (cells hold values, maybe with references).
// published: a row quoted from the literature (Table 2's 1st-3rd places): references only.
enum class row_kind { measured, published };

struct row {
    std::string name;
    std::vector<cell> cells;  // one per column
    row_kind kind = row_kind::measured;
};

// What the 5x2cv significance tests compare: the columns of each row (Table 1: each scheme
// against the row's best scheme), the rows of each column (Table 3: each architecture against
// the best), or nothing (Table 2's columns are different metrics, Table 4's are strata).
enum class comparison_axis { columns, rows, none };

// One ROC curve of the table's plot. column: the column it belongs to (the legend names it).
// curve / auc: pooled over the test folds; the legend shows this curve's own AUC.
struct roc_series {
    std::size_t column = 0;
    metrics::roc_curve_points curve;
    double auc = 0;
    std::size_t n_positives = 0;
    std::size_t n_negatives = 0;
};

struct table {
    std::string id;               // file stem: "table1" -> table1.md, table1.csv, table1_roc.png
    std::string title;            // "Table 1. Main results"
    std::string value_label;      // what the cells hold, e.g. "AUC"; empty when columns are metrics
    std::string row_header = "Experimental design";
    std::string caption;          // free text shown under the table
    std::string paper_note;       // when the paper's values stand beside results of another
                                  // configuration: what differs ("network: ..."); empty otherwise
    std::vector<column> columns;
    std::vector<row> rows;
    comparison_axis compare = comparison_axis::columns;
    std::string roc_title;        // what the ROC curves come from ("Malignant vs. Benign, pooled test folds")
    std::vector<roc_series> roc;

    // Appends a column; returns its index. Call before adding rows (rows get one cell per column).
    std::size_t add_column(std::string group, std::string name) {
        if (!rows.empty())
            throw config_error("report::table '" + id + "': add_column('" + name + "'): expected every column added "
                               "before the first row, found " + std::to_string(rows.size()) + " row(s) already");
        columns.push_back({std::move(group), std::move(name)});
        return columns.size() - 1;
    }
    // Appends a row with one empty cell per column; returns its index.
    std::size_t add_row(std::string name, row_kind kind = row_kind::measured) {
        rows.push_back({std::move(name), std::vector<cell>(columns.size()), kind});
        return rows.size() - 1;
    }
    // Index of the row / column with this name (and group); config_error listing the names if none.
    std::size_t row_index(const std::string& name) const {
        for (std::size_t r = 0; r < rows.size(); ++r)
            if (rows[r].name == name) return r;
        std::string known;
        for (const auto& r : rows) known += (known.empty() ? "'" : ", '") + r.name + "'";
        throw config_error("report::table '" + id + "': expected a row named '" + name + "', found only " +
                           (known.empty() ? std::string("no rows") : known));
    }
    std::size_t column_index(const std::string& group, const std::string& name) const {
        for (std::size_t c = 0; c < columns.size(); ++c)
            if (columns[c].group == group && columns[c].name == name) return c;
        std::string known;
        for (const auto& c : columns) known += (known.empty() ? "'" : ", '") + c.label() + "'";
        throw config_error("report::table '" + id + "': expected a column '" + column{group, name}.label() +
                           "', found only " + (known.empty() ? std::string("no columns") : known));
    }

    cell& at(std::size_t r, std::size_t c) {
        if (r >= rows.size() || c >= columns.size() || c >= rows[r].cells.size())
            throw shape_error("report::table '" + id + "': expected a cell within " + std::to_string(rows.size()) +
                              " rows x " + std::to_string(columns.size()) + " columns, found row " +
                              std::to_string(r) + ", column " + std::to_string(c));
        return rows[r].cells[c];
    }
    // Our value for a cell, with the paper's number beside it when given (the paper's value for
    // this cell's configuration: the table builder decides which is comparable).
    void set(std::size_t r, std::size_t c, metrics::fold_summary value, std::optional<double> reference = {}) {
        auto& x = at(r, c);
        x.value = std::move(value);
        if (reference) x.reference = reference;
    }
    // The 5x2 design of the folds behind cell (r, c)'s value (metrics::check_five_by_two_design of
    // its folds' test ids, in the value's fold order).
    void set_design(std::size_t r, std::size_t c, metrics::five_by_two_design design) {
        at(r, c).design = std::move(design);
    }
    // A published number: in a published row (a competitor's, or the paper's own row), or beside a
    // value of ours already set. A measured cell without our value is refused by validate().
    void set_reference(std::size_t r, std::size_t c, double reference) { at(r, c).reference = reference; }

    // The ROC curve of column c from binary labels and scores (pooled test predictions).
    void add_roc(std::size_t c, std::span<const int> labels, std::span<const double> scores) {
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
    // The ROC curve of column c pooled over test folds of a binary design (one score column).
    void add_roc(std::size_t c, std::span<const metrics::fold_predictions> folds) {
        const auto pooled = metrics::pool_binary(folds, "report::table '" + id + "': add_roc");
        add_roc(c, pooled.labels, pooled.scores);
    }
};

// Table 4: fills row r of a table whose columns are the strata (in id order) followed by "All"
// with metrics::auc_by_stratum's result and the whole-dataset AUC; each cell records its
// stratum's share. Adds the columns when the table has none yet (before its first row).
inline void set_strata_row(table& t, std::size_t r, std::span<const metrics::stratum_auc> strata,
                           const metrics::fold_summary& all, std::span<const double> references = {}) {
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

// Columns for a Table 4 layout: one per stratum name, then "All".
inline void add_strata_columns(table& t, const std::vector<std::string>& stratum_names) {
    for (const auto& n : stratum_names) t.add_column("", n);
    t.add_column("", "All");
}

// Table 2: the ISIC 2016 measures (AUC, mAP, ACC, SE, SP) as columns; the columns are different
// metrics, so nothing is compared across them.
inline void add_isic_columns(table& t) {
    for (const char* m : {"AUC", "mAP", "ACC", "SE", "SP"}) t.add_column("", m);
    t.compare = comparison_axis::none;
    t.value_label.clear();
}

// Fills row r of a Table 2 layout with one scoring's ISIC 2016 measures (a single test split;
// several splits: pass their per-split summaries to table::set instead), optionally with the
// paper's five published values.
inline void set_isic_row(table& t, std::size_t r, const metrics::isic_scores& s, std::span<const double> references = {}) {
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

// One referral analysis (e.g. "Malignant vs. Benign, From ImageNet / with FT").
struct referral_section {
    std::string name;
    metrics::referral_table table;
};

struct report {
    std::string title = "dermtl report";
    std::vector<std::pair<std::string, std::string>> metadata;  // run metadata, shown in this order
    std::vector<table> tables;
    std::vector<referral_section> referrals;
};

namespace detail {

inline void check_fraction(const std::string& where, double v, const char* what) {
    if (!std::isfinite(v))
        throw numeric_error(where + ": expected a finite " + what + ", found " + std::to_string(v));
    if (v < 0 || v > 1)
        throw config_error(where + ": expected the " + what + " as a fraction in [0, 1] (82.5% is 0.825), found " +
                           std::to_string(v));
}

inline bool valid_id(const std::string& id) {
    if (id.empty()) return false;
    for (char ch : id)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) return false;
    return true;
}

}  // namespace detail

// Requires nothing. Ensures: returns normally when the table can be written: a file-safe id,
// at least one column, one cell per column in every row, finite values in [0, 1] (fold values
// too), ROC series naming existing columns with matching, finite points, every measured row
// holding a value of ours and the paper's values only beside ours.
// Throws: config_error (id, no columns, out-of-range values, a published value standing alone in
// a measured row, a measured row without a value), shape_error (a row with another
// number of cells than columns, ROC sizes), numeric_error (NaN/Inf) - each naming the table,
// row and column.
inline void validate(const table& t) {
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
        }
    }
    for (const auto& r : t.rows)
        if (r.kind == row_kind::measured &&
            std::none_of(r.cells.begin(), r.cells.end(), [](const cell& x) { return x.value.has_value(); }))
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

// Validates every table (unique ids) and referral section.
inline void validate(const report& rep) {
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
