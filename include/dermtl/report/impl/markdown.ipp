// Definitions of report/markdown.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/markdown.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/metrics/referral.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

DERMTL_DECL std::string markdown_grid(const table& t, const std::vector<comparison>& ks) {
    using namespace detail;
    std::vector<bool> paper(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) paper[c] = column_has_paper_values(t, c);
    std::string out = "| " + markdown_escape(t.row_header);
    std::string rule = "|---";
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        out += " | " + markdown_escape(t.columns[c].label());
        rule += "|---:";
        if (paper[c]) {
            out += " | " + markdown_escape(t.columns[c].label() + ": " + paper_column_name);
            rule += "|---:";
        }
    }
    out += " |\n" + rule + "|\n";
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const auto& row = t.rows[r];
        out += "| " + markdown_escape(row.name) + (row.kind == row_kind::published ? " (published)" : "");
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            out += " | " + cell_text(row.cells[c], is_best(ks, r, c));
            if (paper[c]) out += " | " + (row.kind == row_kind::measured ? paper_text(row.cells[c]) : std::string("—"));
        }
        out += " |\n";
    }
    return out;
}

DERMTL_DECL std::string markdown_significance(const table& t, const std::vector<comparison>& ks) {
    using namespace detail;
    if (ks.empty()) return {};
    if (const auto note = common_note(ks); !note.empty())
        return "No test: " + markdown_escape(note) + " in every comparison.\n";
    const bool by_columns = t.compare == comparison_axis::columns;
    std::string out = std::string("5x2cv tests of each ") + (by_columns ? "column against the best column of its row"
                                                                        : "row against the best row of its column") +
                      " (Dietterich's paired t, 5 df, two-sided; Alpaydin's combined F, 10 and 5 df). "
                      "Difference: best minus this, in percentage points.\n\n";
    out += "| " + markdown_escape(t.row_header) +
           " | Column | Best | Difference (pp) | t | p (t) | F | p (F) |\n|---|---|---|---:|---:|---:|---:|---:|\n";
    for (const auto& k : ks) {
        const std::string best = by_columns ? t.columns[k.best_column].label() : t.rows[k.best_row].name;
        out += "| " + markdown_escape(t.rows[k.row].name) + " | " + markdown_escape(t.columns[k.column].label()) + " | " +
               markdown_escape(best) + " | " + percent(k.difference) + " | ";
        if (k.t && k.f)
            out += fixed(k.t->statistic, 3) + " | " + p_text(k.t->p_value) + " | " + fixed(k.f->statistic, 3) + " | " +
                   p_text(k.f->p_value) + " |\n";
        else
            out += "— | — | — | " + markdown_escape(k.note) + " |\n";
    }
    return out;
}

DERMTL_DECL std::string to_markdown(const table& t) {
    using namespace detail;
    validate(t);
    const auto ks = compare_against_best(t);
    std::string out = "## " + markdown_escape(t.title) + "\n\n" + legend_sentence(t) + "\n\n" + markdown_grid(t, ks);
    if (const auto note = paper_note_sentence(t); !note.empty()) {
        out += '\n';  // piece by piece: "\n" + std::string trips GCC 12's false -Wrestrict here
        out += markdown_escape(note);
        out += '\n';
    }
    if (!t.caption.empty()) out += "\n" + t.caption + "\n";
    if (const auto shares = shares_sentence(t); !shares.empty()) out += "\n" + shares + "\n";
    if (const auto ci = intervals_sentence(t); !ci.empty()) out += "\n" + ci + "\n";
    if (const auto sig = markdown_significance(t, ks); !sig.empty())
        out += "\n### Significance (5x2cv)\n\n" + sig;
    else if (t.compare != comparison_axis::none)
        out += "\n*Significance (5x2cv): no comparison; each group holds fewer than two results.*\n";
    return out;
}

DERMTL_DECL std::string to_markdown(const referral_section& s) {
    return "## Referral analysis: " + detail::markdown_escape(s.name) + "\n\n" + std::to_string(s.table.n_cases) +
           " test cases, " + std::to_string(s.table.n_melanomas) + " melanomas.\n\n" + metrics::to_markdown(s.table);
}

DERMTL_DECL std::string to_markdown(const report& rep) {
    validate(rep);
    std::string out = "# " + detail::markdown_escape(rep.title) + "\n";
    if (!rep.metadata.empty()) {
        out += "\n| Setting | Value |\n|---|---|\n";
        for (const auto& [k, v] : rep.metadata)
            out += "| " + detail::markdown_escape(k) + " | " + detail::markdown_escape(v) + " |\n";
    }
    for (const auto& t : rep.tables) {
        out += '\n';
        out += to_markdown(t);
    }
    for (const auto& s : rep.referrals) {
        out += '\n';
        out += to_markdown(s);
    }
    if (!rep.calibrations.empty()) {
        out += '\n';
        out += calibration_markdown(rep.calibrations);
    }
    return out;
}

}  // namespace dermtl::report
