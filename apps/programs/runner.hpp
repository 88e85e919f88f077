#pragma once
// Runs the registry cells a pattern picks, one after the other, with a line per cell; every fold
// is stored as it finishes (protocol/results.hpp), so a rerun after an interruption continues.
// `part` picks the sources or some of the (cell, fold) items (protocol/shard.hpp, grid_part).
#include <ostream>
#include <string>
#include <vector>

#include "dermtl/protocol/registry.hpp"
#include "dermtl/protocol/results.hpp"

namespace dermtl::programs {

using protocol::grid_part;

// The cells of `pattern` that `part` runs (sources: those that train a source), in grid order.
std::vector<const protocol::registry_entry*> cells_of_part(const protocol::registry& reg, const std::string& pattern,
                                                           grid_part part);
// The distinct source models (facts.source) of those cells, in order of first use, with the
// first cell that uses each: the work items of grid_part::sources.
struct source_item {
    std::string source;
    const protocol::registry_entry* first_user = nullptr;
};
std::vector<source_item> sources_of(const std::vector<const protocol::registry_entry*>& cells);

// Where a source's record lives, relative to the work folder: `grid --part sources` writes it
// once the source model is trained (or found trained), for `dermtl slurm status`.
std::string source_done_file(const std::string& source);

// The work items of `pattern` under `part`: sources, or (cell, fold) items at `folds` per cell.
std::size_t work_items(const protocol::registry& reg, const std::string& pattern, grid_part part, std::size_t folds);

// Runs the part of `pattern` that in.shard owns, its items numbered from in.first_item. For
// grid_part::sources it trains the sources and returns no results.
std::vector<protocol::experiment_result> run_cells(const protocol::registry& reg, const std::string& pattern,
                                                   const protocol::experiment_inputs& in, std::ostream& log,
                                                   grid_part part = grid_part::all);

}  // namespace dermtl::programs
