#pragma once
// What grid, run, slurm submit, compare-protocols and report share (defined in grid.cpp).
#include <cstddef>
#include <string>

#include "commands/commands.hpp"
#include "programs/backend_choice.hpp"
#include "programs/datasets.hpp"
#include "programs/model_cells.hpp"
#include "programs/study.hpp"
#include "programs/tables.hpp"

namespace dermtl::commands {

// What grid, run and slurm submit share: the network, the backend, the data and the
// training options, and the cells pattern (--cells, or run's positional cell).
struct grid_options {
    std::string network = "vgg_m", pattern = "*";
    programs::backend_choice backend;
    programs::data_paths paths;
    programs::run_settings settings;

    // --network, --backend/--precision/--deterministic, the data options, the training options.
    void add_to(CLI::App& c);
};

// The cells of o's --network, --backend and --protocol (their defaults applied to o.settings), once
// o.pattern is known to name some of them: a pattern whose backend part (the second) names another
// backend than --backend, or whose model part (the first) names another network's cells than
// --network, is refused naming the option to give; one that matches nothing names `what` (the
// option or argument it came from: "--cells", "run: cell") and `dermtl grid --list`.
const programs::model_cells& cells_matching(grid_options& o, const std::string& what);

// The target data: the format the data options name (programs/datasets.hpp); without one,
// generated data (--synthetic) in the layout the cells need (ISIC's own label: the ISIC 2016
// split; else the Atlas'), or the Atlas, whose loader names the options to pass.
const programs::dataset_format& target_of(const programs::model_cells& m, const std::string& pattern,
                                          const programs::data_paths& p);

// The folds each cell runs (--max-folds caps them), as experiment_inputs::fold_count counts them.
std::size_t folds_per_cell(const programs::study& st, const programs::run_settings& s);

// Which published values a report shows (--paper, --compare-with-paper), with the architecture
// of every compiled model: the paper's network a scaled one is compared with.
programs::paper_comparison paper_comparison_of(programs::paper_values shown);

// The help of --cells (grid, slurm submit) and of run's cell, with examples this build runs as
// written (apps::help_examples_of).
std::string cells_option_help();
std::string cell_argument_help();

// grid's and run's --compare-with-paper.
void add_compare_with_paper_flag(CLI::App& c, bool& compare_with_paper);

// `grid` and `run`: runs the cells of `pattern` (or, with `list`, lists the compiled cells and,
// given data, which can run on it) and writes the report.
int run_grid(const programs::model_cells& m, const std::string& pattern, bool list, const programs::data_paths& p,
             const programs::run_settings& s, bool compare_with_paper);

}  // namespace dermtl::commands
