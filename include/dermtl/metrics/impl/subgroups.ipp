// Definitions of metrics/subgroups.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/subgroups.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/roc.hpp"

namespace dermtl::metrics {

namespace detail {

// An edge as text: "15" for whole numbers, %g otherwise.
DERMTL_DECL std::string edge_text(double e) {
    if (e == std::floor(e) && std::abs(e) < 1e15) return std::to_string(static_cast<long long>(e));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", e);
    return buf;
}

DERMTL_DECL void check_age_edges(std::span<const double> edges) {
    if (edges.empty()) throw config_error("age bands: no edges; expected increasing ages such as 0,15,30,45,60,75,90");
    for (std::size_t i = 0; i < edges.size(); ++i) {
        if (!std::isfinite(edges[i]) || edges[i] < 0)
            throw config_error("age bands: edge " + std::to_string(i + 1) + " is " + edge_text(edges[i]) +
                               "; expected finite ages >= 0");
        if (i > 0 && !(edges[i] > edges[i - 1]))
            throw config_error("age bands: edges must increase strictly; edge " + std::to_string(i + 1) + " (" +
                               edge_text(edges[i]) + ") follows " + edge_text(edges[i - 1]));
    }
}

// The label of band i: [edges[i], edges[i + 1]).
DERMTL_DECL std::string band_label(std::span<const double> edges, std::size_t i) {
    if (i + 1 >= edges.size()) return edge_text(edges.back()) + "+";
    const double lo = edges[i], hi = edges[i + 1];
    const bool whole = lo == std::floor(lo) && hi == std::floor(hi);
    return edge_text(lo) + "-" + edge_text(whole ? hi - 1 : hi);
}

DERMTL_DECL bool is_missing_marker(std::string_view v) {
    std::string l;
    for (char c : v)
        if (!std::isspace(static_cast<unsigned char>(c))) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return l.empty() || l == "unknown" || l == "na" || l == "nan" || l == "none" || l == "n/a";
}

// Sort key of a stratum value: "unknown" last; values that start with a number (after an
// optional '<', which sorts just below it) in numeric order, before the others; then the text.
DERMTL_DECL std::tuple<int, int, double, std::string> stratum_key(const std::string& v) {
    if (v == unknown_stratum) return {1, 0, 0.0, v};
    std::string_view s = v;
    double offset = 0;
    if (!s.empty() && s.front() == '<') {
        s.remove_prefix(1);
        offset = -0.5;
    }
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec == std::errc{} && end != s.data()) return {0, 0, x + offset, v};
    return {0, 1, 0.0, v};
}

}  // namespace detail

DERMTL_DECL std::string stratum_value(std::string_view value) {
    return detail::is_missing_marker(value) ? std::string(unknown_stratum) : std::string(value);
}

DERMTL_DECL std::vector<std::string> stratum_order(std::span<const std::string> values,
                                                   std::span<const std::string> order) {
    std::set<std::string> present;
    for (const auto& v : values) present.insert(stratum_value(v));
    std::vector<std::string> out;
    for (const auto& o : order)
        if (present.count(o) && std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
    std::vector<std::string> rest;
    for (const auto& v : present)
        if (std::find(out.begin(), out.end(), v) == out.end()) rest.push_back(v);
    std::sort(rest.begin(), rest.end(),
              [](const std::string& a, const std::string& b) { return detail::stratum_key(a) < detail::stratum_key(b); });
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

DERMTL_DECL std::vector<double> default_age_edges() { return {0, 15, 30, 45, 60, 75, 90}; }

DERMTL_DECL std::string age_band(std::string_view age, std::span<const double> edges, const std::string& where) {
    detail::check_age_edges(edges);
    if (detail::is_missing_marker(age)) return std::string(unknown_stratum);
    std::string_view s = age;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(x) || x < 0)
        throw config_error(where + ": age " + quoted_value(age) +
                           " is not an age; expected a number >= 0 (years) or blank/unknown");
    if (x < edges.front()) return "<" + detail::edge_text(edges.front());
    std::size_t i = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()) - 1;
    return detail::band_label(edges, i);
}

DERMTL_DECL std::vector<std::string> age_bands(std::span<const std::string> ages, std::span<const double> edges) {
    detail::check_age_edges(edges);
    std::vector<std::string> out;
    out.reserve(ages.size());
    for (std::size_t i = 0; i < ages.size(); ++i) out.push_back(age_band(ages[i], edges, "age of row " + std::to_string(i + 1)));
    return out;
}

DERMTL_DECL std::vector<std::string> age_bands(std::span<const std::string> ages) {
    const auto edges = default_age_edges();
    return age_bands(ages, edges);
}

DERMTL_DECL std::vector<std::string> age_band_labels(std::span<const double> edges) {
    detail::check_age_edges(edges);
    std::vector<std::string> out;
    if (edges.front() > 0) out.push_back("<" + detail::edge_text(edges.front()));
    for (std::size_t i = 0; i < edges.size(); ++i) out.push_back(detail::band_label(edges, i));
    out.emplace_back(unknown_stratum);
    return out;
}

DERMTL_DECL binary_metric auc_measure() {
    return [](std::span<const int> l, std::span<const double> s) { return roc_auc(l, s); };
}

namespace detail {

// One stratum's row: counts, the too-small rule, then the estimate and the bootstrap.
DERMTL_DECL subgroup_row subgroup_of(const std::string& column, const std::string& value,
                                     const std::vector<std::size_t>& rows, std::span<const int> labels,
                                     std::span<const double> scores, std::span<const std::string> groups,
                                     const binary_metric& measure, const subgroup_options& o) {
    subgroup_row r;
    r.value = value;
    r.count = rows.size();
    std::vector<int> l;
    std::vector<double> s;
    std::vector<std::string> g;
    l.reserve(rows.size());
    s.reserve(rows.size());
    std::set<std::string> clusters, positive_clusters, negative_clusters;
    for (auto i : rows) {
        l.push_back(labels[i]);
        s.push_back(scores[i]);
        (labels[i] == 1 ? r.positives : r.negatives) += 1;
        if (!groups.empty()) {
            g.push_back(groups[i]);
            clusters.insert(groups[i]);
            (labels[i] == 1 ? positive_clusters : negative_clusters).insert(groups[i]);
        }
    }
    r.clusters = groups.empty() ? r.count : clusters.size();
    std::vector<std::string> why;
    if (r.positives < o.min_positives)
        why.push_back(std::to_string(r.positives) + " positives < " + std::to_string(o.min_positives));
    if (r.negatives < o.min_negatives)
        why.push_back(std::to_string(r.negatives) + " negatives < " + std::to_string(o.min_negatives));
    if (why.empty() && !groups.empty() && o.intervals) {
        if (positive_clusters.size() < 2)
            why.push_back("positives in " + std::to_string(positive_clusters.size()) + " cluster(s) < 2");
        if (negative_clusters.size() < 2)
            why.push_back("negatives in " + std::to_string(negative_clusters.size()) + " cluster(s) < 2");
    }
    if (!why.empty()) {
        r.too_small = true;
        for (std::size_t k = 0; k < why.size(); ++k) r.reason += (k ? ", " : "") + why[k];
        return r;
    }
    const std::string where = "subgroups of " + quoted_value(column) + ", stratum " + quoted_value(value) + ": ";
    try {
        r.estimate = measure(l, s);
        if (o.intervals) r.interval = bootstrap_binary(l, s, g, measure, o.bootstrap);
    } catch (const config_error& e) {
        throw config_error(where + e.what());
    } catch (const numeric_error& e) {
        throw numeric_error(where + e.what());
    } catch (const shape_error& e) {
        throw shape_error(where + e.what());
    }
    return r;
}

}  // namespace detail

DERMTL_DECL subgroup_table stratify(const std::string& column, std::span<const std::string> strata,
                                    std::span<const int> labels, std::span<const double> scores,
                                    std::span<const std::string> groups, const binary_metric& measure,
                                    const std::string& measure_name, const subgroup_options& options) {
    const std::string who = "subgroups of " + quoted_value(column) + ": ";
    if (strata.size() != labels.size())
        throw shape_error(who + std::to_string(strata.size()) + " stratum values for " + std::to_string(labels.size()) +
                          " labels; expected one per row");
    if (scores.size() != labels.size())
        throw shape_error(who + std::to_string(scores.size()) + " scores for " + std::to_string(labels.size()) +
                          " labels; expected one per row");
    if (!groups.empty() && groups.size() != labels.size())
        throw shape_error(who + std::to_string(groups.size()) + " groups for " + std::to_string(labels.size()) +
                          " labels; expected one per row, or none");
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] != 0 && labels[i] != 1)
            throw config_error(who + "label " + std::to_string(labels[i]) + " at row " + std::to_string(i + 1) +
                               "; expected 0 or 1 (a binary design)");
    const binary_metric m = measure ? measure : auc_measure();

    std::map<std::string, std::vector<std::size_t>> by_value;
    for (std::size_t i = 0; i < strata.size(); ++i) by_value[stratum_value(strata[i])].push_back(i);
    const auto values = stratum_order(strata, options.order);

    subgroup_table t;
    t.column = column;
    t.measure = measure_name;
    t.options = options;
    for (const auto& v : values)
        t.rows.push_back(detail::subgroup_of(column, v, by_value[v], labels, scores, groups, m, options));
    std::vector<std::size_t> every(labels.size());
    for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
    t.all = detail::subgroup_of(column, "all", every, labels, scores, groups, m, options);
    return t;
}

}  // namespace dermtl::metrics
