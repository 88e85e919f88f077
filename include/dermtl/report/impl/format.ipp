// Definitions of report/format.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/format.hpp"

#include <cstddef>
#include <set>
#include <string>

#include <fmt/format.h>

namespace dermtl::report::detail {

DERMTL_DECL std::string percent(double v, int decimals) {
    std::string s = fmt::format("{:.{}f}", 100 * v, decimals);
    if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return s;
}

DERMTL_DECL std::string cell_text(const cell& x, bool best) {
    const std::string n = x.counts ? " (n " + std::to_string(x.counts->cases) + ")" : std::string();
    if (!x.too_small.empty()) return "too small" + n;
    std::string s;
    if (x.value) s = percent(x.value->mean) + (x.value->per_fold.size() > 1 ? " ± " + percent(x.value->std_dev) : "");
    if (best && !s.empty()) s = "**" + s + "**";
    if (!s.empty() && !x.intervals.empty()) s += " " + intervals_text(x);
    if (!s.empty()) s += n;
    if (s.empty() && x.reference) s = percent(*x.reference);  // a published row (validate allows no other)
    return s.empty() ? "—" : s;
}

DERMTL_DECL std::string intervals_text(const cell& x) {
    std::string s;
    for (const auto& i : x.intervals) {
        s += s.empty() ? "[" : "; ";
        if (i.kind == interval_kind::delong) s += "DeLong ";
        s += percent(i.lower) + ", " + percent(i.upper);
    }
    return s.empty() ? s : s + "]";
}

DERMTL_DECL std::string paper_text(const cell& x) { return x.reference ? percent(*x.reference) : "—"; }

DERMTL_DECL std::string fixed(double v, int decimals) {
    std::string s = fmt::format("{:.{}f}", v, decimals);
    if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return s;
}

DERMTL_DECL std::string p_text(double p) { return p < 0.001 ? "< 0.001" : fixed(p, 3); }

DERMTL_DECL std::string markdown_escape(std::string_view s) {
    std::string o;
    for (char ch : s) {
        if (ch == '|' || ch == '\\' || ch == '*' || ch == '_') o += '\\';
        o += ch == '\n' ? ' ' : ch;
    }
    return o;
}

DERMTL_DECL std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string o = "\"";
    for (char ch : s) o += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return o + "\"";
}

DERMTL_DECL std::string html_escape(std::string_view s) {
    std::string o;
    for (char ch : s) switch (ch) {
            case '&': o += "&amp;"; break;
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '"': o += "&quot;"; break;
            case '\'': o += "&#39;"; break;
            default: o += ch;
        }
    return o;
}

DERMTL_DECL bool column_has_paper_values(const table& t, std::size_t c) {
    for (const auto& r : t.rows)
        if (r.kind == row_kind::measured && c < r.cells.size() && r.cells[c].reference) return true;
    return false;
}

DERMTL_DECL bool has_references(const table& t) {
    for (const auto& r : t.rows)
        for (const auto& x : r.cells)
            if (x.reference) return true;
    return false;
}

DERMTL_DECL bool column_has_shares(const table& t, std::size_t c) {
    for (const auto& r : t.rows)
        if (c < r.cells.size() && r.cells[c].share) return true;
    return false;
}

DERMTL_DECL bool column_has_counts(const table& t, std::size_t c) {
    for (const auto& r : t.rows)
        if (c < r.cells.size() && r.cells[c].counts) return true;
    return false;
}

DERMTL_DECL std::string legend_sentence(const table& t) {
    std::set<std::size_t> folds;
    for (const auto& r : t.rows)
        for (const auto& x : r.cells)
            if (x.value) folds.insert(x.value->per_fold.size());
    std::string s = t.value_label.empty() ? std::string("All numbers in %") : t.value_label + " in %";
    if (!folds.empty()) {
        if (folds.size() == 1 && *folds.begin() == 1)
            s += ", on a single test split";
        else
            s += ", mean ± standard deviation over " +
                 (folds.size() == 1 ? std::to_string(*folds.begin()) + " test folds" : std::string("the test folds"));
    }
    bool paper_columns = false;
    for (std::size_t c = 0; c < t.columns.size(); ++c) paper_columns = paper_columns || column_has_paper_values(t, c);
    if (paper_columns)
        s += t.paper_note.empty() ? "; paper: the value published in the paper for the same configuration"
                                  : "; paper: the value published in the paper for its own configuration, which "
                                    "differs from this run's (see below)";
    if (t.compare == comparison_axis::columns) s += "; bold: the best of each row";
    if (t.compare == comparison_axis::rows) s += "; bold: the best of each column";
    return s + ".";
}

DERMTL_DECL std::string shares_sentence(const table& t) {
    std::string s;
    for (const auto& r : t.rows) {
        std::string parts;
        for (std::size_t c = 0; c < r.cells.size() && c < t.columns.size(); ++c) {
            const auto& x = r.cells[c];
            if (!(x.share && *x.share < 1) && !x.counts) continue;
            parts += (parts.empty() ? "" : ", ") + t.columns[c].label();
            if (x.share && *x.share < 1) parts += " " + percent(*x.share) + "%";
            if (x.counts)
                parts += " (n " + std::to_string(x.counts->cases) + ": " + std::to_string(x.counts->positives) +
                         " positive, " + std::to_string(x.counts->negatives) + " negative" +
                         (x.too_small.empty() ? "" : "; too small: " + x.too_small) + ")";
        }
        if (!parts.empty()) s += (s.empty() ? "" : "; ") + r.name + ": " + parts;
    }
    if (s.empty()) return s;
    bool counts = false;
    for (std::size_t c = 0; c < t.columns.size(); ++c) counts = counts || column_has_counts(t, c);
    return (counts ? "Share and number of the test cases per stratum, pooled over the folds. "
                   : "Share of the test cases per stratum. ") + s + ".";
}

DERMTL_DECL std::string paper_note_sentence(const table& t) {
    return t.paper_note.empty() ? std::string() : "Compared with the paper on request, although the configuration differs: " + t.paper_note;
}

DERMTL_DECL const char* axis_name(comparison_axis a) {
    switch (a) {
        case comparison_axis::columns: return "columns";
        case comparison_axis::rows: return "rows";
        default: return "none";
    }
}

}  // namespace dermtl::report::detail
