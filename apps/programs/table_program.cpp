// The table programs' command line and runs (programs/table_program.hpp).
#include "programs/table_program.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cells.hpp"
#include "programs/backend_choice.hpp"
#include "programs/paper_programs.hpp"

namespace dermtl::programs {

namespace {

// What a table's run reads: the data, the settings, and the compiled cells of a family ("vgg_m",
// "vgg_16"): full size on real data, scaled on synthetic data, on the chosen backend.
struct table_program {
    data_paths paths;
    run_settings settings;
    backend_choice backend;  // --backend, --precision, --deterministic: the dermtl tool's

    const model_cells& cells(const std::string& family) const {
        return backend.cells(paths.synthetic ? family + "_scaled" : family);
    }
};

// Each table once: its title and its run.
struct table_entry {
    const char* description;
    report::written_report (*run)(const table_program&);
};
table_entry entry_of(paper_table which) {
    switch (which) {
        case paper_table::table1:
            return {"Table 1: knowledge transfer schemes x designs, VGG-M", [](const table_program& p) {
                        return run_table1(p.cells("vgg_m"), p.paths, p.settings, std::cerr);
                    }};
        case paper_table::table2:
            return {"Table 2: ISIC 2016, VGG-16, ImageNet + fine-tuning", [](const table_program& p) {
                        return run_table2(p.cells("vgg_16"), p.paths, p.settings, std::cerr);
                    }};
        case paper_table::table3:
            return {"Table 3: VGG-M vs VGG-16, ImageNet + fine-tuning", [](const table_program& p) {
                        return run_table3({&p.cells("vgg_m"), &p.cells("vgg_16")}, p.paths, p.settings, std::cerr);
                    }};
        case paper_table::table4:
            return {"Table 4: results by diagnostic difficulty, VGG-M", [](const table_program& p) {
                        return run_table4(p.cells("vgg_m"), p.paths, p.settings, std::cerr);
                    }};
    }
    throw config_error("run_paper_table: unknown table");
}

}  // namespace

int run_paper_table(paper_table which, int argc, char** argv) {
    const table_entry table = entry_of(which);
    CLI::App app{std::string(table.description) +
                 "\nReal data by default (docs/reproducing.md says where to get it); --synthetic runs "
                 "on generated data with scaled networks. A rerun with the same --out continues."};
    table_program p;
    p.settings.out = "dermtl-results";
    add_data_options(app, p.paths);
    add_run_options(app, p.settings);
    p.backend.add_to(app);
    CLI11_PARSE(app, argc, argv);
    if (p.paths.synthetic) {  // the demo's schedule unless given
        const auto fast = demo_settings({});
        if (app.count("--epochs") == 0) p.settings.epochs = fast.epochs;
        if (app.count("--batch-size") == 0) p.settings.batch_size = fast.batch_size;
        if (app.count("--lr") == 0) p.settings.learning_rate = fast.learning_rate;
        if (app.count("--momentum") == 0) p.settings.momentum = fast.momentum;
        if (app.count("--l2") == 0) p.settings.l2 = fast.l2;
        if (app.count("--folds") == 0) p.settings.folds = fast.folds;
    }
    try {
        p.settings.numerics = p.backend.numerics();  // --precision: the cells' networks, ids and fingerprints
        const auto written = table.run(p);
        std::cout << "report: " << written.html().string() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace dermtl::programs
