// dermtl run: one experiment cell (a name from `dermtl grid --list`), run and reported as grid does.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"

namespace dermtl::commands {

command add_run(CLI::App& app) {
    struct state {
        grid_options o;
        bool compare_with_paper = false;
    };
    auto st = std::make_shared<state>();
    auto* c =
        app.add_subcommand("run", "Run one experiment cell (a name from `dermtl grid --list`) and write a report");
    c->add_option("cell", st->o.pattern, cell_argument_help())->required();
    st->o.add_to(*c);
    add_compare_with_paper_flag(*c, st->compare_with_paper);
    return {c,
            [st](int, char**) {
                auto& o = st->o;
                const auto& cells = cells_matching(o, "run: cell");
                if (const auto n = cells.registry.match(o.pattern).size(); n != 1)
                    throw config_error("run: expected one cell, '" + o.pattern + "' matches " + std::to_string(n) +
                                       "; use `dermtl grid --cells`");
                return run_grid(cells, o.pattern, false, o.paths, o.settings, st->compare_with_paper);
            },
            true};
}

}  // namespace dermtl::commands
