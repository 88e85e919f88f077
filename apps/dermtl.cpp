// dermtl: the command-line tool. Every command is a thin front end over apps/programs/
// (dermtl_programs), in its own file under apps/commands/ (commands.hpp lists them).
//
//   dermtl demo                          the embedded default: synthetic data, Tables 1, 3, 4, a report
//   dermtl inspect --labels L.csv [--folds F.yml] [--images DIR]   what a dataset holds
//   dermtl grid --list                   the compiled experiment cells (of --network, on --backend)
//   dermtl grid --cells 'vgg_m/onednn/imagenet/*' --atlas meta.csv --imagenet-weights imagenet-vgg-m.mat
//   dermtl run vgg_m/onednn/none/finetune/malignant_vs_benign --atlas meta.csv
//   dermtl run vgg_m/cpu/none/finetune/malignant_vs_benign --backend cpu --atlas meta.csv
//                                        (cells name their backend: onednn is the default where the build
//                                        has oneDNN, else cpu; `dermtl run --help` shows this build's)
//   dermtl report --results OUT/work/results --out DIR
//   dermtl score --truth GT.csv --predictions OUT/predictions/<cell>/pooled.csv   the ISIC scorer's measures
//   dermtl synth lesions --out DIR
//   dermtl extract --network vgg_m --weights imagenet-vgg-m.mat --atlas meta.csv --out fc7.npy
//   dermtl --version                     the version and the instruction set the build was compiled for
#include <csignal>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "cpu_check/cpu_check.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/train/stop_request.hpp"

int main(int argc, char** argv) {
    using namespace dermtl;
    CLI::App app{"dermtl: transfer learning for melanoma screening (Menegola et al., ISBI 2017).\n"
                 "Start with `dermtl demo` (no downloads: synthetic data, about 4 minutes on 2 cores), then "
                 "`dermtl inspect` on your data; docs/reproducing.md runs the paper's tables."};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Help for every command");
    // The instruction set (apps/cpu_check/cpu_check.hpp): what the start-up check compared this CPU with.
    const auto isa = cpu_check::build_isa();
    const auto isa_names = cpu_check::build_isa_names();
    app.set_version_flag("--version", "dermtl " + std::string(version) + "\ninstruction set: " +
                                          std::string(*isa.flags ? isa.flags : "the compiler's default") +
                                          (isa_names.empty() ? std::string(", nothing beyond x86-64")
                                                             : "; beyond x86-64, checked at start-up: " + isa_names) +
                                          (isa.native ? "\n(-march=native: the build machine's CPU; docs/cluster.md "
                                                        "builds for a cluster with -DDERMTL_NATIVE=OFF)"
                                                      : ""));

    // In the order of `dermtl --help`.
    const std::vector<commands::command> all = {
        commands::add_demo(app),   commands::add_inspect(app), commands::add_grid(app),
        commands::add_run(app),    commands::add_slurm(app),   commands::add_compare_protocols(app),
        commands::add_report(app), commands::add_synth(app),   commands::add_extract(app),
        commands::add_score(app),  commands::add_export_onnx(app), commands::add_train_final(app), commands::add_predict(app),
    };

    CLI11_PARSE(app, argc, argv);
    for (const auto& c : all) {
        if (!*c.app) continue;
        // The commands that train: SIGUSR1 (Slurm's warning, forwarded by the batch script) and SIGTERM
        // make training stop after its current step and save a step-level checkpoint; dermtl then exits
        // with train::requeue_exit_code (85) and a rerun resumes there (docs/cluster.md, "Preemption").
        std::optional<train::stop_on_signals> stop_guard;
        if (c.trains) stop_guard.emplace({SIGUSR1, SIGTERM});
        try {
            return c.run(argc, argv);
        } catch (const train::stop_requested_error& e) {
            std::cerr << "dermtl: " << e.what() << "\n";
            return train::requeue_exit_code;
        } catch (const std::exception& e) {
            std::cerr << "dermtl: " << e.what() << "\n";
            return 1;
        }
    }
    return 0;
}
