#pragma once
// CSV: each table in the paper's layout, one line per row and, per column, its mean and standard
// deviation in % (two decimals), the published value when the table has any ("paper (%)"; "paper,
// other configuration (%)" when the table's paper_note says the paper's configuration differs
// from ours), and the stratum share when the column has any. `kind` is "measured" for a row of
// ours (validate: it holds a measurement) and "published" for a row quoted from the literature. Empty fields where a cell has no such number. The 5x2cv
// comparisons and the referral analyses have their own CSV. JSON holds full precision.
// Not templates: defined in impl/csv.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

DERMTL_DECL std::string to_csv(const table& t);

// The comparisons: one line each; statistics empty (and `note` set) where undefined.
DERMTL_DECL std::string to_csv(const table& t, const std::vector<comparison>& ks);

// Every referral analysis in one CSV: metrics::to_csv's columns after the analysis name.
DERMTL_DECL std::string to_csv(const std::vector<referral_section>& sections);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/csv.ipp"
#endif
