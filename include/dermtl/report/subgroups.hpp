#pragma once
// Subgroup tables and operating points in the report (issue 26, parts 5-7), from the per-image
// out-of-fold predictions of a binary cell.
//
// A subgroup table stratifies a binary measure (AUC by default) by one metadata column: its
// columns are the strata, then "All"; a row is one cell (one trained design). Table 4 is the
// difficulty instance of it. Each stratum's cell holds, as every table's cell does, the mean over
// the test folds of the measure on the fold's cases in the stratum (a fold where the stratum
// lacks a class is left out of the mean), with its bootstrap interval (intervals.hpp:
// fold_mean_bootstrap on the stratum's cases, image ids as units), its counts pooled over the
// folds (metrics::stratify) and its share of the test cases.
// The too-small rule (metrics/subgroups.hpp): a stratum with fewer than `min_positives`
// positives or `min_negatives` negatives, counted over the test cases of every fold together
// (5x2 CV counts an image once per repetition), is "too small" and holds no number. So is one
// whose positives or negatives are fewer than 2 distinct images (no bootstrap can resample it),
// and one where no fold holds both classes. A stratum named by a column but absent from a row's
// data is too small with 0 cases.
//
// The operating points table: per binary cell, the sensitivity at fixed specificities and the
// specificity at fixed sensitivities (metrics/operating_points.hpp: the ROC polyline with ties
// shared, pROC's coords), per fold, as mean ± sd with the bootstrap interval of the mean.
// Not templates: defined in impl/subgroups.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/subgroups.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

// The label of a subgroup table's last column, every test case together.
inline constexpr const char* all_strata_column = "All";

// Appends one column per stratum (in this order), then "All". Call before adding rows.
DERMTL_DECL void add_subgroup_columns(table& t, const std::vector<std::string>& strata);

// Fills row r of a table laid out by add_subgroup_columns (see above).
// Requires: binary folds (one score column); ids and strata one list per fold with one entry per
//           test case (strata values as metrics::stratum_value reads them: blank is "unknown");
//           every stratum value present is one of the table's columns; measure callable.
// Ensures: every cell of the row holds counts and a share, and either a value (mean ± sd over the
//          folds, with its bootstrap interval where one can be computed) or too_small's reason.
// Throws: shape_error (lengths, a stratum value that has no column: naming it and the columns),
//         config_error (a fold that is not binary), naming `column` and the fold.
DERMTL_DECL void set_subgroup_row(table& t, std::size_t r, const std::string& column,
                                  std::span<const metrics::fold_predictions> folds,
                                  std::span<const std::vector<std::string>> ids,
                                  std::span<const std::vector<std::string>> strata, const metrics::binary_metric& measure,
                                  const std::string& measure_name, const metrics::subgroup_options& rule,
                                  const interval_options& intervals = {});

// One operating point: the sensitivity at a fixed specificity, or the specificity at a fixed sensitivity.
enum class operating_axis { sensitivity_at_specificity, specificity_at_sensitivity };

struct operating_target {
    operating_axis axis = operating_axis::sensitivity_at_specificity;
    double target = 0.9;  // the fixed specificity (or sensitivity), in [0, 1]
};

// Sensitivity at specificity 80, 90, 95%, then specificity at sensitivity 80, 90, 95%.
DERMTL_DECL std::vector<operating_target> default_operating_targets();

// One column per target: group "SE at fixed SP" / "SP at fixed SE", name "SP 90%" / "SE 90%".
// The columns are different measures: nothing is compared across them.
DERMTL_DECL void add_operating_point_columns(table& t, std::span<const operating_target> targets);

// Fills row r: per target, the operating point on each fold (mean ± sd) and the bootstrap
// interval of the mean (fold_mean_bootstrap).
// Requires: binary folds with both classes in each, ids as fold_mean_bootstrap's; the table's
//           columns from add_operating_point_columns(targets).
// Throws: config_error / shape_error naming the fold (as metrics::operating_point_at_*).
DERMTL_DECL void set_operating_point_row(table& t, std::size_t r, std::span<const operating_target> targets,
                                         std::span<const metrics::fold_predictions> folds,
                                         std::span<const std::vector<std::string>> ids,
                                         const interval_options& intervals = {});

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/subgroups.ipp"
#endif
