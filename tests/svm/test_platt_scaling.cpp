// Platt scaling: a constructed case with a known answer and sklearn's sigmoid calibration.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/svm/platt_scaling.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

TEST_CASE("Platt scaling on a symmetric case with a known answer", "[svm][platt]") {
    // Targets 2/3 and 1/3 at f = +1 and -1: p(+1) = 2/3, p(-1) = 1/3, so a = -ln 2, b = 0.
    const auto s = svm::fit_platt(std::vector<double>{-1.0, 1.0}, std::vector<int>{0, 1});
    CHECK(s.a == Approx(-std::log(2.0)).epsilon(1e-10));
    CHECK(std::abs(s.b) < 1e-10);
    CHECK(s.probability(1.0) == Approx(2.0 / 3).epsilon(1e-10));
    // Monotone and within [0, 1], even far out.
    CHECK(s.probability(-1e6) == 0.0);
    CHECK(s.probability(1e6) == 1.0);
    CHECK(s.probability(0.3) > s.probability(0.2));
}

TEST_CASE("Platt scaling matches sklearn's sigmoid calibration", "[svm][platt][oracle]") {
    using nlohmann::json;
    rng g(77);
    testing::scratch_dir dir("platt");
    json cases = json::array();
    std::vector<std::pair<std::vector<double>, std::vector<int>>> inputs;
    for (int c = 0; c < 60; ++c) {
        const std::size_t n = c % 5 == 0 ? 3 + g.below(6) : 20 + g.below(300);
        const double shift = 0.2 + 2.0 * g.uniform_double(), scale = 0.1 + 3 * g.uniform_double();
        std::vector<double> f(n);
        std::vector<int> y(n);
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = i < 2 ? static_cast<int>(i) : (g.uniform_double() < 0.3 ? 1 : 0);
            f[i] = scale * (g.normal() + (y[i] ? shift : -shift));
            if (c % 7 == 3) f[i] = y[i] ? 1.0 + g.uniform_double() : -1.0 - g.uniform_double();  // separable
        }
        cases.push_back({{"f", f}, {"y", y}});
        inputs.emplace_back(std::move(f), std::move(y));
    }
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("sklearn_platt.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    double worst_tight = 0, worst_sklearn = 0;
    for (std::size_t c = 0; c < inputs.size(); ++c) {
        INFO("case " << c << ", n = " << inputs[c].first.size());
        const auto s = svm::fit_platt(inputs[c].first, inputs[c].second);
        const auto& a = answers[c];
        // Probabilities on the case's own decision values: the quantity the ISIC rule thresholds.
        svm::platt_scaling tight{a["tight_a"].get<double>(), a["tight_b"].get<double>()};
        svm::platt_scaling sk{a["a"].get<double>(), a["b"].get<double>()};
        for (double f : inputs[c].first) {
            worst_tight = std::max(worst_tight, std::abs(s.probability(f) - tight.probability(f)));
            worst_sklearn = std::max(worst_sklearn, std::abs(s.probability(f) - sk.probability(f)));
        }
        REQUIRE(s.a == Approx(tight.a).epsilon(1e-8).margin(1e-10));
        REQUIRE(s.b == Approx(tight.b).epsilon(1e-8).margin(1e-10));
    }
    CHECK(worst_tight < 1e-10);
    CHECK(worst_sklearn < 1e-4);
    WARN("Platt: 60 cases, worst |p - p_scipy_tight| = " << worst_tight << ", worst |p - p_sklearn| = " << worst_sklearn);
}

TEST_CASE("Platt scaling rejects bad input", "[svm][platt][bad_input]") {
    CHECK_THROWS_AS(svm::fit_platt(std::vector<double>{0.1, 0.2}, std::vector<int>{1, 1}), config_error);
    CHECK_THROWS_AS(svm::fit_platt(std::vector<double>{0.1}, std::vector<int>{0, 1}), shape_error);
    CHECK_THROWS_AS(svm::fit_platt(std::vector<double>{0.1, NAN}, std::vector<int>{0, 1}), numeric_error);
}
