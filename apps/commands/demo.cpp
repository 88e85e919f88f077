// dermtl demo: the embedded default. Synthetic data, Tables 1, 3 and 4 with scaled networks, a report.
#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "programs/backend_choice.hpp"
#include "dermtl/report/markdown.hpp"
#include "programs/option_checks.hpp"
#include "programs/paper_programs.hpp"

namespace dermtl::commands {

command add_demo(CLI::App& app) {
    struct state {
        programs::demo_options o;
        programs::backend_choice backend;
    };
    auto st = std::make_shared<state>();
    auto& o = st->o;
    auto* c = app.add_subcommand("demo",
                                 "Generate synthetic data and run Tables 1, 3 and 4 with scaled networks; "
                                 "write a report (Markdown, CSV, JSON, PNG, HTML)");
    c->add_option("--out", o.out, "Output folder (a rerun continues there)")->capture_default_str();
    namespace oc = programs::option_checks;
    c->add_option("--folds", o.folds, "2 (one 2-fold repetition) or 5x2 (the paper's; about 4.5x longer)")
        ->capture_default_str()
        ->check(programs::folds_option());
    c->add_option("--epochs", o.epochs, "Training epochs")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_epochs));
    c->add_option("--seed", o.seed, "Seed")->capture_default_str()->transform(oc::seed());
    c->add_option("--lesions", o.sizes.lesions, "Synthetic lesions")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count));
    c->add_option("--retinas", o.sizes.retinas, "Synthetic retinas (the Retinopathy source)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count));
    c->add_option("--general-per-class", o.sizes.general_per_class,
                  "Images per class of the general task (the ImageNet stand-in, 24 classes)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count / 24));
    c->add_flag("--progress", o.progress, "A progress line per training epoch");
    st->backend.add_to(*c);
    return {c,
            [st](int, char**) {
                const auto& first = st->backend.cells("vgg_m_scaled");
                st->o.numerics = st->backend.numerics();
                const auto r = programs::run_demo(st->o, first, st->backend.cells("vgg_16_scaled"), std::cerr);
                for (const auto& t : r.report.tables) std::cout << report::to_markdown(t) << "\n";
                std::printf("This run took %.0f s (stored results and cached models are reused). Report: %s\n",
                            r.seconds, r.written.html().c_str());
                return 0;
            },
            true};
}

}  // namespace dermtl::commands
