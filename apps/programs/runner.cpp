// run_cells: the cells a pattern picks, one after the other, a line each.
#include "programs/runner.hpp"

#include <chrono>
#include <cstdio>

namespace dermtl::programs {

std::vector<protocol::experiment_result> run_cells(const protocol::registry& reg, const std::string& pattern,
                                                   const protocol::experiment_inputs& in, std::ostream& log) {
    const auto cells = reg.match(pattern);
    std::vector<protocol::experiment_result> out;
    const std::size_t folds = in.fold_count();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        // This cell's folds are work items in.first_item + i * folds + k of the grid (shard.hpp).
        protocol::experiment_inputs cell_in = in;
        cell_in.first_item = in.first_item + i * folds;
        std::size_t owned = 0;
        for (std::size_t k = 0; k < folds; ++k) owned += in.shard.owns(cell_in.first_item + k);
        if (owned == 0) continue;  // another shard's cell
        const auto start = std::chrono::steady_clock::now();
        log << "[" << i + 1 << "/" << cells.size() << "] " << cells[i]->id.str();
        if (!in.shard.whole()) log << " (shard " << in.shard.str() << ": " << owned << " of " << folds << " folds)";
        log << std::endl;
        out.push_back(cells[i]->run(cell_in));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char line[160];
        std::snprintf(line, sizeof line, "      AUC %.1f%% ± %.1f over %zu fold(s), %.0f s", 100 * out.back().auc.mean,
                      100 * out.back().auc.std_dev, out.back().folds.size(), seconds);
        log << line << std::endl;
    }
    return out;
}

}  // namespace dermtl::programs
