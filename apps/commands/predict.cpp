// dermtl predict: a final model (`dermtl train-final`'s folder) applied to new images; per image
// the probability of each class, the decision and the referral band, as a predictions CSV.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cells.hpp"
#include "commands/commands.hpp"
#include "dermtl/io/model_folder.hpp"
#include "programs/backend_choice.hpp"
#include "programs/option_checks.hpp"
#include "programs/predict.hpp"

namespace dermtl::commands {

namespace {

// The compiled cell that applies `model` on `backend`: the model's own cell there, else any cell of
// its network family and class count (every cell of those has the same network). config_error
// naming what the build lacks otherwise.
std::pair<const programs::model_cells*, const protocol::registry_entry*> cell_for(const io::final_model& model,
                                                                                 const std::string& backend) {
    const programs::model_cells* family = nullptr;
    const protocol::registry_entry* any = nullptr;
    for (const auto* m : apps::compiled_cells()) {
        if (m->model != model.network) continue;
        for (const auto& e : m->registry.entries()) {
            if (e.id.backend.name != backend || !e.make_network) continue;
            family = m;
            if (e.facts.classes != model.classes.size()) continue;
            if (e.id.str() == model.cell || !any) any = &e;
            if (e.id.str() == model.cell) return {m, &e};
        }
        if (any) return {m, any};
    }
    if (family) {
        // The family is there: the class count is what differs; check_model_fits says so.
        programs::check_model_fits(model, family->registry.entries().front(), *family);
    }
    throw config_error("predict: the model's network " + model.network + " (cell " + model.cell +
                       ") has no compiled cells on --backend " + backend + " in this build (" +
                       apps::build_cells_description() + ")");
}

}  // namespace

command add_predict(CLI::App& app) {
    struct state {
        std::filesystem::path model, out;
        std::vector<std::filesystem::path> inputs;
        std::string image_column = "image";
        programs::backend_choice backend;
        programs::predict_options o;
        bool no_progress = false;
        double refer_low = 0, refer_high = 1;
    };
    auto st = std::make_shared<state>();
    st->o.max_image_pixels = io::image_read_options{}.max_pixels;
    namespace oc = programs::option_checks;
    auto* c = app.add_subcommand("predict",
                                 "Apply a final model (`dermtl train-final`) to images: per image the probability of "
                                 "each class, the decision and the referral band, as a predictions CSV `dermtl score` "
                                 "reads");
    c->add_option("--model", st->model, "The model folder (network.safetensors, model.json)")->required();
    c->add_option("images", st->inputs,
                  "Images, folders (searched recursively), list files (one path per line) or manifests (.csv with an "
                  "`image` column)")
        ->required();
    c->add_option("--out", st->out, "The predictions CSV to write")->required();
    c->add_option("--image-column", st->image_column, "A manifest's column naming the images")->capture_default_str();
    st->backend.add_to(*c);
    auto* low = c->add_option("--refer-low", st->refer_low,
                              "Two classes: confident negative below this probability (default: the model's threshold)")
                    ->check(CLI::Range(0.0, 1.0));
    auto* high = c->add_option("--refer-high", st->refer_high,
                               "Two classes: confident positive above this probability (default: the model's)")
                     ->check(CLI::Range(0.0, 1.0));
    c->add_flag("--strict", st->o.strict, "Stop at the first image that cannot be read (default: report it, skip it)");
    c->add_option("--batch-size", st->o.batch_size, "Images per forward pass")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_batch_size));
    oc::add_max_image_pixels(*c, st->o.max_image_pixels);
    c->add_flag("--no-progress", st->no_progress, "No progress bar (it is drawn only on a terminal)");
    return {c, [st, low, high](int, char**) {
                if (low->count()) st->o.refer_low = st->refer_low;
                if (high->count()) st->o.refer_high = st->refer_high;
                if (st->no_progress) st->o.progress = false;
                const io::final_model model = io::read_model_folder(st->model);
                const auto [m, cell] = cell_for(model, st->backend.backend);
                apps::use_numerics(st->backend.backend, st->backend.precision, st->backend.deterministic);
                const auto images = programs::predict_inputs(st->inputs, st->image_column);
                const auto s = programs::predict_images(st->model, model, *cell, *m, images, st->o, st->out, std::cerr);
                std::cout << s.predicted << " image(s) predicted, " << s.skipped.size() << " skipped";
                if (s.referral)
                    std::cout << "; referral: " << s.refer << " refer, " << s.confident_negative
                              << " confident negative, " << s.confident_positive << " confident positive";
                std::cout << "\npredictions: " << st->out.string() << "\n";
                return 0;
            }};
}

}  // namespace dermtl::commands
