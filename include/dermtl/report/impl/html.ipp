// Definitions of report/html.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/html.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dermtl/report/files.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/plots.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

DERMTL_DECL rendered_plots render_plots(const report& rep) {
    rendered_plots p;
    for (const auto& t : rep.tables) p.roc.push_back(t.roc.empty() ? std::string() : encode_png(plot_roc(t), t.id));
    if (!rep.referrals.empty()) p.referral = encode_png(plot_referral(rep.referrals), "referral analysis");
    return p;
}

namespace html_detail {

using detail::html_escape;

DERMTL_DECL std::string cell_html(const cell& x, bool best) {
    using detail::percent;
    const std::string n =
        x.counts ? "<br><span class=\"n\">n " + std::to_string(x.counts->cases) + "</span>" : std::string();
    if (!x.too_small.empty())
        return "<span class=\"small\" title=\"" + html_escape(x.too_small) + "\">too small</span>" + n;
    std::string s;
    if (x.value)
        s = percent(x.value->mean) +
            (x.value->per_fold.size() > 1 ? "<span class=\"sd\"> ± " + percent(x.value->std_dev) + "</span>" : "");
    if (best) s = "<b>" + s + "</b>";
    if (!s.empty() && !x.intervals.empty())
        s += "<br><span class=\"ci\">" + html_escape(detail::intervals_text(x)) + "</span>";
    if (!s.empty()) s += n;
    if (s.empty() && x.reference) s = percent(*x.reference);  // a published row (validate allows no other)
    return s.empty() ? "—" : s;
}

// The paper's value beside ours, in the column marked as the paper's.
DERMTL_DECL std::string paper_html(const cell& x, row_kind kind) {
    if (kind != row_kind::measured || !x.reference) return "<td class=\"ref\">—</td>";
    return "<td class=\"ref\" title=\"published in the paper\">" + detail::percent(*x.reference) + "</td>";
}

// Header: with groups, a first row of group names (spanning their columns) and a second row of
// column names; columns without a group span both rows. A column with the paper's values beside
// ours is followed by one headed "paper" (under the same group).
DERMTL_DECL std::string header_html(const table& t) {
    std::vector<bool> paper(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) paper[c] = detail::column_has_paper_values(t, c);
    const std::string paper_th = std::string("<th class=\"ref\">") + detail::paper_column_name + "</th>";
    bool grouped = false;
    for (const auto& c : t.columns) grouped = grouped || !c.group.empty();
    std::string out = "<thead>\n<tr><th class=\"rowh\"" + std::string(grouped ? " rowspan=\"2\"" : "") + ">" +
                      html_escape(t.row_header) + "</th>";
    if (!grouped) {
        for (std::size_t c = 0; c < t.columns.size(); ++c)
            out += "<th>" + html_escape(t.columns[c].name) + "</th>" + (paper[c] ? paper_th : std::string());
        return out + "</tr>\n</thead>\n";
    }
    std::string second;
    for (std::size_t c = 0; c < t.columns.size();) {
        if (t.columns[c].group.empty()) {
            if (paper[c]) {  // the name over both of its columns, ours and the paper's
                out += "<th colspan=\"2\">" + html_escape(t.columns[c].name) + "</th>";
                second += "<th></th>" + paper_th;
            } else {
                out += "<th rowspan=\"2\">" + html_escape(t.columns[c].name) + "</th>";
            }
            ++c;
            continue;
        }
        std::size_t e = c, span = 0;
        for (; e < t.columns.size() && t.columns[e].group == t.columns[c].group; ++e) span += paper[e] ? 2 : 1;
        out += "<th class=\"group\" colspan=\"" + std::to_string(span) + "\">" + html_escape(t.columns[c].group) + "</th>";
        for (std::size_t k = c; k < e; ++k)
            second += "<th>" + html_escape(t.columns[k].name) + "</th>" + (paper[k] ? paper_th : std::string());
        c = e;
    }
    return out + "</tr>\n<tr>" + second + "</tr>\n</thead>\n";
}

// Grouped by the best cell: one heading line per row (or column) naming the best, then one line
// per compared cell, so the long names are not repeated on every line.
DERMTL_DECL std::string significance_html(const table& t, const std::vector<comparison>& ks) {
    using detail::fixed;
    using detail::p_text;
    if (ks.empty()) return {};
    if (const auto note = common_note(ks); !note.empty())
        return "<p class=\"note\"><b>Significance (5x2cv):</b> no test: " + html_escape(note) +
               " in every comparison.</p>\n";
    const bool by_columns = t.compare == comparison_axis::columns;
    std::string out = "<details open><summary>Significance (5x2cv) of each " +
                      std::string(by_columns ? "column against the best column of its row"
                                             : "row against the best row of its column") +
                      "</summary>\n<p class=\"note\">Dietterich's paired t (5 df, two-sided) and Alpaydin's combined F "
                      "(10 and 5 df) on the per-fold differences; difference = best minus this, in percentage points; "
                      "p &lt; 0.05 in bold.</p>\n<table class=\"sig\"><thead><tr><th class=\"rowh\">" +
                      std::string(by_columns ? "Column" : html_escape(t.row_header)) +
                      "</th><th>Difference (pp)</th><th>t</th><th>p (t)</th><th>F</th><th>p (F)</th></tr></thead><tbody>\n";
    auto p_cell = [&](double p) {
        return p < 0.05 ? "<td><b>" + p_text(p) + "</b></td>" : "<td>" + p_text(p) + "</td>";
    };
    const std::size_t none = static_cast<std::size_t>(-1);
    std::size_t group_row = none, group_column = none;
    for (const auto& k : ks) {
        if (k.best_row != group_row || k.best_column != group_column) {
            group_row = k.best_row;
            group_column = k.best_column;
            const auto& best = *t.rows[k.best_row].cells[k.best_column].value;
            out += "<tr class=\"sighead\"><td colspan=\"6\">" +
                   html_escape(by_columns ? t.rows[k.best_row].name : t.columns[k.best_column].label()) +
                   " &mdash; best: " +
                   html_escape(by_columns ? t.columns[k.best_column].label() : t.rows[k.best_row].name) + " (" +
                   detail::percent(best.mean) + ")</td></tr>\n";
        }
        out += "<tr><td class=\"name\">" +
               html_escape(by_columns ? t.columns[k.column].label() : t.rows[k.row].name) + "</td><td>" +
               detail::percent(k.difference) + "</td>";
        if (k.t && k.f)
            out += "<td>" + fixed(k.t->statistic, 3) + "</td>" + p_cell(k.t->p_value) + "<td>" +
                   fixed(k.f->statistic, 3) + "</td>" + p_cell(k.f->p_value);
        else
            out += "<td colspan=\"4\" class=\"note\">" + html_escape(k.note) + "</td>";
        out += "</tr>\n";
    }
    return out + "</tbody></table></details>\n";
}

DERMTL_DECL std::string image_html(const std::string& png, const std::string& alt) {
    return "<figure><img alt=\"" + html_escape(alt) + "\" src=\"data:image/png;base64," + base64(png) +
           "\"></figure>\n";
}

DERMTL_DECL const char* style = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 2em auto;
       max-width: 1150px; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2.2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
th, td { padding: 0.35em 0.7em; border-bottom: 1px solid #e3e3e3; }
thead th { border-bottom: 2px solid #888; vertical-align: bottom; }
th.group { border-bottom: 1px solid #888; text-align: center; }
td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name, th.rowh { text-align: left; white-space: normal; }
tr.published td { color: #666; font-style: italic; }
.sd { color: #555; font-size: 0.92em; } .ci { color: #555; font-size: 0.8em; white-space: nowrap; } .n { color: #777; font-size: 0.8em; } .small { color: #a33; font-style: italic; } .ref { color: #888; font-size: 0.88em; }
.note, .legend { color: #555; font-size: 0.92em; }
table.meta td { text-align: left; white-space: normal; } table.meta td:first-child { color: #555; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; border: 1px solid #eee; }
tr.sighead td { text-align: left; font-weight: 600; background: #f4f4f4; padding-top: 0.5em; }
details summary { cursor: pointer; font-weight: 600; margin-top: 0.8em; }
nav ul { columns: 2; }
)";

}  // namespace html_detail

DERMTL_DECL std::string to_html(const report& rep, const rendered_plots& plots) {
    using namespace html_detail;
    validate(rep);
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                      html_escape(rep.title) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n<h1>" +
                      html_escape(rep.title) + "</h1>\n";
    if (!rep.metadata.empty()) {
        out += "<table class=\"meta\"><tbody>\n";
        for (const auto& [k, v] : rep.metadata)
            out += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>\n";
        out += "</tbody></table>\n";
    }
    out += "<nav><ul>\n";
    for (const auto& t : rep.tables)
        out += "<li><a href=\"#" + html_escape(t.id) + "\">" + html_escape(t.title.empty() ? t.id : t.title) + "</a></li>\n";
    if (!rep.referrals.empty()) out += "<li><a href=\"#referral\">Referral analysis</a></li>\n";
    if (!rep.calibrations.empty()) out += "<li><a href=\"#calibration\">Calibration</a></li>\n";
    out += "</ul></nav>\n";
    for (std::size_t i = 0; i < rep.tables.size(); ++i) {
        const auto& t = rep.tables[i];
        const auto ks = compare_against_best(t);
        out += "<section id=\"" + html_escape(t.id) + "\">\n<h2>" + html_escape(t.title.empty() ? t.id : t.title) +
               "</h2>\n<p class=\"legend\">" + html_escape(detail::legend_sentence(t)) + "</p>\n<table class=\"results\">\n" +
               header_html(t) + "<tbody>\n";
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            const auto& row = t.rows[r];
            out += row.kind == row_kind::published ? "<tr class=\"published\">" : "<tr>";
            out += "<td class=\"name\">" + html_escape(row.name) + "</td>";
            for (std::size_t c = 0; c < row.cells.size(); ++c) {
                out += "<td>" + cell_html(row.cells[c], is_best(ks, r, c)) + "</td>";
                if (detail::column_has_paper_values(t, c)) out += paper_html(row.cells[c], row.kind);
            }
            out += "</tr>\n";
        }
        out += "</tbody></table>\n";
        if (const auto note = detail::paper_note_sentence(t); !note.empty())
            out += "<p class=\"note\">" + html_escape(note) + "</p>\n";
        if (!t.caption.empty()) out += "<p class=\"note\">" + html_escape(t.caption) + "</p>\n";
        if (const auto s = detail::shares_sentence(t); !s.empty()) out += "<p class=\"note\">" + html_escape(s) + "</p>\n";
        if (const auto s = intervals_sentence(t); !s.empty()) out += "<p class=\"note\">" + html_escape(s) + "</p>\n";
        out += significance_html(t, ks);
        if (i < plots.roc.size() && !plots.roc[i].empty()) out += image_html(plots.roc[i], "ROC curves of " + t.title);
        out += "</section>\n";
    }
    if (!rep.referrals.empty()) {
        out += "<section id=\"referral\">\n<h2>Referral analysis</h2>\n<p class=\"legend\">Refer to a doctor the cases "
               "the model scores highest (confident positives and unsure ones); only confident negatives stay "
               "unreferred. Sensitivity: melanomas referred / all melanomas.</p>\n";
        for (const auto& s : rep.referrals) {
            const auto& t = s.table;
            out += "<h3>" + html_escape(s.name) + "</h3>\n<p class=\"note\">" + std::to_string(t.n_cases) +
                   " test cases, " + std::to_string(t.n_melanomas) + " melanomas. Diagnostic baseline (refer only score &gt; " +
                   html_escape(fmt::format("{:g}", t.decision_threshold)) + "): " + detail::percent(t.baseline_rate) +
                   "% referred, sensitivity " + detail::percent(t.baseline_sensitivity) +
                   "%.</p>\n<table><thead><tr><th>Referred</th><th>Confident</th><th>Unsure</th><th>Sensitivity</th>"
                   "<th>Melanomas unreferred</th><th>Melanoma rate among unreferred</th></tr></thead><tbody>\n";
            for (const auto& r : t.rows)
                out += "<tr><td>" + detail::percent(r.rate) + "% (" + fmt::format("{:g}", r.referred) + ")</td><td>" +
                       fmt::format("{:g}", r.referred_confident) + "</td><td>" + fmt::format("{:g}", r.referred_unsure) +
                       "</td><td>" + detail::percent(r.sensitivity) + "%</td><td>" + detail::percent(r.unreferred_share) +
                       "% (" + fmt::format("{:g}", r.melanomas_unreferred) + ")</td><td>" +
                       detail::percent(r.unreferred_prevalence) + "%</td></tr>\n";
            out += "</tbody></table>\n";
        }
        if (!plots.referral.empty()) out += image_html(plots.referral, "Referral analysis");
        out += "</section>\n";
    }
    out += calibration_html(rep.calibrations);
    return out + "</body>\n</html>\n";
}

}  // namespace dermtl::report
