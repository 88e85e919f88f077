#pragma once
// `dermtl slurm submit` and `dermtl slurm status`: a grid as a Slurm job array.
//
// submit writes OUT/slurm/grid.sbatch -- a readable batch script whose array task K runs
// `dermtl grid <the same selection and data options> --out OUT` as shard K of N (`grid` reads the
// shard from Slurm's array variables, protocol/shard.hpp) -- and OUT/slurm/submission.json (the
// job, the work items and where their results go), then submits the script with
// `sbatch --parsable` unless --dry-run. The shards share OUT: each (cell, fold) result lands in
// OUT/work/results as in a local run, so `dermtl report --results OUT/work/results` builds the
// tables afterwards, and the results store's provenance check applies across shards.
//
// status lists every work item as done (its result is stored), pending or running (its task, in
// squeue) or failed (its task has left the queue without storing it). It needs only squeue:
// sacct needs accounting (slurmdbd), which many clusters, and the test cluster, do not have.
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace dermtl::programs {

struct slurm_request {
    std::size_t tasks = 0;          // array tasks; 0: one per work item, at most 100
    std::size_t throttle = 4;       // tasks running at once (--array=0-N%K)
    std::size_t cpus_per_task = 2;  // also the OpenMP thread count of each task
    std::string memory = "8G";
    std::string time_limit = "24:00:00";
    std::string partition, account;  // empty: the cluster's defaults
    std::size_t warning_seconds = 120;  // USR1 this long before the time limit or a preemption
    bool gpu = false;                // --gres=gpu:1 (the CUDA backend)
    bool dry_run = false;            // write the script, do not submit it
};

// One (cell, fold) work item, numbered in grid order.
struct slurm_item {
    std::string cell;    // cell_id::str()
    std::string result;  // its fold result, relative to OUT/work/results
};

struct slurm_submission {
    std::filesystem::path script;
    std::string job_id;  // empty for a dry run
    std::size_t tasks = 0;
};

// Writes the script and the submission record for `items`, run by `dermtl_binary grid
// <grid_args> --out <out>`, and submits it (unless r.dry_run). Throws config_error for a bad
// request, and io_error naming the script when sbatch is missing or rejects it (with Slurm's
// message).
slurm_submission submit_grid(const slurm_request& r, const std::vector<std::string>& grid_args,
                             const std::filesystem::path& dermtl_binary, const std::filesystem::path& out,
                             const std::vector<slurm_item>& items);

// Prints every work item's state and the totals; returns the number not done.
std::size_t print_slurm_status(const std::filesystem::path& out, std::ostream& os);

// The arguments of `dermtl slurm submit ...` that belong to `dermtl grid`: everything after
// "submit" except the slurm options (`slurm_option_names`) and --out (given separately).
std::vector<std::string> grid_arguments(int argc, char** argv);
const std::vector<std::string>& slurm_option_names();  // the ones taking a value; --dry-run has none

}  // namespace dermtl::programs
