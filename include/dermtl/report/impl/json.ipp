// Definitions of report/json.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/json.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/report/format.hpp"
#include "dermtl/report/significance.hpp"

namespace dermtl::report {

namespace detail {

DERMTL_DECL nlohmann::json optional_number(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

DERMTL_DECL nlohmann::json significance_json(const std::optional<metrics::significance_result>& s) {
    if (!s) return nullptr;
    return {{"statistic", s->statistic}, {"df1", s->df1}, {"df2", s->df2}, {"p_value", s->p_value}};
}

DERMTL_DECL comparison_axis axis_from(const std::string& s) {
    if (s == "columns") return comparison_axis::columns;
    if (s == "rows") return comparison_axis::rows;
    if (s == "none") return comparison_axis::none;
    throw config_error("report::from_json: expected \"compare\" to be \"columns\", \"rows\" or \"none\", found \"" + s +
                       "\"");
}

DERMTL_DECL nlohmann::json interval_json(const cell_interval& i) {
    nlohmann::json j{{"kind", i.kind == interval_kind::delong ? "delong" : "bootstrap"},
                     {"method", i.method},
                     {"estimate", i.estimate},
                     {"lower", i.lower},
                     {"upper", i.upper},
                     {"confidence", i.confidence},
                     {"units", i.units}};
    if (i.kind == interval_kind::bootstrap) j["resamples"] = i.resamples, j["seed"] = i.seed;
    return j;
}

DERMTL_DECL cell_interval interval_from(const nlohmann::json& j) {
    cell_interval i;
    const auto kind = j.at("kind").get<std::string>();
    if (kind != "bootstrap" && kind != "delong")
        throw config_error("report::from_json: expected an interval's \"kind\" to be \"bootstrap\" or \"delong\", found \"" +
                           kind + "\"");
    i.kind = kind == "delong" ? interval_kind::delong : interval_kind::bootstrap;
    i.method = j.at("method");
    i.estimate = j.at("estimate");
    i.lower = j.at("lower");
    i.upper = j.at("upper");
    i.confidence = j.at("confidence");
    i.units = j.at("units");
    i.resamples = j.value("resamples", std::size_t{0});
    i.seed = j.value("seed", std::uint64_t{0});
    return i;
}

// A reliability diagram; empty bins' means (NaN) as null.
DERMTL_DECL nlohmann::json diagram_json(const metrics::reliability_diagram& d) {
    nlohmann::json bins = nlohmann::json::array();
    auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    for (const auto& b : d.bins)
        bins.push_back({{"lower", b.lower},
                        {"upper", b.upper},
                        {"count", b.count},
                        {"mean_predicted", number(b.mean_predicted)},
                        {"observed_frequency", number(b.observed_frequency)}});
    return {{"cases", d.cases},
            {"expected_calibration_error", d.expected_calibration_error},
            {"maximum_calibration_error", d.maximum_calibration_error},
            {"bins", bins}};
}

DERMTL_DECL metrics::reliability_diagram diagram_from(const nlohmann::json& j, metrics::calibration_bins binning) {
    metrics::reliability_diagram d;
    d.binning = binning;
    d.cases = j.at("cases");
    d.expected_calibration_error = j.at("expected_calibration_error");
    d.maximum_calibration_error = j.at("maximum_calibration_error");
    auto number = [](const nlohmann::json& v) {
        return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
    };
    for (const auto& b : j.at("bins"))
        d.bins.push_back({b.at("lower"), b.at("upper"), b.at("count"), number(b.at("mean_predicted")),
                          number(b.at("observed_frequency"))});
    return d;
}

}  // namespace detail

DERMTL_DECL nlohmann::json to_json(const table& t) {
    using nlohmann::json;
    validate(t);
    json j{{"id", t.id},
           {"title", t.title},
           {"value_label", t.value_label},
           {"row_header", t.row_header},
           {"caption", t.caption},
           {"paper_note", t.paper_note},
           {"compare", detail::axis_name(t.compare)},
           {"roc_title", t.roc_title}};
    j["columns"] = json::array();
    for (const auto& c : t.columns) j["columns"].push_back({{"group", c.group}, {"name", c.name}, {"label", c.label()}});
    j["rows"] = json::array();
    for (const auto& r : t.rows) {
        json row{{"name", r.name}, {"kind", r.kind == row_kind::published ? "published" : "measured"}};
        row["cells"] = json::array();
        for (const auto& x : r.cells) {
            json cj{{"reference", detail::optional_number(x.reference)}, {"share", detail::optional_number(x.share)}};
            cj["value"] = x.value ? json{{"mean", x.value->mean}, {"std_dev", x.value->std_dev},
                                         {"per_fold", x.value->per_fold}}
                                  : json(nullptr);
            if (x.design) cj["design"] = {{"valid", x.design->valid()}, {"problems", x.design->problems}};
            if (x.counts)
                cj["counts"] = {{"cases", x.counts->cases}, {"positives", x.counts->positives},
                                {"negatives", x.counts->negatives}, {"images", x.counts->images}};
            if (!x.too_small.empty()) cj["too_small"] = x.too_small;
            if (!x.intervals.empty()) {
                cj["intervals"] = json::array();
                for (const auto& i : x.intervals) cj["intervals"].push_back(detail::interval_json(i));
            }
            row["cells"].push_back(std::move(cj));
        }
        j["rows"].push_back(std::move(row));
    }
    j["roc"] = json::array();
    for (const auto& s : t.roc)
        j["roc"].push_back({{"column", s.column},
                            {"label", t.columns[s.column].label()},
                            {"auc", s.auc},
                            {"n_positives", s.n_positives},
                            {"n_negatives", s.n_negatives},
                            {"fpr", s.curve.fpr},
                            {"tpr", s.curve.tpr},
                            {"thresholds", s.curve.thresholds}});
    j["significance"] = json::array();
    for (const auto& k : compare_against_best(t))
        j["significance"].push_back({{"row", k.row},
                                     {"column", k.column},
                                     {"row_name", t.rows[k.row].name},
                                     {"column_label", t.columns[k.column].label()},
                                     {"best_row", k.best_row},
                                     {"best_column", k.best_column},
                                     {"difference", k.difference},
                                     {"t", detail::significance_json(k.t)},
                                     {"f", detail::significance_json(k.f)},
                                     {"note", k.note}});
    return j;
}

DERMTL_DECL nlohmann::json to_json(const referral_section& s) {
    nlohmann::json j{{"name", s.name},
                     {"n_cases", s.table.n_cases},
                     {"n_melanomas", s.table.n_melanomas},
                     {"decision_threshold", s.table.decision_threshold},
                     {"baseline_rate", s.table.baseline_rate},
                     {"baseline_sensitivity", s.table.baseline_sensitivity}};
    j["rows"] = nlohmann::json::array();
    for (const auto& r : s.table.rows)
        j["rows"].push_back({{"rate", r.rate},
                             {"referred", r.referred},
                             {"referred_confident", r.referred_confident},
                             {"referred_unsure", r.referred_unsure},
                             {"melanomas_referred", r.melanomas_referred},
                             {"sensitivity", r.sensitivity},
                             {"melanomas_unreferred", r.melanomas_unreferred},
                             {"unreferred_share", r.unreferred_share},
                             {"unreferred_prevalence", r.unreferred_prevalence}});
    return j;
}

DERMTL_DECL nlohmann::json to_json(const report& rep) {
    validate(rep);
    nlohmann::json j{{"format", "dermtl-report"}, {"version", 1}, {"title", rep.title}};
    j["metadata"] = nlohmann::json::array();
    for (const auto& [k, v] : rep.metadata) j["metadata"].push_back({{"key", k}, {"value", v}});
    j["tables"] = nlohmann::json::array();
    for (const auto& t : rep.tables) j["tables"].push_back(to_json(t));
    j["referrals"] = nlohmann::json::array();
    for (const auto& s : rep.referrals) j["referrals"].push_back(to_json(s));
    j["calibrations"] = nlohmann::json::array();
    for (const auto& s : rep.calibrations)
        j["calibrations"].push_back({{"name", s.name},
                                     {"cases", s.cases},
                                     {"brier", s.brier},
                                     {"ece_equal_width", s.equal_width.expected_calibration_error},
                                     {"ece_equal_mass", s.equal_mass.expected_calibration_error},
                                     {"equal_width", detail::diagram_json(s.equal_width)},
                                     {"equal_mass", detail::diagram_json(s.equal_mass)}});
    return j;
}

DERMTL_DECL report report_from_json(const nlohmann::json& j) {
    using nlohmann::json;
    try {
        if (!j.is_object())
            throw config_error("report::from_json: expected a JSON object (a dermtl report.json), found " +
                               shortened(j.dump()));
        if (j.value("format", std::string()) != "dermtl-report")
            throw config_error("report::from_json: expected \"format\": \"dermtl-report\", found " +
                               (j.contains("format") ? j.at("format").dump() : std::string("no format field")) +
                               "; is this a dermtl report.json?");
        report rep;
        rep.title = j.at("title").get<std::string>();
        for (const auto& m : j.at("metadata")) rep.metadata.emplace_back(m.at("key"), m.at("value"));
        auto opt = [](const json& v) { return v.is_null() ? std::optional<double>() : std::optional<double>(v.get<double>()); };
        for (const auto& tj : j.at("tables")) {
            table t;
            t.id = tj.at("id");
            t.title = tj.at("title");
            t.value_label = tj.at("value_label");
            t.row_header = tj.at("row_header");
            t.caption = tj.at("caption");
            t.paper_note = tj.value("paper_note", std::string());  // absent in reports written before it existed
            t.compare = detail::axis_from(tj.at("compare"));
            t.roc_title = tj.at("roc_title");
            for (const auto& c : tj.at("columns")) t.columns.push_back({c.at("group"), c.at("name")});
            for (const auto& rj : tj.at("rows")) {
                row r;
                r.name = rj.at("name");
                r.kind = rj.at("kind").get<std::string>() == "published" ? row_kind::published : row_kind::measured;
                for (const auto& cj : rj.at("cells")) {
                    cell x;
                    x.reference = opt(cj.at("reference"));
                    x.share = opt(cj.at("share"));
                    if (const auto& v = cj.at("value"); !v.is_null())
                        x.value = metrics::fold_summary{v.at("per_fold").get<std::vector<double>>(), v.at("mean"),
                                                        v.at("std_dev")};
                    if (cj.contains("design") && !cj.at("design").is_null())  // absent in older reports
                        x.design = metrics::five_by_two_design{cj.at("design").at("problems").get<std::vector<std::string>>()};
                    if (cj.contains("counts"))  // subgroup tables only
                        x.counts = stratum_counts{cj.at("counts").at("cases"), cj.at("counts").at("positives"),
                                                  cj.at("counts").at("negatives"), cj.at("counts").at("images")};
                    x.too_small = cj.value("too_small", std::string());
                    if (cj.contains("intervals"))  // absent in older reports and where none was computed
                        for (const auto& ij : cj.at("intervals")) x.intervals.push_back(detail::interval_from(ij));
                    r.cells.push_back(std::move(x));
                }
                t.rows.push_back(std::move(r));
            }
            for (const auto& sj : tj.at("roc")) {
                roc_series s;
                s.column = sj.at("column");
                s.auc = sj.at("auc");
                s.n_positives = sj.at("n_positives");
                s.n_negatives = sj.at("n_negatives");
                s.curve.fpr = sj.at("fpr").get<std::vector<double>>();
                s.curve.tpr = sj.at("tpr").get<std::vector<double>>();
                s.curve.thresholds = sj.at("thresholds").get<std::vector<double>>();
                if (s.curve.thresholds.size() != s.curve.fpr.size())
                    throw config_error("report::from_json: table '" + t.id + "', ROC curve " +
                                       std::to_string(t.roc.size() + 1) + ": expected one threshold per point (" +
                                       std::to_string(s.curve.fpr.size()) + "), found " +
                                       std::to_string(s.curve.thresholds.size()));
                t.roc.push_back(std::move(s));
            }
            rep.tables.push_back(std::move(t));
        }
        for (const auto& sj : j.at("referrals")) {
            referral_section s;
            s.name = sj.at("name");
            s.table.n_cases = sj.at("n_cases");
            s.table.n_melanomas = sj.at("n_melanomas");
            s.table.decision_threshold = sj.at("decision_threshold");
            s.table.baseline_rate = sj.at("baseline_rate");
            s.table.baseline_sensitivity = sj.at("baseline_sensitivity");
            for (const auto& rj : sj.at("rows"))
                s.table.rows.push_back({rj.at("rate"), rj.at("referred"), rj.at("referred_confident"),
                                        rj.at("referred_unsure"), rj.at("melanomas_referred"), rj.at("sensitivity"),
                                        rj.at("melanomas_unreferred"), rj.at("unreferred_share"),
                                        rj.at("unreferred_prevalence")});
            rep.referrals.push_back(std::move(s));
        }
        if (j.contains("calibrations"))  // absent in older reports
            for (const auto& cj : j.at("calibrations")) {
                calibration_section s;
                s.name = cj.at("name");
                s.cases = cj.at("cases");
                s.brier = cj.at("brier");
                s.equal_width = detail::diagram_from(cj.at("equal_width"), metrics::calibration_bins::equal_width);
                s.equal_mass = detail::diagram_from(cj.at("equal_mass"), metrics::calibration_bins::equal_mass);
                rep.calibrations.push_back(std::move(s));
            }
        validate(rep);
        return rep;
    } catch (const json::exception& e) {
        throw config_error(std::string("report::from_json: expected a dermtl report.json, found malformed content: ") +
                           e.what());
    }
}

DERMTL_DECL report read_report(const std::filesystem::path& file) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::is_regular_file(status))
        throw io_error("report::read_report: '" + file.string() + "': expected a report.json, found " +
                       (!std::filesystem::exists(status)         ? "nothing"
                        : std::filesystem::is_directory(status) ? "a folder"
                                                                 : "something that is not a file"));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw io_error("report::read_report: '" + file.string() + "': cannot open it for reading");
    try {
        return report_from_json(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
        throw io_error("report::read_report: '" + file.string() + "': expected a dermtl report.json, found " +
                       "content that is not JSON: " + e.what());
    } catch (const error& e) {
        throw io_error("report::read_report: '" + file.string() + "': " + e.what());
    }
}

}  // namespace dermtl::report
