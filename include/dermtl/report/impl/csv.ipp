// Definitions of report/csv.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/csv.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dermtl/metrics/referral.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

DERMTL_DECL std::string to_csv(const table& t) {
    using namespace detail;
    validate(t);
    const bool refs = has_references(t);
    std::vector<bool> shares(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) shares[c] = column_has_shares(t, c);
    std::vector<bool> counts(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) counts[c] = column_has_counts(t, c);
    // Interval columns only where a column holds intervals of that kind (bootstrap, DeLong).
    std::vector<std::array<bool, 2>> kinds(t.columns.size(), {false, false});
    for (const auto& r : t.rows)
        for (std::size_t c = 0; c < r.cells.size() && c < kinds.size(); ++c)
            for (const auto& i : r.cells[c].intervals) kinds[c][i.kind == interval_kind::delong ? 1 : 0] = true;
    auto interval_of = [](const cell& x, interval_kind k) -> const cell_interval* {
        for (const auto& i : x.intervals)
            if (i.kind == k) return &i;
        return nullptr;
    };
    std::string out = csv_field(t.row_header) + ",kind";
    // Appending field by field (not "," + s) also keeps GCC 12's false -Wrestrict quiet.
    auto field = [&out](const std::string& s) {
        out += ',';
        out += s;
    };
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const std::string l = t.columns[c].label();
        field(csv_field(l + " mean (%)"));
        field(csv_field(l + " std (%)"));
        if (refs) field(csv_field(l + (t.paper_note.empty() ? " paper (%)" : " paper, other configuration (%)")));
        if (shares[c]) field(csv_field(l + " share (%)"));
        if (counts[c])
            for (const char* h : {" cases", " positives", " negatives", " images", " too small"}) field(csv_field(l + h));
        if (kinds[c][0])
            for (const char* h : {" bootstrap method", " bootstrap lower (%)", " bootstrap upper (%)",
                                  " bootstrap confidence", " bootstrap resamples", " bootstrap seed"})
                field(csv_field(l + h));
        if (kinds[c][1])
            for (const char* h : {" DeLong lower (%)", " DeLong upper (%)", " DeLong confidence"}) field(csv_field(l + h));
    }
    out += '\n';
    for (const auto& r : t.rows) {
        out += csv_field(r.name);
        field(r.kind == row_kind::published ? "published" : "measured");
        for (std::size_t c = 0; c < r.cells.size(); ++c) {
            const auto& x = r.cells[c];
            field(x.value ? percent(x.value->mean, 2) : std::string());
            field(x.value ? percent(x.value->std_dev, 2) : std::string());
            if (refs) field(x.reference ? percent(*x.reference, 2) : std::string());
            if (shares[c]) field(x.share ? percent(*x.share, 2) : std::string());
            if (counts[c]) {
                field(x.counts ? std::to_string(x.counts->cases) : std::string());
                field(x.counts ? std::to_string(x.counts->positives) : std::string());
                field(x.counts ? std::to_string(x.counts->negatives) : std::string());
                field(x.counts ? std::to_string(x.counts->images) : std::string());
                field(csv_field(x.too_small));
            }
            if (kinds[c][0]) {
                const auto* i = interval_of(x, interval_kind::bootstrap);
                field(i ? i->method : std::string());
                field(i ? percent(i->lower, 2) : std::string());
                field(i ? percent(i->upper, 2) : std::string());
                field(i ? fmt::format("{:g}", i->confidence) : std::string());
                field(i ? std::to_string(i->resamples) : std::string());
                field(i ? std::to_string(i->seed) : std::string());
            }
            if (kinds[c][1]) {
                const auto* i = interval_of(x, interval_kind::delong);
                field(i ? percent(i->lower, 2) : std::string());
                field(i ? percent(i->upper, 2) : std::string());
                field(i ? fmt::format("{:g}", i->confidence) : std::string());
            }
        }
        out += '\n';
    }
    return out;
}

DERMTL_DECL std::string to_csv(const table& t, const std::vector<comparison>& ks) {
    using namespace detail;
    std::string out = csv_field(t.row_header) + ",column,best row,best column,difference (pp),t,t df,p (t),F,F df1,F df2,p (F),note\n";
    for (const auto& k : ks) {
        out += csv_field(t.rows[k.row].name) + "," + csv_field(t.columns[k.column].label()) + "," +
               csv_field(t.rows[k.best_row].name) + "," + csv_field(t.columns[k.best_column].label()) + "," +
               percent(k.difference, 2) + ",";
        if (k.t && k.f)
            out += fmt::format("{:.6g},{:g},{:.6g},{:.6g},{:g},{:g},{:.6g},", k.t->statistic, k.t->df1, k.t->p_value,
                               k.f->statistic, k.f->df1, k.f->df2, k.f->p_value);
        else
            out += ",,,,,,,";
        out += csv_field(k.note) + "\n";
    }
    return out;
}

DERMTL_DECL std::string to_csv(const std::vector<referral_section>& sections) {
    std::string out;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const std::string body = metrics::to_csv(sections[i].table);
        std::size_t pos = 0;
        bool header = true;
        while (pos < body.size()) {
            const std::size_t end = body.find('\n', pos);
            const std::string line = body.substr(pos, end - pos);
            pos = end == std::string::npos ? body.size() : end + 1;
            if (header) {
                if (i == 0) out += "analysis," + line + "\n";
                header = false;
                continue;
            }
            out += detail::csv_field(sections[i].name) + "," + line + "\n";
        }
    }
    return out;
}

}  // namespace dermtl::report
