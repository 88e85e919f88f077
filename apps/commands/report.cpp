// dermtl report: the report rebuilt from stored results (OUT/work/results).
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/report/write.hpp"

namespace dermtl::commands {

command add_report(CLI::App& app) {
    struct state {
        std::filesystem::path results, out = "dermtl-report";
        bool references = false, compare_with_paper = false, mixed = false;
    };
    auto st = std::make_shared<state>();
    auto* c = app.add_subcommand("report", "Rebuild the report from stored results (OUT/work/results)");
    c->add_option("--results", st->results, "The results folder, OUT/work/results")->required();
    c->add_option("--out", st->out, "Report folder")->capture_default_str();
    c->add_flag("--paper", st->references,
                "Show the paper's published values beside our results of the paper's configuration (its "
                "network at full size, its data, folds and training); for real data only");
    c->add_flag("--compare-with-paper", st->compare_with_paper,
                "Also show them beside results of another configuration (a scaled network, other data, "
                "other folds or training); each table then says what differs");
    c->add_flag("--mixed", st->mixed,
                "Put results made with different configurations (data, seed, training) in one report; "
                "the report then says so");
    return {c, [st](int, char**) {
                const auto paper = st->compare_with_paper ? programs::paper_values::any_configuration
                                   : st->references       ? programs::paper_values::same_configuration
                                                          : programs::paper_values::none;
                // Every stored file is validated as it is read; what is not a result is listed as ignored.
                const auto all = programs::load_results(st->results, &apps::all_cells());
                const auto rep = programs::report_of(all, apps::all_cells(), "dermtl report of " + st->results.string(),
                                                     paper_comparison_of(paper), st->mixed);
                const auto written = report::write_report(rep, st->out);
                for (const auto& t : rep.tables) std::cout << report::to_markdown(t) << "\n";
                std::cout << "report: " << written.html().string() << "\n";
                return 0;
            }};
}

}  // namespace dermtl::commands
