#pragma once
// Subgroup tables and operating points of stored results (issue 26, parts 5-7): what
// report/subgroups.hpp computes, fed from protocol results and the dataset's per-image metadata.
//
// A result knows each test image's id, label, scores and difficulty (its folds' strata); the other
// metadata columns (age, sex, localization, a manifest's named columns) come from the dataset
// (metadata_of: the demo, the paper programs) or from a CSV (read_metadata_csv: `dermtl report
// --metadata`), by image id. "difficulty" is always read from the results. A column named "age" is
// put into age bands (metrics::age_band; 15-year bands by default). Table 4 is the difficulty
// instance of subgroup_table, under the same too-small rule.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dermtl/metrics/subgroups.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::data {
struct dataset;
}

namespace dermtl::programs {

// The measure a subgroup table stratifies, of each fold's decision values.
enum class subgroup_measure { auc, average_precision, auc_sens_80 };

// Per-image metadata: column (lower case) -> image id (lower case: ids match case-insensitively,
// as data::dataset::find) -> value (blank: unknown).
using image_metadata = std::map<std::string, std::map<std::string, std::string>>;

struct subgroup_settings {
    std::vector<std::string> columns;  // a subgroup table per column (Table 4 is difficulty's anyway)
    std::vector<double> age_edges = metrics::default_age_edges();
    // A stratum with fewer positives or fewer negatives than this, pooled over the folds, is too small.
    std::size_t min_cases = 5;
    subgroup_measure measure = subgroup_measure::auc;
    image_metadata metadata;
};

// The name of a measure as tables and files show it ("AUC", "AP", "auc_sens_80").
std::string measure_name(subgroup_measure m);

// The metadata columns of a dataset (data/metadata.hpp), by sample id.
image_metadata metadata_of(const data::dataset& d);

// A CSV with a header: `id_column` names each image (as the results do: the file name without
// folder or extension also matches; case-insensitively), every other column is metadata.
// Throws: io_error naming the file (unreadable, no such id column, an id listed twice).
image_metadata read_metadata_csv(const std::filesystem::path& file, const std::string& id_column);

// The subgroup columns a result offers: "difficulty" where its folds carry it, then the metadata's.
std::vector<std::string> subgroup_columns(const protocol::experiment_result& r, const subgroup_settings& s);

// The stratum of every test case of every fold of `r` by `column` (case-insensitive; "age": banded).
// Throws: config_error for a column that does not exist, listing the columns that do; for a
//         metadata column none of whose ids is one of the result's test images.
std::vector<std::vector<std::string>> strata_of(const protocol::experiment_result& r, const std::string& column,
                                                const subgroup_settings& s);

// The too-small rule of the settings (min_cases positives and negatives).
metrics::subgroup_options subgroup_rule(const subgroup_settings& s);

// Lays out `t` as the subgroup table of `column` (report/subgroups.hpp): its strata as columns (in
// the order difficulty's low, medium, high, or the age bands', else sorted), then one row per
// cell, named by row_names, under the settings' too-small rule. Table 4 and subgroup_table use it.
void fill_subgroup_table(report::table& t, const std::vector<const protocol::experiment_result*>& cells,
                         const std::vector<std::string>& row_names, const std::string& column,
                         const subgroup_settings& s, subgroup_measure measure);

// The sentence for a subgroup table's caption that states the too-small rule.
std::string too_small_sentence(const subgroup_settings& s);

// The subgroup table of `column` for every binary cell of `model` (rows in results order); id
// "subgroups_<column>". config_error when the model has no binary cell.
report::table subgroup_table(const std::vector<protocol::experiment_result>& results, const std::string& model,
                             const std::string& column, const subgroup_settings& s);

// The operating points (report/subgroups.hpp) of every binary cell of `model`; id "operating_points".
report::table operating_points_table(const std::vector<protocol::experiment_result>& results, const std::string& model);

// What the report adds to the paper's tables for each model (the id suffix "_<model>" when
// `several`): a subgroup table per settings.columns, the operating points, and the calibration of
// every binary cell (once, not per model). A table that cannot be built is noted in the metadata;
// a subgroup column that does not exist is refused (config_error listing those that do).
void add_evaluation(report::report& rep, const std::vector<protocol::experiment_result>& results,
                    const std::vector<std::string>& models, const subgroup_settings& s);

}  // namespace dermtl::programs
