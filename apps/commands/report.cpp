// dermtl report: the report rebuilt from stored results (OUT/work/results).
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "commands/grid.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/report/write.hpp"
#include "programs/subgroups.hpp"

namespace dermtl::commands {

command add_report(CLI::App& app) {
    struct state {
        std::filesystem::path results, out = "dermtl-report";
        bool references = false, compare_with_paper = false, mixed = false;
        programs::subgroup_settings subgroups;
        std::filesystem::path metadata;
        std::string metadata_id = "image_id";
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
    // Subgroups (issue 26): any measure stratified by a metadata column; Table 4 is difficulty's.
    c->add_option("--subgroups", st->subgroups.columns,
                  "A subgroup table per metadata column: difficulty (from the results), or a column of --metadata "
                  "(age is put into bands); default: every --metadata column")
        ->delimiter(',');
    c->add_option("--metadata", st->metadata,
                  "A CSV of per-image metadata (e.g. HAM10000_metadata.csv): an id column and the columns to "
                  "stratify by")
        ->check(CLI::ExistingFile);
    c->add_option("--metadata-id-column", st->metadata_id, "The column of --metadata naming each image")
        ->capture_default_str();
    c->add_option("--age-edges", st->subgroups.age_edges, "Age bands' lower edges in years (default 0,15,...,90)")
        ->delimiter(',');
    c->add_option("--subgroup-min", st->subgroups.min_cases,
                  "A stratum with fewer positive or negative test cases than this (pooled over the folds) is "
                  "shown as too small; Table 4 too")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    c->add_option("--subgroup-measure", st->subgroups.measure, "The measure the subgroup tables stratify")
        ->transform(CLI::CheckedTransformer(std::map<std::string, programs::subgroup_measure>{
                                                {"auc", programs::subgroup_measure::auc},
                                                {"ap", programs::subgroup_measure::average_precision},
                                                {"auc_sens_80", programs::subgroup_measure::auc_sens_80}},
                                            CLI::ignore_case))
        ->capture_default_str();
    return {c, [st](int, char**) {
                const auto paper = st->compare_with_paper ? programs::paper_values::any_configuration
                                   : st->references       ? programs::paper_values::same_configuration
                                                          : programs::paper_values::none;
                // Every stored file is validated as it is read; what is not a result is listed as ignored.
                const auto all = programs::load_results(st->results, &apps::all_cells());
                auto& sg = st->subgroups;
                if (!st->metadata.empty()) {
                    sg.metadata = programs::read_metadata_csv(st->metadata, st->metadata_id);
                    if (sg.columns.empty())
                        for (const auto& [column, values] : sg.metadata) sg.columns.push_back(column);
                }
                const auto rep = programs::report_of(all, apps::all_cells(), "dermtl report of " + st->results.string(),
                                                     paper_comparison_of(paper), st->mixed, sg);
                const auto written = report::write_report(rep, st->out);
                for (const auto& t : rep.tables) std::cout << report::to_markdown(t) << "\n";
                std::cout << "report: " << written.html().string() << "\n";
                return 0;
            }};
}

}  // namespace dermtl::commands
