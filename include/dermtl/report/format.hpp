#pragma once
// Number and text formatting shared by the writers: percentages as the paper prints them
// (one decimal), escaping for Markdown, CSV and HTML, and the sentence that says what a table's
// cells hold.
// Not templates: defined in impl/format.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report::detail {

// 100 * v with `decimals` decimals; never "-0.0".
DERMTL_DECL std::string percent(double v, int decimals = 1);

// A cell in its own column: "82.5 ± 1.3" (ours; a single split: "82.5"), "80.4" (a published
// row's number), "too small" (a subgroup table's stratum below the minimum counts), "—" (empty).
// The paper's value beside ours goes in its own column (paper_text). `best` puts our value in
// bold (Markdown).
DERMTL_DECL std::string cell_text(const cell& x, bool best = false);
// A cell's intervals in %, "[lower, upper; DeLong lower, upper]" (bootstrap first); empty when none.
DERMTL_DECL std::string intervals_text(const cell& x);

// The paper's value of a measured cell, for the column beside ours; "—" when there is none.
DERMTL_DECL std::string paper_text(const cell& x);

DERMTL_DECL std::string fixed(double v, int decimals);

// p-values: three decimals, "< 0.001" below that.
DERMTL_DECL std::string p_text(double p);

DERMTL_DECL std::string markdown_escape(std::string_view s);

// RFC 4180: quoted when the field holds a comma, quote or line break.
DERMTL_DECL std::string csv_field(std::string_view s);

DERMTL_DECL std::string html_escape(std::string_view s);

// Whether column c has the paper's value beside one of our values (a measured row's reference):
// the writers then add a column marked as the paper's next to it.
DERMTL_DECL bool column_has_paper_values(const table& t, std::size_t c);

// The heading of the column beside column c that holds the paper's values.
inline constexpr const char* paper_column_name = "paper";

DERMTL_DECL bool has_references(const table& t);

DERMTL_DECL bool column_has_shares(const table& t, std::size_t c);
// Whether a cell of column c has stratum counts (a subgroup table's).
DERMTL_DECL bool column_has_counts(const table& t, std::size_t c);

// "AUC in %, mean ± standard deviation over 10 test folds; paper: the value published in the paper
// for the same configuration."
DERMTL_DECL std::string legend_sentence(const table& t);

// "Share of test cases per stratum: Malignant vs. Benign: Low 38.1%, ..." for stratified tables;
// with counts, "Low 38.1% (n 240: 60 positive, 180 negative)", and a too-small stratum's reason.
DERMTL_DECL std::string shares_sentence(const table& t);

// "Compared with the paper on request, although ...": the note of a table whose published values
// are for another configuration than ours; empty when there is none.
DERMTL_DECL std::string paper_note_sentence(const table& t);

DERMTL_DECL const char* axis_name(comparison_axis a);

}  // namespace dermtl::report::detail

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/format.ipp"
#endif
