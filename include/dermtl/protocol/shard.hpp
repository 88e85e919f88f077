#pragma once
// Sharding a grid: the (cell, fold) work items of a grid, numbered in grid order (cell by cell,
// fold by fold within a cell), are split into `count` disjoint shards; shard `index` owns every
// item whose number is `index` modulo `count`. Round robin rather than blocks, so that each shard
// gets a share of every kind of cell (their costs differ by an order of magnitude). A shard is
// what one task of a cluster job array runs (`dermtl grid --shard K/N`, or Slurm's array
// variables); the shards of one grid write into one shared results folder, where the results
// store's provenance check applies to each of them.
#include <cstddef>
#include <string>

namespace dermtl::protocol {

struct shard {
    std::size_t index = 0;  // 0 <= index < count
    std::size_t count = 1;  // 1: the whole grid

    bool whole() const { return count == 1; }
    bool owns(std::size_t item) const { return item % count == index; }
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

}  // namespace dermtl::protocol
