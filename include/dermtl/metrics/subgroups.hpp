#pragma once
// Subgroups (issue 26, "Table 4 generalized"): any binary measure of a test set, stratified by
// any metadata column the dataset carries (data/metadata.hpp: the Atlas's difficulty, HAM10000's
// age, sex and localization, a manifest's named columns), each stratum with its counts and a
// seeded bootstrap interval (bootstrap.hpp, clustered by lesion or patient where groups are given).
//
// The too-small rule. A stratum whose rows hold fewer than `min_positives` positives or fewer
// than `min_negatives` negatives (default 5 each) is reported as too small, never as a number:
// neither its estimate nor its interval is computed. The counts are of the rows given, so a
// caller that passes the out-of-fold rows of every fold pools the counts over folds (the issue's
// "pooled over folds"). A stratum that passes the counts but whose positives or negatives lie in
// fewer than 2 clusters (groups) is too small as well: a clustered bootstrap cannot resample it
// (the reason names the clusters).
// Rows that repeat an image (the out-of-fold rows of several repetitions of 5x2 CV) should be
// grouped by the image's lesion or id, so that the interval does not count a repeat as evidence.
//
// Age bands: numeric ages mapped to bands [e_i, e_(i+1)) named "e_i-(e_(i+1) - 1)" ("15-29"),
// "<e_0" below the first edge and "e_last+" from the last; a blank, "unknown", "na", "nan" or
// "none" age is "unknown". The default edges are 15-year bands from 0 ("0-14", "15-29", ...,
// "75-89", "90+").
// Not templates: defined in impl/subgroups.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/bootstrap.hpp"

namespace dermtl::metrics {

// The label of a missing value (age, or any blank metadata value) in a subgroup table.
inline constexpr std::string_view unknown_stratum = "unknown";

// 0, 15, ..., 90: "0-14", "15-29", "30-44", "45-59", "60-74", "75-89", "90+".
DERMTL_DECL std::vector<double> default_age_edges();

// The band of one age given as text (HAM10000 writes "50.0"; blank when unknown).
// Requires: edges non-empty, finite and strictly increasing.
// Throws: config_error (edges; a value that is neither a number nor a missing marker, or a
//         negative or non-finite number, naming `where` and the value).
DERMTL_DECL std::string age_band(std::string_view age, std::span<const double> edges, const std::string& where = "age");

// age_band of every value (where = "age of row i").
DERMTL_DECL std::vector<std::string> age_bands(std::span<const std::string> ages, std::span<const double> edges);
DERMTL_DECL std::vector<std::string> age_bands(std::span<const std::string> ages);  // default_age_edges()

// The band labels of `edges`, in order ("<e_0" first only when e_0 > 0), then "unknown".
DERMTL_DECL std::vector<std::string> age_band_labels(std::span<const double> edges);

struct subgroup_options {
    std::size_t min_positives = 5;  // a stratum with fewer positives is too small
    std::size_t min_negatives = 5;  // a stratum with fewer negatives is too small
    bool intervals = true;          // false: estimates and counts only (no bootstrap)
    bootstrap_options bootstrap;    // seed, resamples, confidence (the same seed in every stratum)
    // The order of the strata: empty sorts the values (numbers in numeric order where a value
    // starts with one, so "5-9" comes before "15-29"; "unknown" last); otherwise these values
    // first, in this order (absent ones skipped), then any other value sorted.
    std::vector<std::string> order;
};

// A row's stratum value as stratify groups it: "unknown" for a blank or missing marker, else as given.
DERMTL_DECL std::string stratum_value(std::string_view value);

// The distinct stratum values of `values` (after stratum_value) in stratify's order: `order`'s
// values first (absent ones skipped), then the rest sorted as subgroup_options::order describes.
DERMTL_DECL std::vector<std::string> stratum_order(std::span<const std::string> values,
                                                   std::span<const std::string> order = {});

// Represents: one stratum's row of a subgroup table.
struct subgroup_row {
    std::string value;            // the stratum's value ("female", "15-29", "low", "unknown")
    std::size_t count = 0;        // rows (pooled over the folds the caller passed)
    std::size_t positives = 0;    // rows labelled 1
    std::size_t negatives = 0;    // rows labelled 0
    std::size_t clusters = 0;     // groups among the rows (= count when ungrouped)
    bool too_small = false;       // true: no estimate, no interval (see `reason`)
    std::string reason;           // why too small ("3 positives < 5"), empty otherwise
    double estimate = 0;          // the measure on the stratum's rows (0 and meaningless if too small)
    std::optional<bootstrap_result> interval;  // the bootstrap (none when too small or intervals off)
};

// Represents: a measure stratified by one column.
struct subgroup_table {
    std::string column;               // the metadata column ("difficulty", "age", "sex", ...)
    std::string measure;              // the measure's name ("auc")
    subgroup_options options;         // as given
    std::vector<subgroup_row> rows;   // one per stratum, in options.order / sorted order
    subgroup_row all;                 // every row together (value "all"), under the same rule
};

// The default measure: the ROC AUC (roc.hpp's roc_auc, sklearn's roc_auc_score).
DERMTL_DECL binary_metric auc_measure();

// Stratifies `measure`(labels, scores) by `strata` (one value per row; a blank value counts as
// "unknown").
// Requires: labels 0/1 with one finite score per label; strata one value per label; groups empty
//           or one id per label; measure callable (empty: auc_measure()).
// Ensures: one row per distinct stratum value; the too-small rule above; a stratum's interval is
//          bootstrap_binary on its rows with options.bootstrap (its groups restricted to them).
// Throws: shape_error (lengths, naming the column), config_error (labels not 0/1) and the
//         measure's and bootstrap's errors, prefixed with the column and stratum.
DERMTL_DECL subgroup_table stratify(const std::string& column, std::span<const std::string> strata,
                                    std::span<const int> labels, std::span<const double> scores,
                                    std::span<const std::string> groups = {}, const binary_metric& measure = {},
                                    const std::string& measure_name = "auc", const subgroup_options& options = {});

}  // namespace dermtl::metrics

#if DERMTL_HEADER_ONLY
#include "dermtl/metrics/impl/subgroups.ipp"
#endif
