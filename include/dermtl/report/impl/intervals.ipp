// Definitions of report/intervals.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/calibration.hpp"
#include "dermtl/metrics/delong.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/report/format.hpp"

namespace dermtl::report {

namespace intervals_detail {

// shape_error unless fold f has one id and one score row per label.
DERMTL_DECL void check_fold(const std::string& op, std::span<const metrics::fold_predictions> folds,
                            std::span<const std::vector<std::string>> ids, std::size_t f) {
    const auto n = folds[f].labels.size();
    if (ids[f].size() != n || static_cast<std::size_t>(folds[f].scores.rows()) != n)
        throw shape_error(op + ": fold " + std::to_string(f + 1) + ": expected one test id and one score row per "
                          "label (" + std::to_string(n) + "), found " + std::to_string(ids[f].size()) + " ids and " +
                          std::to_string(folds[f].scores.rows()) + " score rows");
}

DERMTL_DECL void check_folds(const std::string& op, std::span<const metrics::fold_predictions> folds,
                             std::span<const std::vector<std::string>> ids) {
    if (folds.empty()) throw config_error(op + ": expected at least one test fold, found none");
    if (ids.size() != folds.size())
        throw shape_error(op + ": expected one list of test ids per fold (" + std::to_string(folds.size()) +
                          "), found " + std::to_string(ids.size()));
    for (std::size_t f = 0; f < folds.size(); ++f) check_fold(op, folds, ids, f);
}

}  // namespace intervals_detail

DERMTL_DECL metrics::bootstrap_result fold_mean_bootstrap(std::span<const metrics::fold_predictions> folds,
                                                          std::span<const std::vector<std::string>> ids,
                                                          const fold_metric& metric, const interval_options& options) {
    intervals_detail::check_folds("report::fold_mean_bootstrap", folds, ids);
    std::vector<int> labels;
    std::vector<std::string> groups;
    std::vector<std::size_t> fold_of, index_in;
    int n_classes = 2;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        const auto& p = folds[f];
        n_classes = std::max(n_classes, static_cast<int>(p.scores.cols() == 1 ? 2 : p.scores.cols()));
        for (std::size_t i = 0; i < p.labels.size(); ++i) {
            labels.push_back(p.labels[i]);
            groups.push_back(ids[f][i]);
            fold_of.push_back(f);
            index_in.push_back(i);
        }
    }
    // An image id is one unit: its predictions in every fold that tests it move together.
    const metrics::resampling_design design(labels, groups, n_classes);
    std::vector<std::vector<std::size_t>> by_fold(folds.size());
    std::vector<int> l;
    metrics::score_matrix s;
    std::vector<char> seen(static_cast<std::size_t>(n_classes));
    const metrics::row_statistic statistic = [&](std::span<const std::size_t> rows) {
        for (auto& b : by_fold) b.clear();
        for (std::size_t r : rows) by_fold[fold_of[r]].push_back(index_in[r]);
        double sum = 0;
        std::size_t defined = 0;
        for (std::size_t f = 0; f < folds.size(); ++f) {
            const auto& p = folds[f];
            const auto& idx = by_fold[f];
            std::fill(seen.begin(), seen.end(), 0);
            for (std::size_t i : idx) seen[static_cast<std::size_t>(p.labels[i])] = 1;
            // Only the classes this fold's design scores: a binary fold needs both, K classes all K.
            const std::size_t needed = p.scores.cols() == 1 ? 2 : static_cast<std::size_t>(p.scores.cols());
            if (std::count(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(needed), 1) !=
                static_cast<std::ptrdiff_t>(needed))
                continue;  // this resample left the fold without a class: its measure is undefined
            l.resize(idx.size());
            s.resize(static_cast<Eigen::Index>(idx.size()), p.scores.cols());
            for (std::size_t k = 0; k < idx.size(); ++k) {
                l[k] = p.labels[idx[k]];
                s.row(static_cast<Eigen::Index>(k)) = p.scores.row(static_cast<Eigen::Index>(idx[k]));
            }
            sum += metric(l, s);
            ++defined;
        }
        return defined ? sum / static_cast<double>(defined) : std::numeric_limits<double>::quiet_NaN();
    };
    metrics::bootstrap_options o;
    o.resamples = options.resamples;
    o.confidence = options.confidence;
    o.seed = options.seed;
    o.keep_replicates = false;
    return metrics::bootstrap(design, statistic, o);
}

DERMTL_DECL cell_interval bootstrap_interval(const metrics::bootstrap_result& b) {
    cell_interval i;
    i.kind = interval_kind::bootstrap;
    const bool bca = std::isfinite(b.bca.lower) && std::isfinite(b.bca.upper);
    i.method = bca ? "BCa" : "percentile";
    i.estimate = b.estimate;
    i.lower = bca ? b.bca.lower : b.percentile.lower;
    i.upper = bca ? b.bca.upper : b.percentile.upper;
    i.confidence = b.confidence;
    i.resamples = b.resamples;
    i.seed = b.seed;
    i.units = b.units;
    return i;
}

DERMTL_DECL std::vector<std::vector<std::size_t>> repetitions_of(std::span<const std::vector<std::string>> ids) {
    std::vector<std::vector<std::size_t>> out;
    std::unordered_set<std::string> current;
    for (std::size_t f = 0; f < ids.size(); ++f) {
        const bool overlaps =
            std::any_of(ids[f].begin(), ids[f].end(), [&](const std::string& id) { return current.count(id) > 0; });
        if (out.empty() || overlaps) {
            out.emplace_back();
            current.clear();
        }
        out.back().push_back(f);
        current.insert(ids[f].begin(), ids[f].end());
    }
    return out;
}

DERMTL_DECL cell_interval fold_mean_delong(std::span<const metrics::fold_predictions> folds,
                                           std::span<const std::vector<std::string>> ids, double confidence) {
    const std::string op = "report::fold_mean_delong";
    intervals_detail::check_folds(op, folds, ids);
    std::vector<metrics::delong_auc> per_fold;
    double mean = 0;
    std::size_t cases = 0;
    for (std::size_t f = 0; f < folds.size(); ++f) {
        if (folds[f].scores.cols() != 1)
            throw config_error(op + ": fold " + std::to_string(f + 1) + ": expected a binary design (one score column), "
                               "found " + std::to_string(folds[f].scores.cols()) + " columns; DeLong has no K-class form");
        const std::span<const double> s(folds[f].scores.data(), static_cast<std::size_t>(folds[f].scores.rows()));
        per_fold.push_back(metrics::delong_variance(folds[f].labels, s, confidence));
        mean += per_fold.back().auc;
        cases += folds[f].labels.size();
    }
    mean /= static_cast<double>(folds.size());
    const auto reps = repetitions_of(ids);
    double se = 0;
    for (const auto& rep : reps) {
        double var = 0;
        for (std::size_t f : rep) var += per_fold[f].variance;
        se += std::sqrt(var) / static_cast<double>(rep.size());
    }
    se /= static_cast<double>(reps.size());
    const double z = metrics::detail::normal_quantile(0.5 + confidence / 2);
    cell_interval i;
    i.kind = interval_kind::delong;
    i.method = "DeLong";
    i.estimate = mean;
    i.lower = std::clamp(mean - z * se, 0.0, 1.0);
    i.upper = std::clamp(mean + z * se, 0.0, 1.0);
    i.confidence = confidence;
    i.units = cases;
    return i;
}

DERMTL_DECL std::vector<cell_interval> auc_intervals(std::span<const metrics::fold_predictions> folds,
                                                     std::span<const std::vector<std::string>> ids,
                                                     const interval_options& options) {
    intervals_detail::check_folds("report::auc_intervals", folds, ids);
    const bool binary = folds.front().scores.cols() == 1;
    const fold_metric auc = [binary](std::span<const int> l, const metrics::score_matrix& s) {
        return binary ? metrics::roc_auc(l, std::span<const double>(s.data(), static_cast<std::size_t>(s.rows())))
                      : metrics::one_vs_one_auc(l, s);
    };
    std::vector<cell_interval> out{bootstrap_interval(fold_mean_bootstrap(folds, ids, auc, options))};
    if (binary) out.push_back(fold_mean_delong(folds, ids, options.confidence));
    return out;
}

DERMTL_DECL calibration_section calibration_of(std::string name, std::span<const int> labels,
                                               std::span<const double> probabilities) {
    calibration_section s;
    s.name = std::move(name);
    s.cases = labels.size();
    s.brier = metrics::brier_score(labels, probabilities);
    s.equal_width = metrics::reliability(labels, probabilities, metrics::calibration_bins::equal_width,
                                         metrics::default_calibration_bins);
    s.equal_mass = metrics::reliability(labels, probabilities, metrics::calibration_bins::equal_mass,
                                        metrics::default_calibration_bins);
    return s;
}

DERMTL_DECL std::string reliability_svg(const calibration_section& s) {
    constexpr double size = 320, margin = 40, inner = size - 2 * margin;
    auto x = [&](double v) { return fmt::format("{:.1f}", margin + v * inner); };
    auto y = [&](double v) { return fmt::format("{:.1f}", size - margin - v * inner); };
    std::string out = fmt::format("<svg class=\"reliability\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                                  "height=\"{0}\" viewBox=\"0 0 {0} {0}\" role=\"img\">\n<title>Reliability diagram "
                                  "of {1}</title>\n", size, detail::html_escape(s.name));
    out += "<rect x=\"" + x(0) + "\" y=\"" + y(1) + "\" width=\"" + fmt::format("{:.1f}", inner) + "\" height=\"" +
           fmt::format("{:.1f}", inner) + "\" fill=\"none\" stroke=\"#888\"/>\n";
    out += "<line x1=\"" + x(0) + "\" y1=\"" + y(0) + "\" x2=\"" + x(1) + "\" y2=\"" + y(1) +
           "\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n";
    for (double t : {0.0, 0.5, 1.0}) {
        out += "<text x=\"" + x(t) + "\" y=\"" + fmt::format("{:.1f}", size - margin + 14) +
               "\" font-size=\"11\" text-anchor=\"middle\">" + fmt::format("{:g}", t) + "</text>\n";
        out += "<text x=\"" + fmt::format("{:.1f}", margin - 6) + "\" y=\"" + y(t) +
               "\" font-size=\"11\" text-anchor=\"end\" dominant-baseline=\"middle\">" + fmt::format("{:g}", t) + "</text>\n";
    }
    out += "<text x=\"" + x(0.5) + "\" y=\"" + fmt::format("{:.1f}", size - 6) +
           "\" font-size=\"12\" text-anchor=\"middle\">mean predicted probability</text>\n";
    out += "<text x=\"12\" y=\"" + y(0.5) + "\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 12 " +
           y(0.5) + ")\">observed frequency</text>\n";
    const std::pair<const metrics::reliability_diagram*, const char*> series[] = {{&s.equal_width, "#4e79a7"},
                                                                                 {&s.equal_mass, "#e15759"}};
    const char* names[] = {"equal-width bins", "equal-mass bins"};
    for (std::size_t k = 0; k < 2; ++k) {
        const auto& [d, colour] = series[k];
        std::string points;
        std::string markers;
        for (const auto& b : d->bins) {
            if (b.count == 0) continue;
            points += (points.empty() ? "" : " ") + x(b.mean_predicted) + "," + y(b.observed_frequency);
            const double r = 2 + 6 * std::sqrt(static_cast<double>(b.count) / static_cast<double>(std::max<std::size_t>(1, s.cases)));
            markers += "<circle class=\"bin\" cx=\"" + x(b.mean_predicted) + "\" cy=\"" + y(b.observed_frequency) +
                       "\" r=\"" + fmt::format("{:.1f}", r) + "\" fill=\"" + colour + "\"><title>" + names[k] + " (" +
                       fmt::format("{:g}", b.lower) + ", " + fmt::format("{:g}", b.upper) + "]: " +
                       std::to_string(b.count) + " cases</title></circle>\n";
        }
        out += "<polyline fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"1.5\" points=\"" + points +
               "\"/>\n" + markers;
        out += "<text x=\"" + x(0.03) + "\" y=\"" + y(0.95 - 0.07 * static_cast<double>(k)) + "\" font-size=\"11\" fill=\"" +
               colour + "\">" + names[k] + ", ECE " + detail::percent(d->expected_calibration_error) + "%</text>\n";
    }
    return out + "</svg>\n";
}

DERMTL_DECL std::string to_csv(const std::vector<calibration_section>& sections) {
    std::string out = "analysis,cases,brier,ece equal-width,ece equal-mass,binning,bin,lower,upper,count,mean predicted,"
                      "observed frequency\n";
    auto number = [](double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : std::string(); };
    for (const auto& s : sections)
        for (const auto* d : {&s.equal_width, &s.equal_mass})
            for (std::size_t k = 0; k < d->bins.size(); ++k) {
                const auto& b = d->bins[k];
                out += detail::csv_field(s.name) + "," + std::to_string(s.cases) + "," + number(s.brier) + "," +
                       number(s.equal_width.expected_calibration_error) + "," +
                       number(s.equal_mass.expected_calibration_error) + "," +
                       (d == &s.equal_width ? "equal-width" : "equal-mass") + "," + std::to_string(k + 1) + "," +
                       number(b.lower) + "," + number(b.upper) + "," + std::to_string(b.count) + "," +
                       number(b.mean_predicted) + "," + number(b.observed_frequency) + "\n";
            }
    return out;
}

DERMTL_DECL std::string calibration_markdown(const std::vector<calibration_section>& sections) {
    if (sections.empty()) return {};
    std::string out = "## Calibration of the Platt confidences\n\nTest predictions of every fold pooled; ECE with 10 "
                      "bins. All numbers in %.\n\n| Cell | Cases | Brier | ECE, equal-width bins | ECE, equal-mass bins |\n"
                      "|---|---|---|---|---|\n";
    for (const auto& s : sections)
        out += "| " + detail::markdown_escape(s.name) + " | " + std::to_string(s.cases) + " | " +
               detail::percent(s.brier, 2) + " | " + detail::percent(s.equal_width.expected_calibration_error, 2) +
               " | " + detail::percent(s.equal_mass.expected_calibration_error, 2) + " |\n";
    return out;
}

DERMTL_DECL std::string calibration_html(const std::vector<calibration_section>& sections) {
    if (sections.empty()) return {};
    std::string out = "<section id=\"calibration\">\n<h2>Calibration of the Platt confidences</h2>\n<p class=\"legend\">"
                      "Test predictions of every fold pooled. Brier score and expected calibration error (ECE, 10 "
                      "bins), in %. Reliability diagrams: each bin's mean predicted probability against its share "
                      "of positives; a marker's area shows its number of cases; the dashed diagonal is perfect "
                      "calibration.</p>\n<table><thead><tr><th>Cell</th><th>Cases</th><th>Brier</th><th>ECE, "
                      "equal-width bins</th><th>ECE, equal-mass bins</th></tr></thead><tbody>\n";
    for (const auto& s : sections)
        out += "<tr><td class=\"name\">" + detail::html_escape(s.name) + "</td><td>" + std::to_string(s.cases) +
               "</td><td>" + detail::percent(s.brier, 2) + "</td><td>" +
               detail::percent(s.equal_width.expected_calibration_error, 2) + "</td><td>" +
               detail::percent(s.equal_mass.expected_calibration_error, 2) + "</td></tr>\n";
    out += "</tbody></table>\n";
    for (const auto& s : sections) out += "<figure>" + reliability_svg(s) + "<figcaption>" + detail::html_escape(s.name) +
                                          "</figcaption></figure>\n";
    return out + "</section>\n";
}

DERMTL_DECL std::string intervals_sentence(const table& t) {
    const cell_interval* boot = nullptr;
    bool delong = false;
    for (const auto& r : t.rows)
        for (const auto& x : r.cells)
            for (const auto& i : x.intervals) {
                if (i.kind == interval_kind::bootstrap && !boot) boot = &i;
                delong |= i.kind == interval_kind::delong;
            }
    if (!boot && !delong) return {};
    std::string s = "In brackets: ";
    if (boot)
        s += fmt::format("the {:g}% bootstrap interval (BCa; percentile where BCa is undefined; {} resamples of the "
                         "test images, seed {}) of the mean over folds, the trained models held fixed",
                         100 * boot->confidence, boot->resamples, boot->seed);
    if (delong) s += std::string(boot ? "; then " : "") + "DeLong's 95% interval of the mean AUC (conservative across 5x2 repetitions)";
    return s + ". See docs/reproducing.md, 'Intervals'.";
}

}  // namespace dermtl::report
