// The liblinear wrapper against scikit-learn's LinearSVC (same solver and loss) on the same data
// and C, and its bad-input errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/svm/liblinear_problem.hpp"  // svm::liblinear_problem (linear_svm.hpp only declares it)
#include "dermtl/svm/linear_svm.hpp"
#include "support/oracle.hpp"
#include "synthetic_features.hpp"

using namespace dermtl;
using nlohmann::json;


TEST_CASE("decision values agree with sklearn LinearSVC (squared hinge, dual, balanced)", "[svm][oracle]") {
    rng g(42);
    testing::scratch_dir dir("svm");
    struct config {
        int n, d, k;
        double separation, c;
    };
    std::vector<config> configs;
    for (double c : {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0})
        for (int k : {2, 3}) configs.push_back({60 + static_cast<int>(g.below(60)), 5 + static_cast<int>(g.below(30)), k, 0.7, c});
    configs.push_back({12, 3, 2, 0.5, 1.0});    // tiny
    configs.push_back({9, 40, 3, 1.0, 10.0});   // more features than cases
    configs.push_back({80, 10, 2, 3.0, 1e3});   // separable
    constexpr double tolerance = 1e-10;
    json cases = json::array();
    std::vector<testing::labelled_features> data;
    for (const auto& cf : configs) {
        data.push_back(testing::make_features(g, cf.n, cf.d, cf.k, cf.separation));
        cases.push_back({{"X", testing::to_json(data.back().x)}, {"y", data.back().y}, {"n_classes", cf.k}, {"C", cf.c},
                         {"tol", tolerance}});
    }
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("sklearn_linear_svc.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    double worst = 0;
    int polished = 0;
    svm::train_options opt;
    opt.tolerance = tolerance;
    for (std::size_t c = 0; c < configs.size(); ++c) {
        INFO("case " << c << ": n " << configs[c].n << ", d " << configs[c].d << ", classes " << configs[c].k
                     << ", C " << configs[c].c);
        const auto model = svm::linear_svm::fit(data[c].x, data[c].y, configs[c].k, configs[c].c, opt);
        const auto dv = model.decision_values(data[c].x);
        const auto& want = answers[c]["decision"];
        REQUIRE(static_cast<std::size_t>(dv.rows()) == want.size());
        REQUIRE(static_cast<std::size_t>(dv.cols()) == want[0].size());
        double scale = 0, diff = 0;
        for (Eigen::Index i = 0; i < dv.rows(); ++i)
            for (Eigen::Index j = 0; j < dv.cols(); ++j) {
                const double w = want[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<double>();
                scale = std::max(scale, std::abs(w));
                diff = std::max(diff, std::abs(dv(i, j) - w));
            }
        const double rel = diff / std::max(1.0, scale);
        worst = std::max(worst, rel);
        CHECK(rel <= 1e-6);
        polished += model.primal_polished();
    }
    CHECK(polished > 0);  // the large-C fits exercised the primal finish
    WARN("linear_svm vs LinearSVC: " << configs.size() << " fits, worst max|diff| / max(1, max|f|) = " << worst
                                      << "; binary problems finished by the primal solver: " << polished);
}

TEST_CASE("l2_normalize_rows gives unit rows and keeps zero rows", "[svm]") {
    svm::feature_matrix x(3, 2);
    x << 3, 4, 0, 0, -1, 0;
    svm::l2_normalize_rows(x);
    CHECK(x(0, 0) == Approx(0.6f));
    CHECK(x(0, 1) == Approx(0.8f));
    CHECK(x(1, 0) == 0.0f);
    CHECK(x(2, 0) == -1.0f);
    x(1, 1) = NAN;
    CHECK_THROWS_AS(svm::l2_normalize_rows(x), numeric_error);
}

TEST_CASE("linear_svm rejects bad input with clear errors", "[svm][bad_input]") {
    using Catch::Matchers::Contains;
    rng g(3);
    auto ds = testing::make_features(g, 20, 4, 2, 1.0);
    const std::vector<int> one_class(20, 0);
    CHECK_THROWS_AS(svm::linear_svm::fit(ds.x, one_class, 2, 1.0), config_error);
    CHECK_THROWS_WITH(svm::linear_svm::fit(ds.x, one_class, 2, 1.0), Contains("single class"));
    std::vector<int> short_labels(ds.y.begin(), ds.y.end() - 1);
    CHECK_THROWS_AS(svm::linear_svm::fit(ds.x, short_labels, 2, 1.0), shape_error);
    CHECK_THROWS_WITH(svm::linear_svm::fit(ds.x, short_labels, 2, 1.0), Contains("19 labels") && Contains("20 rows"));
    auto bad = ds.x;
    bad(7, 2) = NAN;
    CHECK_THROWS_WITH(svm::linear_svm::fit(bad, ds.y, 2, 1.0), Contains("row 7, column 2"));
    CHECK_THROWS_AS(svm::linear_svm::fit(bad, ds.y, 2, 1.0), numeric_error);
    CHECK_THROWS_AS(svm::linear_svm::fit(svm::feature_matrix(0, 4), std::vector<int>{}, 2, 1.0), config_error);
    CHECK_THROWS_AS(svm::linear_svm::fit(ds.x, ds.y, 2, 0.0), config_error);
    CHECK_THROWS_AS(svm::linear_svm::fit(ds.x, ds.y, 3, 1.0), config_error);  // no case of class 2
    const std::vector<std::size_t> rows{0, 1, 2, 3};
    svm::liblinear_problem problem(ds.x, rows, 1.0);
    CHECK_THROWS_AS(svm::linear_svm::fit(problem, ds.y, 2, 1.0), shape_error);
    const auto model = svm::linear_svm::fit(ds.x, ds.y, 2, 1.0);
    CHECK_THROWS_AS(model.decision_values(svm::feature_matrix::Zero(2, 5)), shape_error);
    CHECK_THROWS_AS(model.decision_values(bad), numeric_error);
}

TEST_CASE("linear_svm fits are reproducible", "[svm]") {
    rng g(11);
    auto ds = testing::make_features(g, 50, 6, 2, 0.5);
    const auto a = svm::linear_svm::fit(ds.x, ds.y, 2, 10.0);
    std::rand();  // liblinear's rand() state is reset per fit
    const auto b = svm::linear_svm::fit(ds.x, ds.y, 2, 10.0);
    CHECK(a.weights() == b.weights());
    CHECK(a.intercepts() == b.intercepts());
}
