#pragma once
// The paper's tables, assembled from experiment results, so every front end -- the demo, the
// table programs in examples/, `dermtl report` -- lays them out the same way.
//
// Everything a table shows about a cell comes from the cell's types: titles from its cell_id
// (stored with every result), row and column order from the catalog (the registries built from
// the Hana grids, in grid order), published values and the tables a cell belongs to from its
// cell_facts. A cell with a new policy therefore appears in the tables with no edit here.
//
//   Table 1: rows = the paper's designs, columns = transfer x fine-tuning (two-level header), AUC.
//   Table 2: ISIC 2016 measures of one ISIC-label cell beside the published places.
//   Table 3: rows = architectures, columns = designs (ImageNet + FT), AUC.
//   Table 4: rows = binary designs, columns = the Atlas' difficulty strata + All.
//
// A published value stands only beside our value of the same configuration, in a column marked as
// the paper's (report/model.hpp); rows of designs this run has no result for are left out. Which
// configurations are compared is the caller's choice (paper_comparison): by default only the
// paper's own (its network at full size, its data, folds and training); on request also others,
// and then the table's paper_note says what differs.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/registry.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/report/model.hpp"
#include "programs/subgroups.hpp"

namespace dermtl::programs {

// Which of the paper's published values the tables show beside ours.
enum class paper_values {
    none,                // none: synthetic data, or the user did not ask (`dermtl report` without --paper)
    same_configuration,  // beside our results of the paper's configuration only: its network at full
                         // size, design, dataset, folds and training (the default on real data)
    any_configuration,   // also beside results that differ (a scaled network, other data, other
                         // folds or training), each table's paper_note saying what (--compare-with-paper)
};

struct paper_comparison {
    paper_values shown = paper_values::none;
    // The architecture of each model by registry name (model_cells::architecture, from its types):
    // the paper's network a scaled one is compared with. Read only for any_configuration; a model
    // not listed has no counterpart in the paper.
    std::map<std::string, models::architecture> architectures;
};

// A file or folder under a results folder that is not read as a result, and why.
struct ignored_entry {
    std::filesystem::path path;
    std::string why;
};

struct stored_results {
    std::vector<protocol::experiment_result> results;  // in folder-name order
    std::vector<ignored_entry> ignored;
};

// Every cell stored under a results folder (work_dir/results/<cell>/<fold>.json), identified by
// the cell_id recorded with its folds. A file named like a fold result (the store's names:
// Fold_N.json, IxJ.json of the reference runs, official_split.json) must be a valid one
// (results_store::load); every other entry is listed in `ignored`, never read. Refused, with
// io_error naming the file (or both folders) and what is wrong: a fold result that is not valid,
// whose stored AUC is not its scores', whose cell differs from its folder's, whose classes differ
// from its cell's (when `catalog` knows the cell), or a cell stored in two folders.
stored_results read_results_folder(const std::filesystem::path& results_dir,
                                   const protocol::registry* catalog = nullptr);

// read_results_folder's results; each ignored entry logged (log::info) as
// "load_results: ignored '<path>': <why>".
std::vector<protocol::experiment_result> load_results(const std::filesystem::path& results_dir,
                                                      const protocol::registry* catalog = nullptr);

// Table 1 of one model (by registry name): its (transfer, fine-tuning) pairs that have results, in
// catalog order, as columns; the paper's designs that have results as rows; the ROC curves of the
// first of them.
report::table table1(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::string& model, const paper_comparison& paper);

// Table 3: the models (registry names, rows, titled by their cell_id) with ImageNet + FT for each
// design; a model without such a result has no row.
report::table table3(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::vector<std::string>& models, const paper_comparison& paper);

// Table 4: the binary designs of one model's ImageNet + FT cells, stratified by difficulty: the
// difficulty instance of the subgroup tables (programs/subgroups.hpp: counts, intervals and the
// too-small rule of `subgroups`.min_cases).
report::table table4(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::string& model, const paper_comparison& paper,
                     const subgroup_settings& subgroups = {});

// Table 2: ISIC 2016 measures of one cell (the official split: one fold); the published rows (the
// challenge's places and the paper's) only where `paper` compares this cell with the paper.
report::table table2(const protocol::experiment_result& r, const protocol::registry& catalog, const std::string& ours,
                     const paper_comparison& paper);

// The ISIC 2016 challenge's measures for every binary cell of a model (issue 16: any binary target,
// not only ISIC's own label): per fold, AUC and mAP from the SVM's Platt-mapped confidences and ACC,
// SE, SP with the scorer's `> 0.5` rule, then mean ± standard deviation over the folds. One row
// per cell in the order of `results`. config_error when the model has no binary cell with
// confidences.
report::table binary_measures(const std::vector<protocol::experiment_result>& results, const std::string& model);

// The referral analysis of one binary cell, pooled over its test folds (decision values: threshold 0).
report::referral_section referral(const protocol::experiment_result& r);

// The best binary cell of a model (highest mean AUC), for the referral analysis; nullptr if none.
const protocol::experiment_result* best_binary(const std::vector<protocol::experiment_result>& results,
                                               const std::string& model);

// A report of whatever tables a set of results supports (the `dermtl grid`, `run` and `report`
// commands): Table 1 per model with paper-design cells, Table 3 when two or more models have
// ImageNet + FT cells, Table 4 per model with ImageNet + FT binary cells, Table 2 per ISIC cell,
// and the referral analysis of each model's best binary cell. Tables that cannot be built (a
// stratum without both classes, ...) and cells the catalog does not know are listed in the
// report's metadata with the reason.
//
// The results' configurations (data, seed, training, preprocessing, SVM: their fingerprints less
// the cell's own fields) are listed in the metadata. Results made with different configurations
// are refused (config_error naming two cells and the first differing field), unless
// allow_mixed, and then the report says so at the top.
//
// Issue 26: each model's subgroup tables (subgroups.columns), operating points, and every binary
// cell's calibration are added (add_evaluation); Table 4 follows subgroups' too-small rule.
report::report report_of(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                         std::string title, const paper_comparison& paper, bool allow_mixed = false,
                         const subgroup_settings& subgroups = {});
// The same for a caller that knows only whether the data is real (`dermtl grid`): real data
// compares the paper's own configurations (paper_values::same_configuration), synthetic none.
report::report report_of(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                         std::string title, bool real_data, bool allow_mixed = false,
                         const subgroup_settings& subgroups = {});

// Adds the table `build()` returns to the report; when it cannot be built from these results
// (config_error: e.g. a stratum without both classes), notes why in the report's metadata instead.
template <class Build>
void add_table_or_note(report::report& rep, const std::string& what, Build&& build) {
    try {
        rep.tables.push_back(build());
    } catch (const config_error& e) {
        rep.metadata.emplace_back("not shown: " + what, e.what());
    }
}

}  // namespace dermtl::programs
