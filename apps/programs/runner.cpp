// run_cells: the cells a pattern picks, one after the other, a line each.
#include "programs/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "dermtl/io/atomic_file.hpp"

namespace dermtl::programs {

std::vector<const protocol::registry_entry*> cells_of_part(const protocol::registry& reg, const std::string& pattern,
                                                           grid_part part) {
    auto cells = reg.match(pattern);
    if (part == grid_part::all) return cells;
    const bool want_source = part != grid_part::independent;
    std::erase_if(cells, [&](const auto* e) { return e->facts.source.empty() == want_source; });
    return cells;
}

std::vector<source_item> sources_of(const std::vector<const protocol::registry_entry*>& cells) {
    std::vector<source_item> out;
    for (const auto* e : cells)
        if (!e->facts.source.empty() &&
            std::none_of(out.begin(), out.end(), [&](const auto& s) { return s.source == e->facts.source; }))
            out.push_back({e->facts.source, e});
    return out;
}

std::string source_done_file(const std::string& source) {
    std::string name = source;
    std::replace(name.begin(), name.end(), '/', '_');
    return "sources/done/" + name + ".json";
}

std::size_t work_items(const protocol::registry& reg, const std::string& pattern, grid_part part, std::size_t folds) {
    const auto cells = cells_of_part(reg, pattern, part);
    return part == grid_part::sources ? sources_of(cells).size() : cells.size() * folds;
}

namespace {

void train_sources(const std::vector<const protocol::registry_entry*>& cells, const protocol::experiment_inputs& in,
                   std::ostream& log) {
    const auto sources = sources_of(cells);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!in.shard.owns(in.first_item + i)) continue;  // another shard's source
        const auto start = std::chrono::steady_clock::now();
        log << "[source " << i + 1 << "/" << sources.size() << "] " << sources[i].source;
        if (!in.shard.whole()) log << " (shard " << in.shard.str() << ")";
        log << std::endl;
        sources[i].first_user->prepare_source(in);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto record = in.work_dir / source_done_file(sources[i].source);
        std::filesystem::create_directories(record.parent_path());
        io::write_file_atomically(record, nlohmann::json{{"source", sources[i].source}, {"seconds", seconds}}.dump(2));
        char line[96];
        std::snprintf(line, sizeof line, "      trained or found in %.0f s", seconds);
        log << line << std::endl;
    }
}

}  // namespace

std::vector<protocol::experiment_result> run_cells(const protocol::registry& reg, const std::string& pattern,
                                                   const protocol::experiment_inputs& in, std::ostream& log,
                                                   grid_part part) {
    const auto cells = cells_of_part(reg, pattern, part);
    std::vector<protocol::experiment_result> out;
    if (part == grid_part::sources) {
        train_sources(cells, in, log);
        return out;
    }
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
