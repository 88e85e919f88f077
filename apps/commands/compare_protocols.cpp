// dermtl compare-protocols: one cell under the paper's and the reference code's protocol on the
// same data and folds (programs/protocol_comparison.hpp).
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "programs/paper_programs.hpp"
#include "programs/protocol_comparison.hpp"
#include "programs/validity.hpp"

namespace dermtl::commands {

namespace {

int compare_protocols(const programs::backend_choice& b, const std::string& network, const std::string& cell,
                      const programs::data_paths& p, const programs::run_settings& given) {
    if (given.protocol_name != "paper")
        throw config_error("compare-protocols: runs the cell under every protocol; drop --protocol");
    programs::run_settings paper_settings = given, reference_settings = given;
    reference_settings.protocol_name = "reference";
    const auto& paper = b.cells(network, paper_settings);
    const auto& reference = b.cells(network, reference_settings);
    // The same transfer/finetune/labeling in both grids.
    auto pick = [&](const programs::model_cells& m) -> const protocol::registry_entry& {
        const auto found = m.registry.match(m.model + "/" + b.backend + "/" + cell + "*");
        if (found.size() != 1)
            throw config_error("compare-protocols: '" + cell + "' picks " + std::to_string(found.size()) +
                               " cells of " + m.model +
                               "; expected TRANSFER/FINETUNE/LABELING, e.g. imagenet/finetune/malignant_vs_benign");
        return *found.front();
    };
    const auto& paper_cell = pick(paper);
    const auto& reference_cell = pick(reference);
    programs::study st = programs::load_study(p, paper_settings, target_of(paper, paper_cell.id.str(), p));
    programs::require_runnable(st, {&paper_cell});
    const auto a = programs::run_model(st, paper, p, paper_settings, {paper_cell.id.str()}, std::cerr);
    const auto r = programs::run_model(st, reference, p, reference_settings, {reference_cell.id.str()}, std::cerr);
    const auto c = programs::compare_protocols(a.front(), r.front());
    std::ostringstream md;
    md << "# " << paper_cell.id.str() << " under both protocols\n\n"
       << "Data: " << st.description << "; " << st.folds.size() << " folds; seed " << given.seed << "; paper "
       << paper_settings.epochs << " epochs, reference " << reference_settings.epochs << " epochs.\n\n"
       << programs::to_markdown(c);
    const auto out = given.out / "protocol-comparison.md";
    std::filesystem::create_directories(given.out);
    io::write_file_atomically(out, md.str());
    std::cout << md.str() << "\nwritten: " << out.string() << "\n";
    return 0;
}

}  // namespace

command add_compare_protocols(CLI::App& app) {
    struct state {
        std::string cell, network = "vgg_m";
        programs::backend_choice backend;
        programs::data_paths paths;
        programs::run_settings settings;
    };
    auto st = std::make_shared<state>();
    auto* c =
        app.add_subcommand("compare-protocols",
                           "Run one cell under the paper's and the reference code's protocol on the same data and "
                           "folds; print the per-fold AUC difference and its 5x2cv significance");
    c->add_option("cell", st->cell, "TRANSFER/FINETUNE/LABELING, e.g. imagenet/finetune/malignant_vs_benign")
        ->required();
    c->add_option("--network", st->network, "Network: vgg_m or vgg_m_scaled (the reference protocol's)")
        ->capture_default_str();
    st->backend.add_to(*c);
    programs::add_data_options(*c, st->paths);
    programs::add_run_options(*c, st->settings);
    return {c, [st](int, char**) {
                return compare_protocols(st->backend, st->network, st->cell, st->paths, st->settings);
            }};
}

}  // namespace dermtl::commands
