#pragma once
// The 5x2cv significance of each cell against the best one of its row (or column): is the gap
// to the best scheme more than chance? (The paper: "might be due to chance".)
// Not templates: defined in impl/significance.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/significance.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

// One comparison: cell (row, column) against the best cell (best_row, best_column) of its group.
// difference: best mean - this mean. t / f: Dietterich's paired t and Alpaydin's combined F on
// (best - this) per fold; absent when undefined or not valid, with `note` saying why (not 10
// folds, zero variance, folds that are not 5 independent replications -- a cell's design).
struct comparison {
    std::size_t row = 0, column = 0;
    std::size_t best_row = 0, best_column = 0;
    double difference = 0;
    std::optional<metrics::significance_result> t;
    std::optional<metrics::significance_result> f;
    std::string note;
};

namespace detail {

DERMTL_DECL comparison compare_cells(const table& t, std::size_t br, std::size_t bc, std::size_t r, std::size_t c);

}  // namespace detail

// Ensures: for each measured row (compare == columns) or each column over measured rows
// (compare == rows), the cell with the highest mean is the best; every other cell with a value
// gets one comparison against it; group by group (row by row, or column by column), in order
// within each group. Groups with fewer than two values give none.
DERMTL_DECL std::vector<comparison> compare_against_best(const table& t);

// When no comparison has statistics, the one reason shared by all of them (e.g. "needs the 10
// fold results of 5x2 CV; found 2 and 2"), else empty: writers then say it once instead of
// listing identical notes.
DERMTL_DECL std::string common_note(const std::vector<comparison>& ks);

// Whether (r, c) is the best cell of its comparison group (the writers show it in bold).
DERMTL_DECL bool is_best(const std::vector<comparison>& ks, std::size_t r, std::size_t c);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/significance.ipp"
#endif
