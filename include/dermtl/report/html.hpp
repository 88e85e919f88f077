#pragma once
// One self-contained HTML page: run metadata, every table with its two-level header, the 5x2cv
// significance, the ROC plots and the referral analysis, with the PNGs embedded as base64 data
// URIs (no other files needed; it can be mailed or archived alone).
// Not templates: defined in impl/html.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

// The report's plots as PNG bytes: roc[i] for tables[i] (empty when it has no curves), and
// the referral plot (empty when there are no referral analyses).
struct rendered_plots {
    std::vector<std::string> roc;
    std::string referral;
};

// The report's plots rendered as PNG (plots.hpp's plot_roc, plot_referral, encode_png).
DERMTL_DECL rendered_plots render_plots(const report& rep);

// The page. Requires plots rendered from the same report (render_plots).
DERMTL_DECL std::string to_html(const report& rep, const rendered_plots& plots);

inline std::string to_html(const report& rep) { return to_html(rep, render_plots(rep)); }

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/html.ipp"
#endif
