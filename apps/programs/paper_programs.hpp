#pragma once
// The paper's programs, as functions of compiled model cells, data paths and settings: each runs
// its experiments (continuing a previous run in the same output folder) and writes its report to
// OUT/report. The table programs in examples/ and the `dermtl` tool are thin front ends; the
// embedded default demo (run_demo) runs Tables 1, 3 and 4 on generated data with scaled networks.
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "dermtl/report/write.hpp"
#include "programs/model_cells.hpp"
#include "programs/study.hpp"
#include "programs/tables.hpp"

namespace dermtl::programs {

// Runs the cells of one model that `patterns` pick, in that order, on a study: the model's own
// image cache (at its input size) and ImageNet weights (the user's, or the synthetic stand-in).
std::vector<protocol::experiment_result> run_model(study& st, const model_cells& m, const data_paths& p,
                                                   const run_settings& s, const std::vector<std::string>& patterns,
                                                   std::ostream& log);

// One glob per paper design of a model's cells, "<prefix><design>", in grid order; only the binary
// designs when binary_only.
std::vector<std::string> per_design(const model_cells& m, const std::string& prefix, bool binary_only = false);

// Table 1: every valid transfer x fine-tuning column x the three designs, one model.
report::written_report run_table1(const model_cells& m, const data_paths& p, const run_settings& s, std::ostream& log);

// Table 2: the ISIC 2016 official split, ImageNet + FT, the ISIC measures beside the published rows.
report::written_report run_table2(const model_cells& m, const data_paths& p, const run_settings& s, std::ostream& log);

// Table 3: architectures compared with ImageNet + FT on the three designs.
report::written_report run_table3(const std::vector<const model_cells*>& models, const data_paths& p,
                                  const run_settings& s, std::ostream& log);

// Table 4: ImageNet + FT on the two binary designs, stratified by difficulty.
report::written_report run_table4(const model_cells& m, const data_paths& p, const run_settings& s, std::ostream& log);

// The embedded default: generated data, scaled networks, a short training schedule; the whole
// Table 1 grid (every valid column, three designs), a Table 3-style comparison of the two scaled
// architectures, Table 4-style difficulty strata and a referral analysis, in one report.
struct demo_options {
    std::filesystem::path out = "dermtl-demo";
    std::string folds = "2";
    std::size_t epochs = 10;
    std::uint64_t seed = 2017;
    synthetic_sizes sizes{};
    bool progress = false;
    backend::numerics numerics{};  // --precision (backend_choice::numerics())
};

run_settings demo_settings(const demo_options& o);

struct demo_result {
    report::report report;
    report::written_report written;
    std::vector<protocol::experiment_result> results;
    double seconds = 0;
};

demo_result run_demo(const demo_options& o, const model_cells& first, const model_cells& second, std::ostream& log);

}  // namespace dermtl::programs
