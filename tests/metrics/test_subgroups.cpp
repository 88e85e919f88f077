// Subgroups (metrics/subgroups.hpp, issue 26 "Table 4 generalized"): per-stratum AUC and counts
// against scikit-learn's roc_auc_score computed per stratum by tests/oracles/sklearn_subgroups.py,
// the too-small rule (fewer than the minimum positives or negatives, or a class within fewer than
// 2 clusters: reported as too small, never as a number), the age bands, the order of the strata,
// and each stratum's interval being the clustered bootstrap of its own rows.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/bootstrap.hpp"
#include "dermtl/metrics/subgroups.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

namespace {

struct stratified_set {
    std::vector<int> labels;
    std::vector<double> scores;
    std::vector<std::string> strata, groups, ages;
};

// `n` rows in lesions of 1-3 images; strata low/medium/high with a class balance and separation
// of their own, a "rare" stratum with 3 positives, blanks (unknown); scores on a 1/16 grid (ties).
stratified_set make_set(std::size_t n, std::uint64_t seed, bool grouped) {
    rng g(seed);
    stratified_set s;
    const char* levels[] = {"low", "medium", "high"};
    int lesion = 0;
    while (s.labels.size() < n) {
        const int level = static_cast<int>(g.below(3));
        const int y = g.uniform_double() < 0.25 + 0.1 * level ? 1 : 0;
        const int images = grouped ? 1 + static_cast<int>(g.below(3)) : 1;
        const double shift = 0.6 * g.normal();
        const std::string age = g.below(10) == 0 ? "" : std::to_string(5 + g.below(80)) + (g.below(2) ? ".0" : ".5");
        for (int i = 0; i < images; ++i) {
            const double z = (1.6 - 0.5 * level) * y - 0.8 + shift + 0.7 * g.normal();
            s.labels.push_back(y);
            s.scores.push_back(std::round(16 / (1 + std::exp(-z))) / 16);
            s.strata.push_back(g.below(25) == 0 ? "" : levels[level]);
            s.groups.push_back("lesion_" + std::to_string(lesion));
            s.ages.push_back(age);
        }
        ++lesion;
    }
    // A rare stratum: 3 positives and 9 negatives (too small under the default minimum of 5).
    for (int i = 0; i < 12; ++i) {
        s.labels.push_back(i < 3 ? 1 : 0);
        s.scores.push_back(i < 3 ? 0.75 - 0.125 * i : 0.0625 * i);
        s.strata.push_back("rare");
        s.groups.push_back("rare_" + std::to_string(i));
        s.ages.push_back("unknown");
    }
    // One lesion with 6 positive images, every negative of its stratum in other lesions: enough
    // positive images, but a single positive cluster.
    for (int i = 0; i < 14; ++i) {
        s.labels.push_back(i < 6 ? 1 : 0);
        s.scores.push_back(0.5 + (i < 6 ? 0.0625 * i : -0.0625 * (i - 6)) / 2);
        s.strata.push_back("one_lesion");
        s.groups.push_back(i < 6 ? std::string("big_lesion") : "other_" + std::to_string(i));
        s.ages.push_back("42");
    }
    if (!grouped) s.groups.clear();
    return s;
}

nlohmann::json oracle(const std::vector<nlohmann::json>& cases) {
    testing::scratch_dir dir("subgroups");
    std::ofstream(dir / "cases.json") << nlohmann::json(cases).dump();
    testing::run_oracle("sklearn_subgroups.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    return nlohmann::json::parse(std::ifstream(dir / "answers.json"));
}

void check_row(const metrics::subgroup_row& r, const nlohmann::json& want) {
    INFO("stratum " << r.value);
    CHECK(r.count == want["count"].get<std::size_t>());
    CHECK(r.positives == want["positives"].get<std::size_t>());
    CHECK(r.negatives == want["negatives"].get<std::size_t>());
    CHECK(r.clusters == want["clusters"].get<std::size_t>());
    CHECK(r.too_small == want["too_small"].get<bool>());
    if (r.too_small) {
        CHECK(want["auc"].is_null());
        CHECK_FALSE(r.interval);
        CHECK_FALSE(r.reason.empty());
    } else {
        CHECK(r.estimate == Approx(want["auc"].get<double>()).margin(1e-12));
    }
}

}  // namespace

TEST_CASE("Subgroups: per-stratum AUC and counts agree with sklearn; the too-small rule", "[metrics][subgroups]") {
    for (bool grouped : {false, true}) {
        INFO((grouped ? "grouped" : "ungrouped"));
        const auto s = make_set(400, grouped ? 11 : 12, grouped);
        metrics::subgroup_options o;
        o.bootstrap.resamples = 200;
        o.bootstrap.seed = 3;
        const auto t = metrics::stratify("difficulty", s.strata, s.labels, s.scores, s.groups, {}, "auc", o);
        CHECK(t.column == "difficulty");
        CHECK(t.measure == "auc");
        // Oracles for the default minimum (5) and for a minimum of 2 (the rare stratum scored).
        metrics::subgroup_options loose = o;
        loose.min_positives = loose.min_negatives = 2;
        const auto t2 = metrics::stratify("difficulty", s.strata, s.labels, s.scores, s.groups, {}, "auc", loose);
        const auto answers = oracle({{{"labels", s.labels}, {"scores", s.scores}, {"strata", s.strata},
                                      {"groups", s.groups}, {"min_positives", 5}, {"min_negatives", 5}},
                                     {{"labels", s.labels}, {"scores", s.scores}, {"strata", s.strata},
                                      {"groups", s.groups}, {"min_positives", 2}, {"min_negatives", 2}}});
        for (const auto& [table, want] : {std::pair{&t, answers[0]}, std::pair{&t2, answers[1]}}) {
            REQUIRE(table->rows.size() == want["strata"].size());
            for (const auto& r : table->rows) {
                REQUIRE(want["strata"].contains(r.value));
                check_row(r, want["strata"][r.value]);
            }
            check_row(table->all, want["all"]);
        }
        // Sorted: the named values, then "unknown" last.
        std::vector<std::string> values;
        for (const auto& r : t.rows) values.push_back(r.value);
        CHECK(values == std::vector<std::string>{"high", "low", "medium", "one_lesion", "rare", "unknown"});
        // The rare stratum: a count, never a number, under the default; scored with a minimum of 2.
        const auto& rare = t.rows[4];
        CHECK(rare.too_small);
        CHECK(rare.reason == "3 positives < 5");
        CHECK(rare.estimate == 0);
        CHECK_FALSE(t2.rows[4].too_small);
        // The single positive lesion: too small only where the rows are clustered.
        CHECK(t.rows[3].too_small == grouped);
        if (grouped) CHECK(t.rows[3].reason == "positives in 1 cluster(s) < 2");
        // Each scored stratum's interval is the (clustered) bootstrap of its own rows.
        for (const auto& r : t.rows) {
            if (r.too_small) continue;
            REQUIRE(r.interval);
            std::vector<int> l;
            std::vector<double> sc;
            std::vector<std::string> gr;
            for (std::size_t i = 0; i < s.labels.size(); ++i)
                if ((s.strata[i].empty() ? std::string("unknown") : s.strata[i]) == r.value) {
                    l.push_back(s.labels[i]);
                    sc.push_back(s.scores[i]);
                    if (grouped) gr.push_back(s.groups[i]);
                }
            const auto b = metrics::bootstrap_auc(l, sc, gr, o.bootstrap);
            CHECK(r.interval->replicates == b.replicates);
            CHECK(r.interval->clustered == grouped);
            CHECK(r.interval->units == r.clusters);
            CHECK(r.interval->percentile.lower <= r.estimate);
            CHECK(r.interval->percentile.upper >= r.estimate);
        }
    }
}

TEST_CASE("Subgroups: any binary measure; intervals optional; the order option", "[metrics][subgroups]") {
    const auto s = make_set(300, 5, false);
    metrics::subgroup_options o;
    o.intervals = false;
    o.order = {"medium", "low", "absent", "high"};
    const metrics::binary_metric ap = [](std::span<const int> l, std::span<const double> sc) {
        return metrics::average_precision(l, sc);
    };
    const auto t = metrics::stratify("difficulty", s.strata, s.labels, s.scores, {}, ap, "ap", o);
    std::vector<std::string> values;
    for (const auto& r : t.rows) values.push_back(r.value);
    CHECK(values == std::vector<std::string>{"medium", "low", "high", "one_lesion", "rare", "unknown"});
    for (const auto& r : t.rows) {
        CHECK_FALSE(r.interval);
        if (r.too_small) continue;
        std::vector<int> l;
        std::vector<double> sc;
        for (std::size_t i = 0; i < s.labels.size(); ++i)
            if ((s.strata[i].empty() ? std::string("unknown") : s.strata[i]) == r.value) {
                l.push_back(s.labels[i]);
                sc.push_back(s.scores[i]);
            }
        CHECK(r.estimate == metrics::average_precision(l, sc));
    }
}

TEST_CASE("Subgroups: age bands (15 years by default, edges configurable) agree with the oracle", "[metrics][subgroups]") {
    CHECK(metrics::age_band("50.0", metrics::default_age_edges()) == "45-59");
    CHECK(metrics::age_band("15", metrics::default_age_edges()) == "15-29");
    CHECK(metrics::age_band("29.5", metrics::default_age_edges()) == "15-29");
    CHECK(metrics::age_band("0", metrics::default_age_edges()) == "0-14");
    CHECK(metrics::age_band("95", metrics::default_age_edges()) == "90+");
    CHECK(metrics::age_band("", metrics::default_age_edges()) == "unknown");
    CHECK(metrics::age_band(" Unknown ", metrics::default_age_edges()) == "unknown");
    CHECK(metrics::age_band_labels(metrics::default_age_edges()) ==
          std::vector<std::string>{"0-14", "15-29", "30-44", "45-59", "60-74", "75-89", "90+", "unknown"});
    const std::vector<double> edges{18, 40, 65};
    CHECK(metrics::age_band_labels(edges) == std::vector<std::string>{"<18", "18-39", "40-64", "65+", "unknown"});
    const auto s = make_set(300, 8, true);
    const auto bands = metrics::age_bands(s.ages), custom = metrics::age_bands(s.ages, edges);
    const std::vector<double> default_edges = metrics::default_age_edges();
    const auto answers = oracle({{{"labels", s.labels}, {"scores", s.scores}, {"strata", bands}, {"groups", s.groups},
                                  {"min_positives", 5}, {"min_negatives", 5}, {"ages", s.ages}, {"edges", default_edges}},
                                 {{"labels", s.labels}, {"scores", s.scores}, {"strata", custom}, {"groups", s.groups},
                                  {"min_positives", 5}, {"min_negatives", 5}, {"ages", s.ages}, {"edges", edges}}});
    CHECK(bands == answers[0]["bands"].get<std::vector<std::string>>());
    CHECK(custom == answers[1]["bands"].get<std::vector<std::string>>());
    // The AUC per band, and band order by age ("0-14" before "15-29"; "<18" first; unknown last).
    metrics::subgroup_options o;
    o.intervals = false;
    const auto t = metrics::stratify("age", custom, s.labels, s.scores, s.groups, {}, "auc", o);
    std::vector<std::string> values;
    for (const auto& r : t.rows) {
        values.push_back(r.value);
        check_row(r, answers[1]["strata"][r.value]);
    }
    CHECK(values == std::vector<std::string>{"<18", "18-39", "40-64", "65+", "unknown"});
    const auto t15 = metrics::stratify("age", bands, s.labels, s.scores, s.groups, {}, "auc", o);
    CHECK(t15.rows.front().value == "0-14");
    CHECK(t15.rows.back().value == "unknown");
    for (const auto& r : t15.rows) check_row(r, answers[0]["strata"][r.value]);
}

TEST_CASE("Subgroups: bad input", "[metrics][subgroups][bad_input]") {
    const std::vector<int> y{0, 1, 0, 1};
    const std::vector<double> sc{0.1, 0.9, 0.2, 0.8};
    const std::vector<std::string> st{"a", "a", "b", "b"}, three{"a", "a", "b"};
    CHECK_THROWS_AS(metrics::stratify("sex", three, y, sc), shape_error);
    CHECK_THROWS_WITH(metrics::stratify("sex", three, y, sc), Catch::Contains("'sex'") && Catch::Contains("3 stratum values for 4"));
    CHECK_THROWS_AS(metrics::stratify("sex", st, y, sc, three), shape_error);
    CHECK_THROWS_AS(metrics::stratify("sex", st, std::vector<int>{0, 2, 0, 1}, sc), config_error);
    CHECK_THROWS_AS(metrics::age_band("fifty", metrics::default_age_edges(), "row 3"), config_error);
    CHECK_THROWS_WITH(metrics::age_band("fifty", metrics::default_age_edges(), "row 3"),
                      Catch::Contains("row 3") && Catch::Contains("'fifty'"));
    CHECK_THROWS_AS(metrics::age_band("-4", metrics::default_age_edges()), config_error);
    CHECK_THROWS_AS(metrics::age_bands(st, std::vector<double>{30, 15}), config_error);
    CHECK_THROWS_AS(metrics::age_bands(st, std::vector<double>{}), config_error);
    // Every stratum too small: counts, no numbers, no exception.
    const auto t = metrics::stratify("sex", st, y, sc);
    for (const auto& r : t.rows) CHECK(r.too_small);
    CHECK(t.all.too_small);
}
