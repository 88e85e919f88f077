#pragma once
// What the four table programs share: their command line (data paths or --synthetic, the
// training settings) and the choice of compiled cells -- full-size networks on real data, the
// scaled ones and the demo's short schedule on synthetic data (each setting can still be given).
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cells.hpp"

#include "programs/backend_choice.hpp"
#include "programs/paper_programs.hpp"

namespace dermtl::examples {

struct table_program {
    programs::data_paths paths;
    programs::run_settings settings;
    programs::backend_choice backend;  // --backend, --precision, --deterministic: the dermtl tool's

    // The compiled cells of a family ("vgg_m" / "vgg_16"): full size on real data, scaled on
    // synthetic data, on the chosen backend.
    const programs::model_cells& cells(const std::string& family) const {
        return backend.cells(paths.synthetic ? family + "_scaled" : family);
    }
};

// Parses the command line and runs `body`; returns the exit code. Errors print one line that
// names the option or file and what was expected.
inline int run_table_program(int argc, char** argv, const std::string& description,
                             const std::function<report::written_report(const table_program&)>& body) {
    CLI::App app{description + "\nReal data by default (docs/reproducing.md says where to get it); --synthetic runs "
                               "on generated data with scaled networks. A rerun with the same --out continues."};
    table_program p;
    p.settings.out = "dermtl-results";
    programs::add_data_options(app, p.paths);
    programs::add_run_options(app, p.settings);
    p.backend.add_to(app);
    CLI11_PARSE(app, argc, argv);
    if (p.paths.synthetic) {  // the demo's schedule unless given
        const auto fast = programs::demo_settings({});
        if (app.count("--epochs") == 0) p.settings.epochs = fast.epochs;
        if (app.count("--batch-size") == 0) p.settings.batch_size = fast.batch_size;
        if (app.count("--lr") == 0) p.settings.learning_rate = fast.learning_rate;
        if (app.count("--momentum") == 0) p.settings.momentum = fast.momentum;
        if (app.count("--l2") == 0) p.settings.l2 = fast.l2;
        if (app.count("--folds") == 0) p.settings.folds = fast.folds;
    }
    try {
        p.settings.numerics = p.backend.numerics();  // --precision: the cells' networks, ids and fingerprints
        const auto written = body(p);
        std::cout << "report: " << written.html().string() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace dermtl::examples
