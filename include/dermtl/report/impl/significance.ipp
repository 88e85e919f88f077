// Definitions of report/significance.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/significance.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/significance.hpp"

namespace dermtl::report {

namespace detail {

DERMTL_DECL comparison compare_cells(const table& t, std::size_t br, std::size_t bc, std::size_t r, std::size_t c) {
    comparison k{r, c, br, bc, 0, {}, {}, {}};
    const auto& best = *t.rows[br].cells[bc].value;
    const auto& other = *t.rows[r].cells[c].value;
    k.difference = best.mean - other.mean;
    if (best.per_fold.size() != 10 || other.per_fold.size() != 10) {
        k.note = "needs the 10 fold results of 5x2 CV; found " + std::to_string(best.per_fold.size()) + " and " +
                 std::to_string(other.per_fold.size());
        return k;
    }
    // Either cell's folds known not to be 5 independent replications: no p-values (the tests
    // would refuse them), the reason instead. Unknown designs (older reports) are taken as valid.
    for (const auto* x : {&t.rows[br].cells[bc], &t.rows[r].cells[c]})
        if (x->design && !x->design->valid()) {
            k.note = "no p-values: the folds are not 5 independent replications of 2 complementary halves (" +
                     x->design->reason() + ")";
            return k;
        }
    try {
        k.t = metrics::paired_t_test_5x2cv(best.per_fold, other.per_fold);
        k.f = metrics::combined_f_test_5x2cv(best.per_fold, other.per_fold);
    } catch (const numeric_error&) {
        k.note = "undefined: the difference is the same on both folds of every replication (identical results?)";
    }
    return k;
}

}  // namespace detail

DERMTL_DECL std::vector<comparison> compare_against_best(const table& t) {
    std::vector<comparison> out;
    if (t.compare == comparison_axis::none) return out;
    const bool by_columns = t.compare == comparison_axis::columns;
    const std::size_t groups = by_columns ? t.rows.size() : t.columns.size();
    const std::size_t members = by_columns ? t.columns.size() : t.rows.size();
    for (std::size_t g = 0; g < groups; ++g) {
        auto cell_of = [&](std::size_t m) -> std::pair<std::size_t, std::size_t> {
            return by_columns ? std::pair{g, m} : std::pair{m, g};
        };
        auto has_value = [&](std::size_t m) {
            const auto [r, c] = cell_of(m);
            return t.rows[r].kind == row_kind::measured && c < t.rows[r].cells.size() &&
                   t.rows[r].cells[c].value.has_value();
        };
        std::optional<std::size_t> best;
        std::size_t count = 0;
        for (std::size_t m = 0; m < members; ++m) {
            if (!has_value(m)) continue;
            ++count;
            const auto [r, c] = cell_of(m);
            if (!best) {
                best = m;
                continue;
            }
            const auto [br, bc] = cell_of(*best);
            if (t.rows[r].cells[c].value->mean > t.rows[br].cells[bc].value->mean) best = m;
        }
        if (count < 2) continue;
        const auto [br, bc] = cell_of(*best);
        for (std::size_t m = 0; m < members; ++m) {
            if (m == *best || !has_value(m)) continue;
            const auto [r, c] = cell_of(m);
            out.push_back(detail::compare_cells(t, br, bc, r, c));
        }
    }
    return out;
}

DERMTL_DECL std::string common_note(const std::vector<comparison>& ks) {
    if (ks.empty()) return {};
    for (const auto& k : ks)
        if (k.t || k.note != ks.front().note) return {};
    return ks.front().note;
}

DERMTL_DECL bool is_best(const std::vector<comparison>& ks, std::size_t r, std::size_t c) {
    for (const auto& k : ks)
        if (k.best_row == r && k.best_column == c) return true;
    return false;
}

}  // namespace dermtl::report
