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
//
// Not templates: defined in impl/model.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/metrics/calibration.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/five_by_two_design.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::report {

// An interval of a cell's value (report/intervals.hpp says how each is computed and what it means).
enum class interval_kind { bootstrap, delong };

struct cell_interval {
    interval_kind kind = interval_kind::bootstrap;
    std::string method;          // "BCa" or "percentile" (bootstrap), "DeLong"
    double estimate = 0;         // the statistic the interval is about (the cell's mean)
    double lower = 0, upper = 0;
    double confidence = 0.95;
    std::size_t resamples = 0;   // bootstrap: B; DeLong: 0
    std::uint64_t seed = 0;      // bootstrap: the seed of its resamples
    std::size_t units = 0;       // bootstrap: resampled units (images); DeLong: test cases over the folds
};

// A subgroup table's stratum (report/subgroups.hpp): its test cases pooled over the folds (in 5x2
// CV an image counts once per repetition), of them positives and negatives, and distinct images.
struct stratum_counts {
    std::size_t cases = 0, positives = 0, negatives = 0, images = 0;
    bool operator==(const stratum_counts&) const = default;
};

// One cell. value: ours over the cross-validation folds; reference: the paper's published
// number (in a measured row only beside our value, in the paper's column; alone in a published
// row); share: in a stratified table, the stratum's share of the test cases. An empty cell (no
// value, no reference) is shown as a dash. design: whether value's folds are 5 independent
// replications of 2 halves (from their test ids; absent: not known); the 5x2cv comparisons give
// no p-values for a cell whose design is invalid. counts / too_small: in a subgroup table, the
// stratum's counts, and why it is too small to be shown (then the cell holds no value and no
// interval: it reads "too small", never a number).
struct cell {
    std::optional<metrics::fold_summary> value;
    std::optional<double> reference;
    std::optional<double> share;
    std::optional<metrics::five_by_two_design> design;
    std::vector<cell_interval> intervals;  // at most one of each kind; empty: none computed
    std::optional<stratum_counts> counts;
    std::string too_small;                 // empty: not too small ("3 positives < 5")
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
    std::size_t add_column(std::string group, std::string name);
    // Appends a row with one empty cell per column; returns its index.
    std::size_t add_row(std::string name, row_kind kind = row_kind::measured);
    // Index of the row / column with this name (and group); config_error listing the names if none.
    std::size_t row_index(const std::string& name) const;
    std::size_t column_index(const std::string& group, const std::string& name) const;

    cell& at(std::size_t r, std::size_t c);
    // Our value for a cell, with the paper's number beside it when given (the paper's value for
    // this cell's configuration: the table builder decides which is comparable).
    void set(std::size_t r, std::size_t c, metrics::fold_summary value, std::optional<double> reference = {});
    // The 5x2 design of the folds behind cell (r, c)'s value (metrics::check_five_by_two_design of
    // its folds' test ids, in the value's fold order).
    void set_design(std::size_t r, std::size_t c, metrics::five_by_two_design design) {
        at(r, c).design = std::move(design);
    }
    // A published number: in a published row (a competitor's, or the paper's own row), or beside a
    // value of ours already set. A measured cell without our value is refused by validate().
    void set_reference(std::size_t r, std::size_t c, double reference) { at(r, c).reference = reference; }

    // The ROC curve of column c from binary labels and scores (pooled test predictions).
    void add_roc(std::size_t c, std::span<const int> labels, std::span<const double> scores);
    // The ROC curve of column c pooled over test folds of a binary design (one score column).
    void add_roc(std::size_t c, std::span<const metrics::fold_predictions> folds);
};

// Table 4: fills row r of a table whose columns are the strata (in id order) followed by "All"
// with metrics::auc_by_stratum's result and the whole-dataset AUC; each cell records its
// stratum's share. Adds the columns when the table has none yet (before its first row).
DERMTL_DECL void set_strata_row(table& t, std::size_t r, std::span<const metrics::stratum_auc> strata,
                                const metrics::fold_summary& all, std::span<const double> references = {});

// Columns for a Table 4 layout: one per stratum name, then "All".
DERMTL_DECL void add_strata_columns(table& t, const std::vector<std::string>& stratum_names);

// Table 2: the ISIC 2016 measures (AUC, mAP, ACC, SE, SP) as columns; the columns are different
// metrics, so nothing is compared across them.
DERMTL_DECL void add_isic_columns(table& t);

// Fills row r of a Table 2 layout with one scoring's ISIC 2016 measures (a single test split;
// several splits: pass their per-split summaries to table::set instead), optionally with the
// paper's five published values.
DERMTL_DECL void set_isic_row(table& t, std::size_t r, const metrics::isic_scores& s,
                              std::span<const double> references = {});

// One referral analysis (e.g. "Malignant vs. Benign, From ImageNet / with FT").
struct referral_section {
    std::string name;
    metrics::referral_table table;
};

// The calibration of one binary cell's Platt confidences (report/intervals.hpp: calibration_of).
struct calibration_section {
    std::string name;
    std::size_t cases = 0;
    double brier = 0;
    metrics::reliability_diagram equal_width, equal_mass;
};

// Subgroup tables (issue 26, part 5: a measure stratified by a metadata column, Table 4 among
// them) and the operating points are tables too, in `tables` (report/subgroups.hpp).
struct report {
    std::string title = "dermtl report";
    std::vector<std::pair<std::string, std::string>> metadata;  // run metadata, shown in this order
    std::vector<table> tables;
    std::vector<referral_section> referrals;
    std::vector<calibration_section> calibrations;  // one per binary cell with Platt confidences
};

// Requires nothing. Ensures: returns normally when the table can be written: a file-safe id,
// at least one column, one cell per column in every row, finite values in [0, 1] (fold values
// too), ROC series naming existing columns with matching, finite points, every measured row
// holding a value of ours and the paper's values only beside ours.
// Throws: config_error (id, no columns, out-of-range values, a published value standing alone in
// a measured row, a measured row without a value), shape_error (a row with another
// number of cells than columns, ROC sizes), numeric_error (NaN/Inf) - each naming the table,
// row and column. A too-small cell holds no value, reference or interval; a measured row holding
// only too-small cells (and empty ones) is accepted.
DERMTL_DECL void validate(const table& t);

// Validates every table (unique ids) and referral section.
DERMTL_DECL void validate(const report& rep);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/model.ipp"
#endif
