// dermtl train-final: one cell's final model on all of the given data, written as a model folder
// (io/model_folder.hpp) that `dermtl predict` and `dermtl export-onnx` read.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "programs/datasets.hpp"
#include "programs/final_model.hpp"
#include "programs/option_checks.hpp"
#include "programs/validity.hpp"

namespace dermtl::commands {

namespace {

// MODEL/ and MODEL name the same folder.
std::filesystem::path folder_of(const std::filesystem::path& p) {
    std::filesystem::path f = p.lexically_normal();
    if (f.filename().empty()) f = f.parent_path();
    return f;
}

}  // namespace

command add_train_final(CLI::App& app) {
    struct state {
        grid_options o;
        std::filesystem::path work;
        programs::referral_targets targets;
    };
    auto st = std::make_shared<state>();
    auto* c = app.add_subcommand(
        "train-final",
        "Train one cell's final model on all of the given data (its protocol as one fold: the 10% validation split "
        "picks the epoch, C is chosen as in the study, Platt's sigmoid and referral thresholds are fitted) and write "
        "it as a model folder for `dermtl predict` and `dermtl export-onnx`");
    c->add_option("cell", st->o.pattern, cell_argument_help())->required();
    st->o.add_to(*c);
    // --out is the model folder here; the work (checkpoints, synthetic data) goes to --work.
    c->get_option("--out")->description(
        "The model folder to write: network.safetensors and model.json (replaced whole if it holds a model)");
    c->add_option("--work", st->work,
                  "Work folder: checkpoints (a rerun resumes), cached source models, synthetic data "
                  "(default: the model folder's name + '.work' beside it)");
    namespace oc = programs::option_checks;
    c->add_option("--refer-sensitivity", st->targets.refer_sensitivity,
                  "Two classes: the referral band's low threshold keeps this sensitivity on the held-out validation "
                  "values (cases below it are confident negatives)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    c->add_option("--confident-specificity", st->targets.confident_specificity,
                  "Two classes: the high threshold keeps this specificity on them (cases above it are confident "
                  "positives)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    return {c,
            [st, c](int, char**) {
                auto& o = st->o;
                if (c->get_option("--out")->count() == 0)
                    throw config_error("train-final: expected --out MODEL, the model folder to write");
                const std::filesystem::path model = folder_of(o.settings.out);
                o.settings.out = st->work.empty() ? std::filesystem::path(model.string() + ".work") : st->work;
                const auto& cells = cells_matching(o, "train-final: cell");
                const auto matched = cells.registry.match(o.pattern);
                if (matched.size() != 1)
                    throw config_error("train-final: expected one cell, '" + o.pattern + "' matches " +
                                       std::to_string(matched.size()) + "; use `dermtl grid --list`");
                programs::study study = programs::load_study(o.paths, o.settings, target_of(cells, o.pattern, o.paths));
                programs::require_runnable(study, matched);
                const auto summary = programs::train_final_model(study, cells, *matched.front(), o.paths, o.settings,
                                                                 st->targets, model, std::cerr);
                const auto& m = summary.model;
                std::cout << "model: " << model.string() << " (" << m.cell << ", " << summary.samples
                          << " images, classes";
                for (const auto& name : m.classes) std::cout << " '" << name << "'";
                std::cout << ")\n";
                if (m.referral)
                    std::cout << "referral: confident negative below " << m.referral->low << ", confident positive above "
                              << m.referral->high << "\n";
                std::cout << "next: dermtl predict --model " << model.string() << " IMAGES... --out predictions.csv\n";
                return 0;
            },
            true};
}

}  // namespace dermtl::commands
