#pragma once
// `dermtl slurm submit` and `dermtl slurm status`: a grid as Slurm job arrays.
//
// submit splits the selected grid into its parts (protocol/shard.hpp, grid_part) and writes one
// readable batch script per part into OUT/slurm/, then submits them with `sbatch --parsable`
// unless --dry-run:
//   sources.sbatch      one task per source model the cells train (Retinopathy, double transfer)
//   independent.sbatch  the (cell, fold) items that need no trained source: they start at once
//   dependent.sbatch    the (cell, fold) items that use a trained source, submitted with
//                       --dependency=afterok:<the sources job>, so they start once every source
//                       exists and no two tasks ever train the same source
// Task K of a part's array runs `dermtl grid <the same selection and data options> --part P
// --out OUT` as shard K of that array (`grid` reads the shard from Slurm's array variables). Every
// task writes into OUT: each (cell, fold) result lands in OUT/work/results as in a local run, so
// `dermtl report --results OUT/work/results` builds the tables afterwards, and the results store's
// provenance check applies across tasks.
//
// OUT/slurm/submission.json records the configuration, the jobs and every work item. A second
// submit into the same OUT is refused while a job of the first is still queued, or when its
// configuration (selection, training settings, data contents) differs; the same configuration
// submitted again reruns only the unfinished work items (the finished ones are found stored).
//
// status lists every work item as done (its result, or its source's record, is stored), pending or
// running (its task, in squeue) or failed (its task has left the queue without storing it). It
// needs only squeue: sacct needs accounting (slurmdbd), which many clusters, and the test
// cluster, do not have.
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/protocol/registry.hpp"
#include "dermtl/protocol/shard.hpp"
#include "programs/model_cells.hpp"
#include "programs/study.hpp"

namespace dermtl::programs {

struct slurm_request {
    std::size_t tasks = 0;          // array tasks for the (cell, fold) items; 0: one per item, at most 100
    std::size_t throttle = 4;       // tasks of each array running at once (--array=0-N%K)
    std::size_t cpus_per_task = 2;  // also the OpenMP thread count of each task
    std::string memory = "8G";
    std::string time_limit = "24:00:00";
    std::string partition, account;  // empty: the cluster's defaults
    std::size_t warning_seconds = 120;  // USR1 this long before the time limit or a preemption
    bool gpu = false;                // --gres=gpu:1 (the CUDA backend)
    // Shell lines run before dermtl in every task (--setup: `module load ...`, `source env.sh`),
    // and a command dermtl runs under (--launcher: `apptainer exec --nv dermtl.sif`), both
    // written into the scripts as given.
    std::vector<std::string> setup;
    std::string launcher;
    bool dry_run = false;            // write the scripts, do not submit them
};

// One work item, numbered in grid order within its part.
struct slurm_item {
    std::string name;       // cell_id::str(), or the source (cell_facts::source)
    std::string done_file;  // relative to OUT/work: it exists once the item is done
};

// The items of one part of the grid, run as one job array.
struct slurm_part {
    protocol::grid_part part = protocol::grid_part::independent;
    std::vector<slurm_item> items;
};

struct slurm_array {
    protocol::grid_part part{};
    std::filesystem::path script;
    std::string job_id;  // empty for a dry run
    std::size_t tasks = 0;
    std::size_t items = 0;  // its work items
};

struct slurm_submission {
    std::vector<slurm_array> arrays;  // in submission order: sources, independent, dependent
};

// Writes the scripts and the submission record for `parts` (empty parts are left out), run by
// `dermtl_binary grid <grid_args> --part P --out <out>`, and submits them (unless r.dry_run).
// `configuration` is what determines the results (settings and data contents): a folder whose
// earlier submission recorded another one is refused, naming what differs. Throws config_error
// for a bad request, and io_error naming the script when sbatch is missing or rejects it (with
// Slurm's message).
slurm_submission submit_grid(const slurm_request& r, const std::vector<std::string>& grid_args,
                             const std::filesystem::path& dermtl_binary, const std::filesystem::path& out,
                             const std::vector<slurm_part>& parts, const nlohmann::json& configuration);

// The work items of the grid `pattern` selects, by part: its source models (each done once its
// record exists), then the (cell, fold) items of the cells that need no source and of those that
// use one, for `folds` (the fold names each cell runs, in order; each done once its result is stored).
std::vector<slurm_part> slurm_parts(const protocol::registry& reg, const std::string& pattern,
                                    const std::vector<std::string>& folds);

// What determines a submitted grid's results, recorded in OUT/slurm/submission.json: a second
// submission into the same folder must have the same (the selection, the training settings, the
// contents of the data and of the ImageNet weights).
nlohmann::json grid_configuration(const model_cells& m, const std::string& pattern, const study& st,
                                  const run_settings& s);

// Prints every work item's state and the totals; returns the number not done.
std::size_t print_slurm_status(const std::filesystem::path& out, std::ostream& os);

// The arguments of `dermtl slurm submit ...` that belong to `dermtl grid`: everything after
// "submit" except the slurm options (`slurm_option_names`) and --out (given separately).
std::vector<std::string> grid_arguments(int argc, char** argv);
const std::vector<std::string>& slurm_option_names();  // the ones taking a value; --dry-run has none

}  // namespace dermtl::programs
