#pragma once
// The dermtl tool's commands, one file each (apps/commands/<name>.cpp), each a thin front end over
// apps/programs/ (dermtl_programs). add_<name> adds the command to the tool and returns what main
// needs to run it once CLI11 has parsed the command line:
//
//   CLI::App app{"dermtl: ..."};
//   std::vector<commands::command> all = {commands::add_demo(app), commands::add_grid(app), ...};
//   CLI11_PARSE(app, argc, argv);
//   for (const auto& c : all) if (*c.app) return c.run(argc, argv);
//
// This header stays light (main includes only it); what grid, run and slurm submit share is in
// commands/grid.hpp.
#include <functional>

namespace CLI {
class App;
}

namespace dermtl::commands {

struct command {
    CLI::App* app = nullptr;  // the subcommand: run when CLI11 parsed it
    // Runs it; returns the exit code, throws on failure (main prints the message). argc/argv: the
    // tool's command line (`slurm submit` passes its grid options on to the array's tasks).
    std::function<int(int argc, char** argv)> run;
    bool trains = false;  // SIGUSR1/SIGTERM stop training at a checkpoint (main's stop guard)
};

command add_demo(CLI::App& app);
command add_inspect(CLI::App& app);
command add_grid(CLI::App& app);
command add_run(CLI::App& app);
command add_slurm(CLI::App& app);  // `slurm submit` and `slurm status`
command add_compare_protocols(CLI::App& app);
command add_report(CLI::App& app);
command add_synth(CLI::App& app);
command add_extract(CLI::App& app);
command add_score(CLI::App& app);   // ISIC challenge scoring of a submission (issue 26)
command add_export_onnx(CLI::App& app);  // a final model as one ONNX graph (issue 27)
command add_train_final(CLI::App& app);  // a cell's final model on all of the data (issue 27)
command add_predict(CLI::App& app);      // a final model applied to new images (issue 27)

}  // namespace dermtl::commands
