// 5x2cv paired t-test and combined F-test: constructed cases with known answers, and the
// statistics and p-values against numpy/scipy.stats on random cases (one oracle call).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/data/partitions.hpp"
#include "dermtl/data/reference_runs.hpp"
#include "dermtl/metrics/significance.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

TEST_CASE("5x2cv tests on a constructed case with known statistics", "[metrics][significance]") {
    // Every replication: differences 0.03 and 0.01, so s_i^2 = 2e-4, t = 0.03 / sqrt(2e-4) = 3/sqrt(2)
    // and F = 5 * (0.03^2 + 0.01^2) / (2 * 5 * 2e-4) = 2.5.
    const std::vector<double> a{0.03, 0.01, 0.03, 0.01, 0.03, 0.01, 0.03, 0.01, 0.03, 0.01};
    const std::vector<double> zero(10, 0.0);
    const auto t = metrics::paired_t_test_5x2cv(a, zero);
    CHECK(t.statistic == Approx(3 / std::sqrt(2.0)).epsilon(1e-13));
    CHECK(t.df1 == 5);
    const auto f = metrics::combined_f_test_5x2cv(a, zero);
    CHECK(f.statistic == Approx(2.5).epsilon(1e-13));
    CHECK(f.df1 == 10);
    CHECK(f.df2 == 5);
    // Swapping the schemes flips t, keeps both p-values and F.
    const auto t_swapped = metrics::paired_t_test_5x2cv(zero, a);
    CHECK(t_swapped.statistic == Approx(-t.statistic).epsilon(1e-13));
    CHECK(t_swapped.p_value == Approx(t.p_value).epsilon(1e-13));
    CHECK(metrics::combined_f_test_5x2cv(zero, a).statistic == Approx(f.statistic).epsilon(1e-13));
}

TEST_CASE("5x2cv p-values at tabulated critical values", "[metrics][significance]") {
    // t(5): two-sided 5% critical value 2.570582; F(10, 5): upper 5% critical value 4.735063.
    // Build differences whose statistic equals the critical value: replication i has (x, x - 2d).
    const double d = 0.01, s2 = 2 * d * d;
    const double t_crit = 2.5705818366147395;
    std::vector<double> a(10), zero(10, 0.0);
    for (int r = 0; r < 5; ++r) {
        a[2 * r] = t_crit * std::sqrt(s2);
        a[2 * r + 1] = a[2 * r] - 2 * d;
    }
    CHECK(metrics::paired_t_test_5x2cv(a, zero).p_value == Approx(0.05).margin(1e-9));
    // F for differences (x, x - 2d) in every replication: 5 (x^2 + (x - 2d)^2) / (2 * 5 * 2 d^2).
    // Choose x so that F = 4.735063: x^2 + (x-2d)^2 = 4 d^2 F  ->  2x^2 - 4dx + 4d^2 (1 - F) = 0.
    const double f_crit = 4.7350631455725;
    const double x = (4 * d + std::sqrt(16 * d * d - 32 * d * d * (1 - f_crit))) / 4;
    for (int r = 0; r < 5; ++r) {
        a[2 * r] = x;
        a[2 * r + 1] = x - 2 * d;
    }
    const auto f = metrics::combined_f_test_5x2cv(a, zero);
    CHECK(f.statistic == Approx(f_crit).epsilon(1e-12));
    CHECK(f.p_value == Approx(0.05).margin(1e-7));
    // Identical schemes in one replication only still give a defined statistic; in all, an error.
    CHECK_THROWS_AS(metrics::paired_t_test_5x2cv(zero, zero), numeric_error);
    CHECK_THROWS_AS(metrics::combined_f_test_5x2cv(std::vector<double>(10, 0.8), std::vector<double>(10, 0.7)),
                    numeric_error);
    CHECK_THROWS_AS(metrics::paired_t_test_5x2cv(std::vector<double>(9, 0.8), std::vector<double>(9, 0.7)),
                    shape_error);
    std::vector<double> nan_fold(a);
    nan_fold[3] = std::nan("");
    CHECK_THROWS_AS(metrics::paired_t_test_5x2cv(nan_fold, zero), numeric_error);
}

namespace {
// A toy dataset of n samples, two classes.
data::dataset toy(int n) {
    data::dataset d;
    d.name = "toy";
    d.class_names = {"benign", "malignant"};
    for (int i = 0; i < n; ++i) {
        data::sample s;
        s.id = "s" + std::to_string(i);
        s.label = i % 2;
        d.samples.push_back(s);
    }
    return d;
}
std::vector<std::vector<std::string>> test_ids(const data::fold_set& folds, const data::dataset& d) {
    std::vector<std::vector<std::string>> out;
    for (const auto& f : folds) {
        out.emplace_back();
        for (auto i : f.test) out.back().push_back(d[i].id);
    }
    return out;
}
const std::vector<double> sample_a{0.81, 0.79, 0.84, 0.80, 0.78, 0.83, 0.82, 0.80, 0.85, 0.79};
const std::vector<double> sample_b{0.78, 0.78, 0.80, 0.79, 0.77, 0.80, 0.80, 0.76, 0.81, 0.79};
}  // namespace

TEST_CASE("5x2cv tests refuse the reference's runs ixj, or compute them flagged", "[metrics][significance][design]") {
    const auto fixtures = testing::tests_dir() / "data" / "fixtures";
    const auto d = data::read_label_csv(fixtures / "protocol1.csv");
    const auto runs = data::read_fold_yaml(fixtures / "protocol1.yml", d, data::fold_mapping::reference_runs);
    // From the test ids alone (what stored fold results keep), in run order 1x1, 1x2, ..., 5x2.
    std::vector<std::string> names;
    for (const auto& r : runs) names.push_back(r.name);
    const auto design = metrics::check_five_by_two_design(test_ids(runs, d), {}, names);
    REQUIRE_FALSE(design.valid());
    CHECK_THAT(design.reason(), Catch::Contains("replication 2 (2x1, 2x2) repeats the partition of replication 1 (1x1, "
                                                "1x2) (2x1 tests on 1x2's test ids, 2x2 on 1x1's)") &&
                                    Catch::Contains("replication 4 (4x1, 4x2) repeats the partition of replication 3"));
    CHECK(design.problems.size() == 2);  // halves complementary, one id set: only the two repeats
    CHECK_THROWS_AS(metrics::paired_t_test_5x2cv(sample_a, sample_b, design), config_error);
    CHECK_THROWS_WITH(metrics::paired_t_test_5x2cv(sample_a, sample_b, design),
                      Catch::Contains("paired_t_test_5x2cv") && Catch::Contains("5 independent replications") &&
                          Catch::Contains("replication 2 (2x1, 2x2) repeats") && Catch::Contains("compute_and_flag"));
    CHECK_THROWS_WITH(metrics::combined_f_test_5x2cv(sample_a, sample_b, design),
                      Catch::Contains("combined_f_test_5x2cv") && Catch::Contains("replication 4 (4x1, 4x2) repeats"));
    // Asked to compute anyway: the same numbers, flagged.
    const auto plain_t = metrics::paired_t_test_5x2cv(sample_a, sample_b);
    const auto t = metrics::paired_t_test_5x2cv(sample_a, sample_b, design, metrics::dependent_folds::compute_and_flag);
    CHECK(t.statistic == plain_t.statistic);
    CHECK(t.p_value == plain_t.p_value);
    CHECK_FALSE(t.replications_independent);
    CHECK_THAT(t.caveat, Catch::Contains("not 5 independent replications") && Catch::Contains("replication 2 (2x1, 2x2)"));
    const auto f = metrics::combined_f_test_5x2cv(sample_a, sample_b, design, metrics::dependent_folds::compute_and_flag);
    CHECK(f.statistic == metrics::combined_f_test_5x2cv(sample_a, sample_b).statistic);
    CHECK_FALSE(f.replications_independent);
    CHECK_FALSE(f.caveat.empty());
    // The file's own folds, as written, are a valid 5x2 design (train ids too).
    CHECK(data::five_by_two_design_of(data::read_fold_yaml(fixtures / "protocol1.yml", d), &d).valid());
}

TEST_CASE("5x2cv tests refuse a repeated partition and a wrong fold count; valid 5x2 folds unchanged",
          "[metrics][significance][design]") {
    const auto d = toy(60);
    const auto folds = data::make_5x2_folds(d, 7, 5);
    const auto valid = metrics::check_five_by_two_design(test_ids(folds, d));
    REQUIRE(valid.valid());
    CHECK(valid.reason().empty());
    const auto plain = metrics::paired_t_test_5x2cv(sample_a, sample_b);
    const auto checked = metrics::paired_t_test_5x2cv(sample_a, sample_b, valid);
    CHECK(checked.statistic == plain.statistic);
    CHECK(checked.p_value == plain.p_value);
    CHECK(checked.replications_independent);
    CHECK(checked.caveat.empty());
    CHECK(metrics::combined_f_test_5x2cv(sample_a, sample_b, valid).p_value ==
          metrics::combined_f_test_5x2cv(sample_a, sample_b).p_value);

    // Replication 5 is replication 1 again, halves swapped.
    auto repeated = folds;
    repeated[8] = folds[1];
    repeated[9] = folds[0];
    std::vector<std::vector<std::string>> train;
    for (const auto& f : repeated) {
        train.emplace_back();
        for (auto i : f.train) train.back().push_back(d[i].id);
    }
    const auto r = metrics::check_five_by_two_design(test_ids(repeated, d), train);
    REQUIRE_FALSE(r.valid());
    CHECK(r.problems.size() == 1);
    CHECK_THAT(r.reason(), Catch::Contains("replication 5 (fold 9, fold 10) repeats the partition of replication 1 "
                                           "(fold 1, fold 2) (fold 9 tests on fold 2's test ids, fold 10 on fold 1's)"));
    CHECK_THROWS_AS(metrics::combined_f_test_5x2cv(sample_a, sample_b, r), config_error);
    // Nine folds: not a 5x2 design at all.
    auto nine = test_ids(folds, d);
    nine.pop_back();
    CHECK_THAT(metrics::check_five_by_two_design(nine).reason(), Catch::Contains("expected 10 folds") &&
                                                                     Catch::Contains("found 9"));
}

TEST_CASE("5x2cv statistics and p-values match scipy.stats", "[metrics][significance][oracle]") {
    using nlohmann::json;
    rng g(5);
    testing::scratch_dir dir("significance");
    json cases = json::array();
    std::vector<std::pair<std::vector<double>, std::vector<double>>> inputs;
    for (int c = 0; c < 300; ++c) {
        std::vector<double> a(10), b(10);
        const double effect = (c % 3) * 0.02 * g.normal();
        const double noise = c % 10 == 0 ? 1e-4 : 0.03;  // tiny variance: huge statistics, tiny p
        for (int i = 0; i < 10; ++i) {
            b[i] = 0.7 + 0.05 * g.normal();
            a[i] = b[i] + effect + noise * g.normal();
        }
        cases.push_back({{"a", a}, {"b", b}});
        inputs.emplace_back(a, b);
    }
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("scipy_significance.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    REQUIRE(answers.size() == inputs.size());
    // The F-test given a valid design: the numbers of the unchecked test.
    const auto d = toy(40);
    const auto valid_design = metrics::check_five_by_two_design(test_ids(data::make_5x2_folds(d, 1, 5), d));
    REQUIRE(valid_design.valid());
    double worst_p = 0;
    for (std::size_t c = 0; c < inputs.size(); ++c) {
        INFO("case " << c);
        const auto t = metrics::paired_t_test_5x2cv(inputs[c].first, inputs[c].second);
        const auto f = metrics::combined_f_test_5x2cv(inputs[c].first, inputs[c].second, valid_design);
        REQUIRE(f.replications_independent);
        REQUIRE(t.statistic == Approx(answers[c]["t"].get<double>()).epsilon(1e-12));
        REQUIRE(f.statistic == Approx(answers[c]["f"].get<double>()).epsilon(1e-12));
        // p-values: Boost.Math vs SciPy (Cephes/Boost), relative 1e-10 or absolute 1e-15.
        const double tp = answers[c]["t_p"].get<double>(), fp = answers[c]["f_p"].get<double>();
        REQUIRE(std::abs(t.p_value - tp) <= std::max(1e-15, 1e-10 * tp));
        REQUIRE(std::abs(f.p_value - fp) <= std::max(1e-15, 1e-10 * fp));
        worst_p = std::max({worst_p, std::abs(t.p_value - tp), std::abs(f.p_value - fp)});
    }
    WARN("5x2cv: 300 cases, worst absolute p-value difference " << worst_p);
}
