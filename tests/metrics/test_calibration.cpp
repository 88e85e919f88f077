// Calibration (metrics/calibration.hpp): a reliability diagram worked by hand, and the Brier
// score, bins, counts and ECE against scikit-learn's brier_score_loss and calibration_curve
// (tests/oracles/sklearn_calibration.py, which counts the bins beside calibration_curve).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/calibration.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

TEST_CASE("Reliability diagram worked by hand", "[metrics][calibration]") {
    // Equal-width bins of 0.25: (0, 0.25] holds 0.1, 0.2 (labels 0, 1); (0.25, 0.5] holds 0.5
    // (an edge belongs to the bin below it) with label 0; (0.5, 0.75] is empty; (0.75, 1] holds
    // 0.8, 0.9 (1, 1). ECE = 2/5 |0.5 - 0.15| + 1/5 |0 - 0.5| + 2/5 |1 - 0.85| = 0.14 + 0.1 + 0.06.
    const std::vector<int> y{0, 1, 0, 1, 1};
    const std::vector<double> p{0.1, 0.2, 0.5, 0.8, 0.9};
    const auto d = metrics::reliability(y, p, metrics::calibration_bins::equal_width, 4);
    REQUIRE(d.bins.size() == 4);
    CHECK(d.bins[0].count == 2);
    CHECK(d.bins[0].mean_predicted == Approx(0.15).epsilon(1e-14));
    CHECK(d.bins[0].observed_frequency == 0.5);
    CHECK(d.bins[1].count == 1);
    CHECK(d.bins[1].upper == 0.5);
    CHECK(d.bins[2].count == 0);
    CHECK(std::isnan(d.bins[2].mean_predicted));
    CHECK(d.bins[3].count == 2);
    CHECK(d.expected_calibration_error == Approx(0.3).epsilon(1e-14));
    CHECK(d.maximum_calibration_error == Approx(0.5).epsilon(1e-14));
    CHECK(metrics::expected_calibration_error(y, p, metrics::calibration_bins::equal_width, 4) ==
          d.expected_calibration_error);
    // Brier: (0.01 + 0.64 + 0.25 + 0.04 + 0.01) / 5.
    CHECK(metrics::brier_score(y, p) == Approx(0.19).epsilon(1e-14));
    CHECK_THAT(metrics::to_csv(d),
               Catch::StartsWith("lower,upper,count,mean_predicted,observed_frequency\n0,0.25,2,") &&
                   Catch::Contains("\n0.5,0.75,0,,\n"));
    // Perfect calibration in every bin: ECE 0.
    CHECK(metrics::expected_calibration_error(std::vector<int>{0, 1, 0, 1}, std::vector<double>{0.5, 0.5, 0.5, 0.5}) ==
          0.0);
}

TEST_CASE("Calibration matches scikit-learn's calibration_curve and brier_score_loss",
          "[metrics][calibration][oracle]") {
    using nlohmann::json;
    rng g(31);
    struct input {
        std::vector<int> labels;
        std::vector<double> p, w;
        std::size_t bins;
    };
    std::vector<input> inputs;
    for (int c = 0; c < 24; ++c) {
        input in;
        const int n = 10 + static_cast<int>(g.below(300));
        in.bins = std::vector<std::size_t>{5, 10, 15, 3}[static_cast<std::size_t>(c % 4)];
        for (int i = 0; i < n; ++i) {
            double p = g.uniform_double();
            if (c % 3 == 1) p = std::round(p * 10) / 10;  // values on the equal-width edges, many ties
            if (c % 3 == 2) p = p * p * p;                  // crowded near 0: empty equal-width bins
            if (c == 5 && i < n / 2) p = 0.3;               // a tie spanning several equal-mass edges
            in.p.push_back(p);
            in.labels.push_back(g.uniform_double() < std::min(1.0, p * 1.2) ? 1 : 0);
            in.w.push_back(0.5 + g.uniform_double());
        }
        in.p.front() = 0.0;
        in.p.back() = 1.0;
        inputs.push_back(in);
    }
    json cases = json::array();
    for (const auto& in : inputs)
        cases.push_back({{"labels", in.labels}, {"probabilities", in.p}, {"weights", in.w}, {"n_bins", in.bins}});
    testing::scratch_dir dir("calibration");
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("sklearn_calibration.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    REQUIRE(answers.size() == inputs.size());
    bool saw_empty_bin = false;
    for (std::size_t c = 0; c < inputs.size(); ++c) {
        const auto& in = inputs[c];
        const auto& a = answers[c];
        INFO("case " << c << " (" << in.p.size() << " cases, " << in.bins << " bins)");
        CHECK(metrics::brier_score(in.labels, in.p) == Approx(a["brier"].get<double>()).epsilon(0).margin(1e-14));
        CHECK(metrics::brier_score(in.labels, in.p, in.w) ==
              Approx(a["brier_weighted"].get<double>()).epsilon(0).margin(1e-14));
        for (const auto& [strategy, binning] : {std::pair{"uniform", metrics::calibration_bins::equal_width},
                                                std::pair{"quantile", metrics::calibration_bins::equal_mass}}) {
            INFO(strategy);
            const auto& o = a[strategy];
            const auto d = metrics::reliability(in.labels, in.p, binning, in.bins);
            REQUIRE(d.bins.size() == in.bins);
            for (std::size_t k = 0; k < in.bins; ++k) {
                CHECK(d.bins[k].lower == o["edges"][k].get<double>());
                CHECK(d.bins[k].upper == o["edges"][k + 1].get<double>());
                CHECK(d.bins[k].count == o["counts"][k].get<std::size_t>());
            }
            std::size_t j = 0;  // calibration_curve's arrays skip the empty bins
            for (const auto& b : d.bins) {
                if (b.count == 0) {
                    saw_empty_bin = true;
                    continue;
                }
                REQUIRE(j < o["prob_true"].size());
                CHECK(b.observed_frequency == Approx(o["prob_true"][j].get<double>()).epsilon(0).margin(1e-14));
                CHECK(b.mean_predicted == Approx(o["prob_pred"][j].get<double>()).epsilon(0).margin(1e-14));
                ++j;
            }
            CHECK(j == o["prob_true"].size());
            CHECK(d.expected_calibration_error == Approx(o["ece"].get<double>()).epsilon(0).margin(1e-13));
            CHECK(d.maximum_calibration_error == Approx(o["mce"].get<double>()).epsilon(0).margin(1e-14));
        }
    }
    CHECK(saw_empty_bin);
}

TEST_CASE("Calibration refuses bad input", "[metrics][calibration][bad_input]") {
    const std::vector<int> y{0, 1, 1};
    CHECK_THROWS_WITH(metrics::brier_score(y, std::vector<double>{0.2, 1.5, 0.3}),
                      Catch::Contains("expected probabilities in [0, 1], found 1.5") && Catch::Contains("index 1") &&
                          Catch::Contains("Platt"));
    CHECK_THROWS_AS(metrics::reliability(y, std::vector<double>{0.2, std::nan(""), 0.3}), numeric_error);
    CHECK_THROWS_AS(metrics::reliability(y, std::vector<double>{0.2, 0.3}), shape_error);
    CHECK_THROWS_AS(metrics::reliability(std::vector<int>{0, 2, 1}, std::vector<double>{0.2, 0.3, 0.4}), config_error);
    CHECK_THROWS_WITH(metrics::reliability(y, std::vector<double>{0.2, 0.3, 0.4},
                                           metrics::calibration_bins::equal_mass, 0),
                      Catch::Contains("at least 1 bin"));
    CHECK_THROWS_WITH(metrics::brier_score(y, std::vector<double>{0.2, 0.3, 0.4}, std::vector<double>{1, -1, 1}),
                      Catch::Contains("non-negative weights"));
    CHECK_THROWS_WITH(metrics::bootstrap_calibration_error(y, std::vector<double>{0.2, 0.3, 1.4}),
                      Catch::Contains("probabilities in [0, 1]"));
}
