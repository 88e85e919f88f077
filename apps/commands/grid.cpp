// dermtl grid: the experiment cells --cells matches, run and reported; --list: the compiled cells
// (with data options: which can run on that data). Also what run and slurm submit share with it.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fnmatch.h>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/report/write.hpp"
#include "programs/datasets.hpp"
#include "programs/paper_programs.hpp"
#include "programs/runner.hpp"
#include "programs/shard_option.hpp"
#include "programs/validity.hpp"

namespace dermtl::commands {

void grid_options::add_to(CLI::App& c) {
    c.add_option("--network", network, "Network: " + apps::joined(apps::network_names()))->capture_default_str();
    backend.add_to(c);
    programs::add_data_options(c, paths);
    programs::add_run_options(c, settings);
}

namespace {

// The parts of a cell name or glob ("vgg_m/onednn/imagenet/*" -> vgg_m, onednn, imagenet, *).
std::vector<std::string> pattern_parts(const std::string& pattern) {
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= pattern.size();) {
        const std::size_t end = std::min(pattern.find('/', at), pattern.size());
        parts.push_back(pattern.substr(at, end - at));
        at = end + 1;
    }
    return parts;
}

bool is_literal(const std::string& part) { return part.find_first_of("*?[\\") == std::string::npos; }

// The pattern with its part `index` replaced by `value`.
std::string with_part(const std::string& pattern, std::size_t index, const std::string& value) {
    auto parts = pattern_parts(pattern);
    parts[index] = value;
    std::string s;
    for (const auto& p : parts) {
        if (!s.empty()) s += '/';
        s += p;
    }
    return s;
}

}  // namespace

const programs::model_cells& cells_matching(grid_options& o, const std::string& what) {
    const auto parts = pattern_parts(o.pattern);
    const auto& backend = o.backend.backend;
    if (parts.size() >= 2 && is_literal(parts[1]) && parts[1] != backend) {
        const auto instances = apps::cell_instances();
        const bool known = std::any_of(instances.begin(), instances.end(),
                                       [&](const auto& c) { return c.backend == parts[1]; });
        if (known)
            throw config_error(what + " '" + o.pattern + "': names backend '" + parts[1] + "', but --backend is '" +
                               backend + "'" + (backend == apps::default_backend() ? " (this build's default)" : "") +
                               "; give --backend " + parts[1] + " to run that cell, or name the cell '" +
                               with_part(o.pattern, 1, backend) + "' to run it on " + backend);
    }
    if (!parts.empty() && is_literal(parts[0])) {
        // The model part of another network's cells (vgg_m_64_8 is --network vgg_m_scaled's; each
        // network's models are its own): name the option, whether or not this build has --network's cells.
        for (const auto& c : apps::cell_instances())
            if (c.compiled && c.network != o.network && apps::cells_of(c.network, c.backend, c.protocol).model == parts[0])
                throw config_error(what + " '" + o.pattern + "': names the cells of --network " + c.network + " (" +
                                   parts[0] + "/...), but --network is '" + o.network + "'; give --network " +
                                   c.network);
    }
    const auto& cells = o.backend.cells(o.network, o.settings);
    const auto& entries = cells.registry.entries();
    const bool any = std::any_of(entries.begin(), entries.end(), [&](const auto& e) {
        return ::fnmatch(o.pattern.c_str(), e.id.str().c_str(), 0) == 0;
    });
    if (!any)
        throw config_error(what + " '" + o.pattern + "': matches no cell of --network " + o.network + " --backend " +
                           backend + " --protocol " + cells.protocol_name + " (`dermtl grid --list --network " +
                           o.network + " --backend " + backend + "` lists them, e.g. " + entries.front().id.str() +
                           ")");
    return cells;
}

const programs::dataset_format& target_of(const programs::model_cells& m, const std::string& pattern,
                                          const programs::data_paths& p) {
    if (const auto* given = programs::given_dataset(p, true); given && !p.synthetic) return *given;
    const auto cells = m.registry.match(pattern);
    const auto isic = std::count_if(cells.begin(), cells.end(), [](const auto* e) { return e->facts.isic_label; });
    if (isic != 0 && std::size_t(isic) != cells.size())
        throw config_error("--cells '" + pattern + "': picks " + std::to_string(isic) +
                           " ISIC-label cell(s), which run on "
                           "--isic2016, and " +
                           std::to_string(cells.size() - std::size_t(isic)) +
                           " other cell(s); run "
                           "them with two patterns");
    return isic ? programs::isic2016_dataset() : programs::atlas_dataset();
}

std::size_t folds_per_cell(const programs::study& st, const programs::run_settings& s) {
    return std::min(s.max_folds ? s.max_folds : st.folds.size(), st.folds.size());
}

programs::paper_comparison paper_comparison_of(programs::paper_values shown) {
    programs::paper_comparison compare;
    compare.shown = shown;
    for (const auto* m : apps::compiled_cells()) compare.architectures.emplace(m->model, m->architecture);
    return compare;
}

int run_grid(const programs::model_cells& m, const std::string& pattern, bool list, const programs::data_paths& p,
             const programs::run_settings& s, bool compare_with_paper) {
    if (list) {
        // With data options: which cells can run on that data, and why the others cannot.
        std::optional<programs::study> st;
        if (p.synthetic || programs::given_dataset(p, true))
            st = programs::load_study(p, s, target_of(m, m.registry.entries().front().id.str(), p));
        for (const auto& e : m.registry.entries()) {
            std::cout << e.id.str();
            if (st)
                if (const auto why = programs::cell_problem(*st, e); !why.empty())
                    std::cout << "  (not here: " << why << ")";
            std::cout << "\n";
        }
        // What this build holds (apps/cells.list, DERMTL_CELLS), on stderr: the list stays a list.
        std::cerr << apps::build_cells_description() << "\n";
        return 0;
    }
    programs::study st = programs::load_study(p, s, target_of(m, pattern, p));
    const auto selected = m.registry.match(pattern);
    programs::require_runnable(st, selected);
    const auto results = programs::run_model(st, m, p, s, {pattern}, std::cerr);
    if (!s.shard.whole() || s.part != protocol::grid_part::all) {
        // One shard or part holds part of the grid: the report is built from the shared results
        // folder once every shard of every part has run.
        const std::size_t items = programs::work_items(m.registry, pattern, s.part, folds_per_cell(st, s));
        std::cout << "part " << protocol::name_of(s.part) << ", shard " << s.shard.str() << ": ";
        if (s.part == protocol::grid_part::sources) {
            std::cout << items << " source model(s) in the part\n";
            return 0;
        }
        std::size_t folds = 0;
        for (const auto& r : results) folds += r.folds.size();
        std::cout << folds << " (cell, fold) work item(s) of " << items << " done, in " << results.size()
                  << " cell(s); after every shard: dermtl report --results " << (s.out / "work" / "results").string()
                  << "\n";
        return 0;
    }
    // Real data: the paper's values beside our results of its configuration; --compare-with-paper:
    // beside any, with notes saying what differs; synthetic data: none unless asked.
    const auto shown = compare_with_paper ? programs::paper_values::any_configuration
                       : st.synthetic     ? programs::paper_values::none
                                          : programs::paper_values::same_configuration;
    auto rep = programs::report_of(results, apps::all_cells(), "dermtl: " + pattern, paper_comparison_of(shown));
    for (const auto& note : programs::design_notes(st, selected)) rep.metadata.emplace_back("note", note);
    const auto written = report::write_report(rep, s.out / "report");
    for (const auto& t : rep.tables) std::cout << report::to_markdown(t) << "\n";
    std::cout << "report: " << written.html().string() << "\n";
    return 0;
}

std::string cells_option_help() {
    const auto ex = apps::help_examples_of(grid_options{}.network);
    return "Cell name or glob, e.g. '" + ex.glob + "'" + (ex.options.empty() ? "" : " (with " + ex.options + ")") +
           "; its second part is the backend, --backend's (" + apps::default_backend() + " unless given)";
}

std::string cell_argument_help() {
    const auto ex = apps::help_examples_of(grid_options{}.network);
    return "The cell's name, e.g. " + ex.cell + (ex.options.empty() ? "" : " (with " + ex.options + ")") +
           "; its second part is the backend, --backend's (" + apps::default_backend() + " unless given)";
}

void add_compare_with_paper_flag(CLI::App& c, bool& compare_with_paper) {
    c.add_flag("--compare-with-paper", compare_with_paper,
               "In the report, show the paper's published values beside results of another configuration too (a "
               "scaled network, other data, folds or training), each table saying what differs");
}

command add_grid(CLI::App& app) {
    struct state {
        grid_options o;
        bool list = false, compare_with_paper = false;
        std::string shard_text, part_text = "all";
    };
    auto st = std::make_shared<state>();
    auto* c = app.add_subcommand("grid",
                                 "Run the experiment cells matching --cells (default: all of the "
                                 "network's) and write a report");
    c->add_option("--cells", st->o.pattern, cells_option_help())->capture_default_str();
    c->add_flag("--list", st->list,
                "List the compiled cells of --network and exit (and, on stderr, which networks, backends and "
                "protocols this build compiled, and the DERMTL_CELLS setting that adds the others)");
    c->add_option("--shard", st->shard_text,
                  "Run the K-th of N disjoint shards of the (cell, fold) work items, K/N counted from 0 "
                  "(default: the Slurm job array's task, else all)");
    c->add_option("--part", st->part_text,
                  "Which work items: all; sources (only the source models the cells train, e.g. Retinopathy); "
                  "independent (the cells that train no source); dependent (the cells that use one, once the "
                  "sources are trained)")
        ->capture_default_str();
    st->o.add_to(*c);
    add_compare_with_paper_flag(*c, st->compare_with_paper);
    return {c,
            [st](int, char**) {
                auto& o = st->o;
                if (!st->list) {
                    o.settings.shard = programs::choose_shard(st->shard_text);
                    o.settings.part = programs::parse_part(st->part_text);
                }
                return run_grid(st->list ? o.backend.cells(o.network, o.settings) : cells_matching(o, "--cells"),
                                o.pattern, st->list, o.paths, o.settings, st->compare_with_paper);
            },
            true};
}

}  // namespace dermtl::commands
