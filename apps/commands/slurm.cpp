// dermtl slurm submit / status: a grid as Slurm job arrays (programs/slurm.hpp, docs/cluster.md).
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "cpu_check/cpu_check.hpp"
#include "programs/datasets.hpp"
#include "programs/option_checks.hpp"
#include "programs/slurm.hpp"
#include "programs/validity.hpp"

namespace dermtl::commands {

namespace {

// submit builds nothing: the tasks run this very binary on the compute nodes. Built with
// -march=native, it holds the login node's instruction set, which an older node lacks (each task
// would then stop at start-up, apps/cpu_check/): said before anything is written or submitted.
void warn_if_native(std::ostream& err) {
    const auto isa = cpu_check::build_isa();
    if (!isa.native) return;
    err << "dermtl slurm submit: warning: this dermtl was built with " << isa.flags
        << ", for the CPU of the machine that compiled it (" << cpu_check::build_isa_names()
        << "); the array's tasks run it on the compute nodes, and on a node whose CPU lacks one of these "
           "extensions each task stops at start-up, naming them. Build for the cluster: configure with "
           "-DDERMTL_NATIVE=OFF (optionally -DDERMTL_LIBRARY_ARCH=<the oldest node's -march>), or build on a "
           "compute node (docs/cluster.md, \"Building for a cluster\")\n";
}

// The study is loaded here, once, before any task starts: synthetic data and the ImageNet stand-in
// are generated into OUT now, so the array's tasks only read them.
int slurm_submit(const programs::model_cells& m, const std::string& pattern, const programs::data_paths& p,
                 programs::run_settings s, programs::slurm_request r, bool cuda, int argc, char** argv) {
    using protocol::grid_part;
    const auto cells = m.registry.match(pattern);
    if (cells.empty())
        throw config_error("--cells: no experiment matches '" + pattern + "' (see `dermtl grid --list`)");
    s.out = std::filesystem::absolute(s.out);
    programs::require_rereadable_data(p, "slurm submit");  // no pipes: every task reads the data again
    programs::study st = programs::load_study(p, s, target_of(m, pattern, p));
    programs::require_runnable(st, cells);  // refused here, not in a task hours later
    auto cache = programs::make_cache(m, s);
    programs::attach_imagenet_weights(st, m, p, s, cache);
    // The grid's parts: its source models, then the cells that need none and those that use one.
    std::vector<std::string> folds;
    for (std::size_t k = 0; k < folds_per_cell(st, s); ++k) folds.push_back(st.folds[k].name);
    const auto parts = programs::slurm_parts(m.registry, pattern, folds);
    r.gpu = cuda;
    const auto args = programs::grid_arguments(argc, argv);
    const auto sub = programs::submit_grid(r, args, std::filesystem::read_symlink("/proc/self/exe"), s.out, parts,
                                           programs::grid_configuration(m, pattern, st, s));
    for (std::size_t i = 0; i < sub.arrays.size(); ++i) {
        const auto& a = sub.arrays[i];
        std::cout << "wrote " << a.script.string() << " (" << a.items
                  << (a.part == grid_part::sources ? " source model(s)" : " (cell, fold) work items") << " in "
                  << a.tasks << " array task(s))\n";
        if (!a.job_id.empty())
            std::cout << "submitted job " << a.job_id << " (" << protocol::name_of(a.part) << ")"
                      << (a.part == grid_part::dependent && i > 0 && sub.arrays[0].part == grid_part::sources
                              ? ", after job " + sub.arrays[0].job_id
                              : std::string())
                      << "\n";
    }
    if (!sub.arrays.empty() && !sub.arrays.front().job_id.empty())
        std::cout << "`dermtl slurm status --out " << s.out.string() << "` shows its progress\n";
    return 0;
}

}  // namespace

command add_slurm(CLI::App& app) {
    struct state {
        grid_options o;
        programs::slurm_request slurm;
        std::filesystem::path status_out;
    };
    auto st = std::make_shared<state>();
    namespace oc = programs::option_checks;
    auto* slurm_cmd = app.add_subcommand("slurm", "Run a grid as a Slurm job array on a cluster (docs/cluster.md)");
    slurm_cmd->require_subcommand(1);
    auto* submit_cmd = slurm_cmd->add_subcommand(
        "submit",
        "Write OUT/slurm/grid.sbatch, a job array running the grid --cells selects in shards, and submit it "
        "with sbatch (the same selection and data options as `grid`)");
    auto& r = st->slurm;
    submit_cmd->add_option("--cells", st->o.pattern, cells_option_help())
        ->capture_default_str();
    submit_cmd->add_option("--tasks", r.tasks, "Array tasks (0: one per (cell, fold) work item, at most 100)")
        ->capture_default_str()
        ->transform(oc::whole_number(0, 100000));
    submit_cmd->add_option("--throttle", r.throttle, "Tasks running at once (--array=0-N%K)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, 100000));
    submit_cmd->add_option("--cpus-per-task", r.cpus_per_task, "CPUs per task (its OpenMP threads)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, 1024));
    submit_cmd->add_option("--mem", r.memory, "Memory per task, as sbatch takes it (8G)")->capture_default_str();
    submit_cmd->add_option("--time", r.time_limit, "Time limit per task, as sbatch takes it")->capture_default_str();
    submit_cmd->add_option("--partition", r.partition, "Partition (default: the cluster's)");
    submit_cmd->add_option("--account", r.account, "Account to charge (default: yours)");
    submit_cmd
        ->add_option("--warning-seconds", r.warning_seconds,
                     "USR1 this long before a time limit or preemption: the task checkpoints and requeues")
        ->capture_default_str()
        ->transform(oc::whole_number(10, 86400));
    submit_cmd
        ->add_option("--setup", r.setup,
                     "A shell line each task runs before dermtl, e.g. 'module load gcc/12' (repeatable)")
        ->allow_extra_args(false);  // one line per --setup
    submit_cmd->add_option("--launcher", r.launcher,
                           "A command dermtl runs under in each task, e.g. 'apptainer exec --nv dermtl.sif'");
    submit_cmd->add_flag("--dry-run", r.dry_run, "Write the script and the work items; do not submit");
    auto* status_cmd = slurm_cmd->add_subcommand("status",
                                                 "Each work item of a submitted grid: done, pending, running "
                                                 "or failed (from the results and squeue)");
    status_cmd->add_option("--out", st->status_out, "The --out of `dermtl slurm submit`")->required();
    st->o.add_to(*submit_cmd);
    return {slurm_cmd, [st, submit_cmd](int argc, char** argv) {
                if (*submit_cmd) {
                    warn_if_native(std::cerr);  // first: before any refusal of the selection
                    auto& o = st->o;
                    return slurm_submit(cells_matching(o, "--cells"), o.pattern, o.paths, o.settings,
                                        st->slurm, o.backend.backend == "cuda", argc, argv);
                }
                programs::print_slurm_status(st->status_out, std::cout);
                return 0;
            }};
}

}  // namespace dermtl::commands
