// Bootstrap intervals (metrics/bootstrap.hpp): the resampling design (whole clusters, strata by
// class set, seeded), the refusal of too few groups per class, and the percentile and BCa
// intervals against scipy.stats.bootstrap fed the same resamples (tests/oracles/scipy_bootstrap.py
// says what is shared and what is independent).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/calibration.hpp"
#include "dermtl/metrics/operating_points.hpp"
#include "dermtl/metrics/roc.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

namespace {

// A grouped binary test set: `groups` lesions of 1-4 images; about one group in eight mixes both
// classes (a patient with a benign and a malignant lesion); confidences on a 1/32 grid: ties, and
// exact in binary, so that two samples whose ECE is the same number give the same bits in the
// oracle's exact arithmetic and in dermtl's (a 0.05 grid's binary approximations would make them
// differ by 1e-17, a difference BCa's bias correction would count).
struct grouped_set {
    std::vector<int> labels;
    std::vector<double> scores;
    std::vector<std::string> groups;
};

grouped_set make_grouped(int n_groups, std::uint64_t seed) {
    rng g(seed);
    grouped_set s;
    for (int k = 0; k < n_groups; ++k) {
        const int size = 1 + static_cast<int>(g.below(4));
        const int cls = k < 2 ? 1 : (k < 4 ? 0 : static_cast<int>(g.uniform_double() < 0.35));
        const bool mixed = k >= 4 && g.below(8) == 0;
        const double lesion = g.normal();
        for (int i = 0; i < size; ++i) {
            const int y = mixed && i == 0 ? 1 - cls : cls;
            const double z = 1.2 * y - 0.6 + 0.7 * lesion + 0.6 * g.normal();
            s.labels.push_back(y);
            s.scores.push_back(std::round(32 / (1 + std::exp(-z))) / 32);
            s.groups.push_back("lesion_" + std::to_string(k));
        }
    }
    return s;
}

std::vector<std::vector<std::size_t>> draws(const metrics::resampling_design& d, std::uint64_t seed, std::size_t b) {
    rng g(seed);
    std::vector<std::vector<std::size_t>> out;
    for (std::size_t i = 0; i < b; ++i) out.push_back(d.draw(g));
    return out;
}

}  // namespace

TEST_CASE("Resampling design: whole clusters, strata by class set, seeded draws", "[metrics][bootstrap]") {
    const auto s = make_grouped(40, 3);
    const metrics::resampling_design d(s.labels, s.groups, 2);
    CHECK(d.clustered());
    CHECK(d.units() == 40);
    CHECK(d.rows() == s.labels.size());
    // Units hold their group's rows; strata partition the units by class set.
    std::size_t rows = 0;
    for (std::size_t u = 0; u < d.units(); ++u) {
        rows += d.unit_rows(u).size();
        for (auto r : d.unit_rows(u)) CHECK(s.groups[r] == s.groups[d.unit_rows(u).front()]);
    }
    CHECK(rows == s.labels.size());
    const auto class_set = [&](std::size_t u) {
        std::set<int> c;
        for (auto r : d.unit_rows(u)) c.insert(s.labels[r]);
        return c;
    };
    REQUIRE(d.strata().size() == 3);  // {0}, {0, 1}, {1}
    for (const auto& stratum : d.strata())
        for (auto u : stratum) CHECK(class_set(u) == class_set(stratum.front()));
    // Each draw takes as many units from each stratum as it holds, from that stratum only.
    rng g(9);
    for (int b = 0; b < 50; ++b) {
        const auto drawn = d.draw(g);
        REQUIRE(drawn.size() == d.units());
        std::size_t at = 0;
        for (const auto& stratum : d.strata())
            for (std::size_t k = 0; k < stratum.size(); ++k, ++at)
                CHECK(std::find(stratum.begin(), stratum.end(), drawn[at]) != stratum.end());
        // rows_of gives whole clusters, unit by unit.
        const auto r = d.rows_of(drawn);
        std::size_t expected = 0;
        for (auto u : drawn) expected += d.unit_rows(u).size();
        CHECK(r.size() == expected);
    }
    // Same seed, same resamples (and so the same interval); another seed, others.
    CHECK(draws(d, 5, 20) == draws(d, 5, 20));
    CHECK(draws(d, 5, 20) != draws(d, 6, 20));
    metrics::bootstrap_options o;
    o.resamples = 200;
    o.seed = 5;
    const auto r1 = metrics::bootstrap_auc(s.labels, s.scores, s.groups, o);
    const auto r2 = metrics::bootstrap_auc(s.labels, s.scores, s.groups, o);
    CHECK(r1.replicates == r2.replicates);
    CHECK(r1.bca.lower == r2.bca.lower);
    o.seed = 6;
    CHECK(metrics::bootstrap_auc(s.labels, s.scores, s.groups, o).replicates != r1.replicates);
    // Without groups: one unit per row, strata the two classes (pROC's stratified bootstrap).
    const metrics::resampling_design rows_design(s.labels, {}, 2);
    CHECK_FALSE(rows_design.clustered());
    CHECK(rows_design.units() == s.labels.size());
    CHECK(rows_design.strata().size() == 2);
}

TEST_CASE("Bootstrap refuses fewer than 2 groups per class, with the counts", "[metrics][bootstrap][bad_input]") {
    // Three benign lesions, one melanoma lesion (of two images).
    const std::vector<int> y{0, 0, 0, 0, 1, 1};
    const std::vector<double> s{0.1, 0.2, 0.3, 0.4, 0.8, 0.9};
    const std::vector<std::string> groups{"a", "a", "b", "c", "d", "d"};
    CHECK_THROWS_AS(metrics::bootstrap_auc(y, s, groups), config_error);
    CHECK_THROWS_WITH(metrics::bootstrap_auc(y, s, groups),
                      Catch::Contains("expected at least 2 groups holding each class") &&
                          Catch::Contains("class 0: 3, class 1: 1") && Catch::Contains("(4 groups in all)"));
    // Ungrouped, the cases count: one melanoma image is too few.
    const std::vector<int> y1{0, 0, 0, 1};
    CHECK_THROWS_WITH(metrics::bootstrap_auc(y1, std::vector<double>{0.1, 0.2, 0.3, 0.9}),
                      Catch::Contains("at least 2 cases holding each class") && Catch::Contains("class 1: 1"));
    // Three classes: the missing one is named.
    metrics::score_matrix p(5, 3);
    p.setConstant(1.0 / 3);
    CHECK_THROWS_AS(metrics::bootstrap_one_vs_one_auc(std::vector<int>{0, 1, 2, 0, 1}, p), config_error);
    CHECK_THROWS_AS(metrics::bootstrap_auc(y, s, std::vector<std::string>{"a", "b"}), shape_error);
    metrics::bootstrap_options o;
    o.resamples = 1;
    CHECK_THROWS_WITH(metrics::bootstrap_auc(y, s, {}, o), Catch::Contains("at least 2 resamples"));
    o.resamples = 10;
    o.confidence = 1.0;
    CHECK_THROWS_WITH(metrics::bootstrap_auc(y, s, {}, o), Catch::Contains("confidence level in (0, 1)"));
    // A statistic that fails names the sample.
    const metrics::resampling_design d(y, {}, 2);
    CHECK_THROWS_WITH(metrics::bootstrap(d, [](auto) { return std::nan(""); }),
                      Catch::Contains("expected a finite statistic") && Catch::Contains("all cases"));
}

TEST_CASE("Bootstrap of a constant statistic: a point interval, BCa undefined", "[metrics][bootstrap]") {
    const std::vector<int> y{0, 0, 1, 1, 1};
    const metrics::resampling_design d(y, {}, 2);
    const auto r = metrics::bootstrap(d, [](auto) { return 0.7; }, {.resamples = 100, .seed = 1});
    CHECK(r.estimate == 0.7);
    CHECK(r.percentile.lower == 0.7);
    CHECK(r.percentile.upper == 0.7);
    CHECK(r.standard_error == Approx(0).margin(1e-14));
    CHECK(std::isnan(r.bca.lower));  // jackknife values all equal: acceleration 0/0, as scipy
    CHECK(std::isnan(r.bca.upper));
}

TEST_CASE("Operating-point intervals are bootstraps of the operating point", "[metrics][bootstrap][operating_points]") {
    const auto s = make_grouped(60, 8);
    const metrics::bootstrap_options o{.resamples = 50, .seed = 4};
    const auto r = metrics::bootstrap_sensitivity_at_specificity(s.labels, s.scores, 0.8, s.groups, o);
    CHECK(r.estimate == metrics::operating_point_at_specificity(s.labels, s.scores, 0.8).sensitivity);
    const metrics::resampling_design d(s.labels, s.groups, 2);
    const auto resamples = draws(d, 4, 50);
    for (std::size_t b = 0; b < resamples.size(); ++b) {
        std::vector<int> l;
        std::vector<double> sc;
        for (auto row : d.rows_of(resamples[b])) {
            l.push_back(s.labels[row]);
            sc.push_back(s.scores[row]);
        }
        CHECK(r.replicates[b] == metrics::operating_point_at_specificity(l, sc, 0.8).sensitivity);
    }
    CHECK(r.percentile.lower <= r.estimate);
    CHECK(r.percentile.upper >= r.estimate);
    const auto q = metrics::bootstrap_specificity_at_sensitivity(s.labels, s.scores, 0.9, {}, o);
    CHECK(q.estimate == metrics::operating_point_at_sensitivity(s.labels, s.scores, 0.9).specificity);
    CHECK_FALSE(q.clustered);
}

TEST_CASE("Bootstrap intervals match scipy.stats.bootstrap fed the same resamples", "[metrics][bootstrap][oracle]") {
    using nlohmann::json;
    constexpr std::size_t resamples = 1000;
    const auto grouped = make_grouped(70, 21);
    const auto rows = make_grouped(120, 22);  // used ungrouped: every image its own unit
    // Three classes in groups, softmax probabilities (sklearn's ovo AUC wants rows summing to 1).
    rng g(23);
    std::vector<int> y3;
    std::vector<std::string> g3;
    std::vector<std::array<double, 3>> p3;
    for (int k = 0; k < 45; ++k) {
        const int cls = k % 3;
        const int size = 1 + static_cast<int>(g.below(3));
        for (int i = 0; i < size; ++i) {
            std::array<double, 3> z{g.normal(), g.normal(), g.normal()};
            z[static_cast<std::size_t>(cls)] += 0.8;
            const double total = std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]);
            p3.push_back({std::exp(z[0]) / total, std::exp(z[1]) / total, std::exp(z[2]) / total});
            y3.push_back(cls);
            g3.push_back("patient_" + std::to_string(k));
        }
    }
    metrics::score_matrix s3(static_cast<Eigen::Index>(p3.size()), 3);
    for (std::size_t i = 0; i < p3.size(); ++i)
        for (int c = 0; c < 3; ++c) s3(static_cast<Eigen::Index>(i), c) = p3[i][static_cast<std::size_t>(c)];

    struct run {
        std::string metric;
        metrics::bootstrap_result result;
        json case_json;
    };
    std::vector<run> runs;
    const auto add = [&](const std::string& metric, const metrics::resampling_design& d, const json& data,
                         metrics::bootstrap_result r, std::uint64_t seed, int n_bins = 0) {
        json c = data;
        c["metric"] = metric;
        c["confidence"] = r.confidence;
        if (n_bins) c["n_bins"] = n_bins;
        json units = json::array();
        for (std::size_t u = 0; u < d.units(); ++u) units.push_back(d.unit_rows(u));
        c["units"] = units;
        c["resamples"] = draws(d, seed, resamples);
        runs.push_back({metric, std::move(r), std::move(c)});
    };
    const auto options = [&](std::uint64_t seed, double confidence = 0.95) {
        return metrics::bootstrap_options{.resamples = resamples, .confidence = confidence, .seed = seed};
    };
    using metrics::calibration_bins;
    {
        const metrics::resampling_design d(rows.labels, {}, 2);
        const json data{{"labels", rows.labels}, {"scores", rows.scores}};
        add("auc", d, data, metrics::bootstrap_auc(rows.labels, rows.scores, {}, options(1)), 1);
        add("ap", d, data, metrics::bootstrap_average_precision(rows.labels, rows.scores, {}, options(2, 0.9)), 2);
        add("sensitivity", d, data, metrics::bootstrap_sensitivity(rows.labels, rows.scores, {}, options(3)), 3);
        add("specificity", d, data, metrics::bootstrap_specificity(rows.labels, rows.scores, {}, options(4)), 4);
        add("ece_uniform", d, data,
            metrics::bootstrap_calibration_error(rows.labels, rows.scores, calibration_bins::equal_width, 10, {},
                                                 options(5)),
            5, 10);
    }
    {
        const metrics::resampling_design d(grouped.labels, grouped.groups, 2);
        const json data{{"labels", grouped.labels}, {"scores", grouped.scores}};
        add("auc", d, data, metrics::bootstrap_auc(grouped.labels, grouped.scores, grouped.groups, options(6)), 6);
        add("ap", d, data,
            metrics::bootstrap_average_precision(grouped.labels, grouped.scores, grouped.groups, options(7)), 7);
        add("sensitivity", d, data,
            metrics::bootstrap_sensitivity(grouped.labels, grouped.scores, grouped.groups, options(8)), 8);
        add("ece_quantile", d, data,
            metrics::bootstrap_calibration_error(grouped.labels, grouped.scores, calibration_bins::equal_mass, 5,
                                                 grouped.groups, options(9)),
            9, 5);
    }
    {
        const metrics::resampling_design d(y3, g3, 3);
        std::vector<std::vector<double>> rows3;
        for (const auto& p : p3) rows3.push_back({p[0], p[1], p[2]});
        add("ovo_auc", d, json{{"labels", y3}, {"scores", rows3}},
            metrics::bootstrap_one_vs_one_auc(y3, s3, g3, options(10)), 10);
    }

    testing::scratch_dir dir("bootstrap");
    json cases = json::array();
    for (const auto& r : runs) cases.push_back(r.case_json);
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("scipy_bootstrap.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    REQUIRE(answers.size() == runs.size());
    int bca_differs = 0;
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const auto& r = runs[k].result;
        const auto& a = answers[k];
        INFO("case " << k << ": " << runs[k].metric << (r.clustered ? ", clustered" : ", by image"));
        CHECK(r.resamples == resamples);
        CHECK(r.estimate == Approx(a["estimate"].get<double>()).epsilon(0).margin(1e-12));
        // The replicates, recomputed by the oracle from the exported resamples.
        REQUIRE(a["replicates"].size() == r.replicates.size());
        double worst = 0;
        for (std::size_t b = 0; b < r.replicates.size(); ++b)
            worst = std::max(worst, std::abs(r.replicates[b] - a["replicates"][b].get<double>()));
        CHECK(worst <= 1e-12);
        CHECK(r.percentile.lower == Approx(a["percentile"][0].get<double>()).epsilon(0).margin(1e-12));
        CHECK(r.percentile.upper == Approx(a["percentile"][1].get<double>()).epsilon(0).margin(1e-12));
        CHECK(r.bca.lower == Approx(a["bca"][0].get<double>()).epsilon(0).margin(1e-9));
        CHECK(r.bca.upper == Approx(a["bca"][1].get<double>()).epsilon(0).margin(1e-9));
        CHECK(r.standard_error == Approx(a["standard_error"].get<double>()).epsilon(0).margin(1e-12));
        CHECK(r.acceleration == Approx(a["acceleration"].get<double>()).epsilon(0).margin(1e-9));
        if (r.bca.lower != r.percentile.lower || r.bca.upper != r.percentile.upper) ++bca_differs;
    }
    // BCa differs from the percentile interval for the continuous statistics (a test that could
    // not tell them apart would not test BCa); for SE and SP on a few positives it may not.
    CHECK(bca_differs >= 6);
}
