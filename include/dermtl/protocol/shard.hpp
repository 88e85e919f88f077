#pragma once
// Sharding a grid: the (cell, fold) work items of a grid, numbered in grid order (cell by cell,
// fold by fold within a cell), are split into `count` disjoint shards; shard `index` owns every
// item whose number is `index` modulo `count`. Round robin rather than blocks, so that each shard
// gets a share of every kind of cell (their costs differ by an order of magnitude). A shard is
// what one task of a cluster job array runs (`dermtl grid --shard K/N`, or Slurm's array
// variables); the shards of one grid write into one shared results folder, where the results
// store's provenance check applies to each of them.
// Not templates: defined in impl/shard.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <string>

#include "dermtl/core/config.hpp"

namespace dermtl::protocol {

// Which work items a process runs. A grid has two kinds: the source models its cells train
// before their folds (Retinopathy, double transfer: cell_facts::source), and the (cell, fold)
// items. A cluster runs the sources as one job and the cells that use them as another that waits
// for it, while the cells that need no trained source start at once (`dermtl slurm submit`):
//   all          every cell; a source is trained by the first cell that needs it (a file lock
//                makes concurrent processes take turns)
//   sources      only the distinct source models of the selected cells, one work item each
//   independent  the (cell, fold) items of the cells that train no source
//   dependent    the (cell, fold) items of the cells that use a trained source
// Each part numbers its own items from 0, and is sharded on its own.
enum class grid_part { all, sources, independent, dependent };

DERMTL_DECL std::string name_of(grid_part part);

struct shard {
    std::size_t index = 0;  // 0 <= index < count
    std::size_t count = 1;  // 1: the whole grid

    bool whole() const { return count == 1; }
    bool owns(std::size_t item) const { return item % count == index; }
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/shard.ipp"
#endif
