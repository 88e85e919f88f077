#pragma once
// Markdown: each table in the paper's layout (rows x columns, mean ± std in %, the published
// value in a column marked "paper" beside ours, the best of each comparison group in bold), its
// 5x2cv significance, and the whole report (metadata, tables, referral analyses) in one document.
// Not templates: defined in impl/markdown.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <string>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

// The table alone (header, separator, rows): after each column that has the paper's values beside
// ours, a column "<label>: paper" holding them. Requires a validated table.
DERMTL_DECL std::string markdown_grid(const table& t, const std::vector<comparison>& ks);

// The comparisons as a Markdown table; empty string when there are none.
DERMTL_DECL std::string markdown_significance(const table& t, const std::vector<comparison>& ks);

// One table as a Markdown section: heading, what the numbers are, the grid, the caption, the
// stratum shares, the significance tests.
DERMTL_DECL std::string to_markdown(const table& t);

DERMTL_DECL std::string to_markdown(const referral_section& s);

// The whole report: title, run metadata, every table, every referral analysis.
DERMTL_DECL std::string to_markdown(const report& rep);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/markdown.ipp"
#endif
