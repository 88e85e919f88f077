#pragma once
// Runs the registry cells a pattern picks, one after the other, with a line per cell; every fold
// is stored as it finishes (protocol/results.hpp), so a rerun after an interruption continues.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "dermtl/protocol/registry.hpp"
#include "dermtl/protocol/results.hpp"

namespace dermtl::programs {

inline std::vector<protocol::experiment_result> run_cells(const protocol::registry& reg, const std::string& pattern,
                                                          const protocol::experiment_inputs& in,
                                                          std::ostream& log = std::cerr) {
    const auto cells = reg.match(pattern);
    std::vector<protocol::experiment_result> out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto start = std::chrono::steady_clock::now();
        log << "[" << i + 1 << "/" << cells.size() << "] " << cells[i]->name << std::endl;
        out.push_back(cells[i]->run(in));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char line[160];
        std::snprintf(line, sizeof line, "      AUC %.1f%% ± %.1f over %zu fold(s), %.0f s", 100 * out.back().auc.mean,
                      100 * out.back().auc.std_dev, out.back().folds.size(), seconds);
        log << line << std::endl;
    }
    return out;
}

}  // namespace dermtl::programs
