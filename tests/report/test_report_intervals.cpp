// Intervals and calibration in the report (issue 26, "In the report"): a report built from small
// fabricated out-of-fold predictions shows each cell's bootstrap and DeLong intervals, the
// calibration table and reliability SVG, and carries every number in CSV and JSON; the numbers
// are those of direct calls to the metrics functions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/calibration.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/delong.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/report/csv.hpp"
#include "dermtl/report/html.hpp"
#include "dermtl/report/intervals.hpp"
#include "dermtl/report/json.hpp"
#include "dermtl/report/markdown.hpp"

using namespace dermtl;

namespace {

// 5x2-like folds over n images: repetition k splits the images into two halves by a seeded shuffle;
// the score of an image is its label plus noise (each fold its own noise: another model).
struct fabricated {
    std::vector<metrics::fold_predictions> folds;
    std::vector<std::vector<std::string>> ids;
    std::vector<std::vector<double>> confidences;
};

fabricated make_folds(std::size_t n, std::size_t repetitions, std::uint64_t seed) {
    fabricated out;
    rng g(seed);
    std::vector<int> label(n);
    for (std::size_t i = 0; i < n; ++i) label[i] = i % 3 == 0 ? 1 : 0;
    for (std::size_t k = 0; k < repetitions; ++k) {
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[g.below(i + 1)]);
        for (std::size_t half = 0; half < 2; ++half) {
            metrics::fold_predictions p;
            std::vector<std::string> id;
            std::vector<double> conf;
            std::vector<double> s;
            for (std::size_t j = half; j < n; j += 2) {
                const std::size_t i = order[j];
                p.labels.push_back(label[i]);
                id.push_back("img" + std::to_string(i));
                const double score = (label[i] ? 0.8 : -0.2) + g.normal();
                s.push_back(score);
                conf.push_back(1.0 / (1.0 + std::exp(-1.3 * score)));
            }
            p.scores = Eigen::Map<const metrics::score_matrix>(s.data(), static_cast<Eigen::Index>(s.size()), 1);
            out.folds.push_back(std::move(p));
            out.ids.push_back(std::move(id));
            out.confidences.push_back(std::move(conf));
        }
    }
    return out;
}

std::span<const double> column(const metrics::score_matrix& s) {
    return {s.data(), static_cast<std::size_t>(s.rows())};
}

}  // namespace

TEST_CASE("One fold: the cell's intervals are bootstrap_auc's BCa and delong_variance's", "[report][intervals]") {
    const auto f = make_folds(60, 1, 7);
    const std::vector<metrics::fold_predictions> one{f.folds[0]};
    const std::vector<std::vector<std::string>> ids{f.ids[0]};
    report::interval_options o;
    o.resamples = 500;
    o.seed = 11;
    const auto got = report::auc_intervals(one, ids, o);
    REQUIRE(got.size() == 2);
    metrics::bootstrap_options bo;
    bo.resamples = 500;
    bo.seed = 11;
    const auto direct = metrics::bootstrap_auc(one[0].labels, column(one[0].scores), {}, bo);
    CHECK(got[0].kind == report::interval_kind::bootstrap);
    CHECK(got[0].method == "BCa");
    CHECK(got[0].estimate == Approx(metrics::roc_auc(one[0].labels, column(one[0].scores))).epsilon(1e-12));
    CHECK(got[0].lower == Approx(direct.bca.lower).epsilon(1e-12));
    CHECK(got[0].upper == Approx(direct.bca.upper).epsilon(1e-12));
    CHECK(got[0].resamples == 500);
    CHECK(got[0].seed == 11);
    const auto d = metrics::delong_variance(one[0].labels, column(one[0].scores));
    CHECK(got[1].kind == report::interval_kind::delong);
    CHECK(got[1].lower == Approx(d.interval.lower).epsilon(1e-12));
    CHECK(got[1].upper == Approx(d.interval.upper).epsilon(1e-12));
}

TEST_CASE("5x2 folds: the interval is about the fold mean; DeLong combines the folds of each repetition",
          "[report][intervals]") {
    const auto f = make_folds(80, 5, 3);
    CHECK(report::repetitions_of(f.ids).size() == 5);
    const auto got = report::auc_intervals(f.folds, f.ids, {400, 0.95, 5});
    REQUIRE(got.size() == 2);
    const auto cv = metrics::cross_validated_auc(f.folds);
    CHECK(got[0].estimate == Approx(cv.mean).epsilon(1e-12));
    CHECK(got[0].units == 80);  // an image is one unit across its 5 folds
    CHECK(got[0].lower < cv.mean);
    CHECK(got[0].upper > cv.mean);
    // DeLong: se = mean over repetitions of sqrt(var_a + var_b) / 2.
    double se = 0;
    for (std::size_t k = 0; k < 5; ++k) {
        const auto a = metrics::delong_variance(f.folds[2 * k].labels, column(f.folds[2 * k].scores));
        const auto b = metrics::delong_variance(f.folds[2 * k + 1].labels, column(f.folds[2 * k + 1].scores));
        se += std::sqrt(a.variance + b.variance) / 2 / 5;
    }
    CHECK(got[1].estimate == Approx(cv.mean).epsilon(1e-12));
    CHECK(got[1].lower == Approx(cv.mean - 1.959963984540054 * se).epsilon(1e-9));
    CHECK(got[1].upper == Approx(cv.mean + 1.959963984540054 * se).epsilon(1e-9));
    // Same seed, same interval; another seed, another.
    CHECK(report::auc_intervals(f.folds, f.ids, {400, 0.95, 5})[0].lower == got[0].lower);
    CHECK(report::auc_intervals(f.folds, f.ids, {400, 0.95, 6})[0].lower != got[0].lower);
}

TEST_CASE("A report with intervals and calibration: Markdown, HTML with the reliability SVG, CSV and JSON",
          "[report][intervals][calibration]") {
    const auto f = make_folds(60, 5, 9);
    report::report rep;
    rep.title = "intervals";
    report::table t;
    t.id = "table1";
    t.title = "Table 1";
    t.value_label = "AUC";
    t.add_column("From ImageNet", "with FT");
    const auto row = t.add_row("Melanoma vs. Benign");
    t.set(row, 0, metrics::cross_validated_auc(f.folds));
    t.at(row, 0).intervals = report::auc_intervals(f.folds, f.ids, {300, 0.95, 26});
    rep.tables.push_back(t);
    std::vector<int> labels;
    std::vector<double> p;
    for (std::size_t k = 0; k < f.folds.size(); ++k) {
        labels.insert(labels.end(), f.folds[k].labels.begin(), f.folds[k].labels.end());
        p.insert(p.end(), f.confidences[k].begin(), f.confidences[k].end());
    }
    rep.calibrations.push_back(report::calibration_of("Melanoma vs. Benign", labels, p));
    const auto& c = rep.calibrations.front();
    CHECK(c.cases == labels.size());
    CHECK(c.brier == metrics::brier_score(labels, p));
    CHECK(c.equal_width.expected_calibration_error ==
          metrics::expected_calibration_error(labels, p, metrics::calibration_bins::equal_width, 10));
    CHECK(c.equal_mass.expected_calibration_error ==
          metrics::expected_calibration_error(labels, p, metrics::calibration_bins::equal_mass, 10));
    CHECK(c.equal_width.bins.size() == 10);

    const auto& i = rep.tables[0].rows[0].cells[0].intervals;
    const std::string bracket = "[" + report::detail::percent(i[0].lower) + ", " + report::detail::percent(i[0].upper) +
                                "; DeLong " + report::detail::percent(i[1].lower) + ", " +
                                report::detail::percent(i[1].upper) + "]";
    const auto md = report::to_markdown(rep);
    CHECK(md.find(bracket) != std::string::npos);
    CHECK(md.find("300 resamples of the test images, seed 26") != std::string::npos);
    CHECK(md.find("## Calibration of the Platt confidences") != std::string::npos);

    const auto html = report::to_html(rep, report::rendered_plots{});
    CHECK(html.find("<span class=\"ci\">" + bracket + "</span>") != std::string::npos);
    CHECK(html.find("<section id=\"calibration\">") != std::string::npos);
    CHECK(html.find("<svg class=\"reliability\"") != std::string::npos);
    std::size_t markers = 0;
    for (auto pos = html.find("<circle class=\"bin\""); pos != std::string::npos;
         pos = html.find("<circle class=\"bin\"", pos + 1))
        ++markers;
    std::size_t nonempty = 0;
    for (const auto* d : {&c.equal_width, &c.equal_mass})
        for (const auto& b : d->bins) nonempty += b.count > 0;
    CHECK(markers == nonempty);

    const auto csv = report::to_csv(rep.tables[0]);
    const std::string header = csv.substr(0, csv.find('\n'));
    CHECK(header.find("From ImageNet / with FT bootstrap method,From ImageNet / with FT bootstrap lower (%),"
                      "From ImageNet / with FT bootstrap upper (%),From ImageNet / with FT bootstrap confidence,"
                      "From ImageNet / with FT bootstrap resamples,From ImageNet / with FT bootstrap seed,"
                      "From ImageNet / with FT DeLong lower (%),From ImageNet / with FT DeLong upper (%),"
                      "From ImageNet / with FT DeLong confidence") != std::string::npos);
    CHECK(csv.find("," + i[0].method + "," + report::detail::percent(i[0].lower, 2) + "," +
                   report::detail::percent(i[0].upper, 2) + ",0.95,300,26," + report::detail::percent(i[1].lower, 2)) !=
          std::string::npos);
    const auto calibration_csv = report::to_csv(rep.calibrations);
    CHECK(calibration_csv.rfind("analysis,cases,brier,ece equal-width,ece equal-mass,binning,bin,", 0) == 0);
    CHECK(std::count(calibration_csv.begin(), calibration_csv.end(), '\n') == 21);  // header + 2 x 10 bins

    const auto j = report::to_json(rep);
    const auto& ij = j.at("tables")[0].at("rows")[0].at("cells")[0].at("intervals");
    REQUIRE(ij.size() == 2);
    CHECK(ij[0].at("kind") == "bootstrap");
    CHECK(ij[0].at("lower").get<double>() == i[0].lower);
    CHECK(ij[0].at("resamples") == 300);
    CHECK(ij[0].at("seed") == 26);
    CHECK(ij[1].at("kind") == "delong");
    CHECK(ij[1].at("upper").get<double>() == i[1].upper);
    const auto& cj = j.at("calibrations")[0];
    CHECK(cj.at("brier").get<double>() == c.brier);
    CHECK(cj.at("ece_equal_mass").get<double>() == c.equal_mass.expected_calibration_error);
    CHECK(cj.at("equal_width").at("bins").size() == 10);
    // Round trip.
    const auto back = report::report_from_json(j);
    REQUIRE(back.calibrations.size() == 1);
    CHECK(back.calibrations[0].equal_width.bins[3].count == c.equal_width.bins[3].count);
    CHECK(back.tables[0].rows[0].cells[0].intervals.size() == 2);
    CHECK(back.tables[0].rows[0].cells[0].intervals[0].upper == i[0].upper);
    CHECK(report::to_json(back) == j);
}

TEST_CASE("validate refuses an interval outside [0, 1] or reversed", "[report][intervals]") {
    report::table t;
    t.id = "t";
    t.add_column("", "AUC");
    const auto row = t.add_row("r");
    const double v = 0.7;
    t.set(row, 0, metrics::summarize_folds(std::span<const double>(&v, 1)));
    report::cell_interval i;
    i.lower = 0.8;
    i.upper = 0.6;
    t.at(row, 0).intervals = {i};
    CHECK_THROWS_WITH(report::validate(t), Catch::Contains("lower bound at most its upper bound"));
    t.at(row, 0).intervals[0].upper = 1.2;
    CHECK_THROWS_AS(report::validate(t), config_error);
}
