// Cross-validation statistics on constructed folds with known answers.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "dermtl/metrics/cross_validation.hpp"

using namespace dermtl;

namespace {

metrics::fold_predictions binary_fold(std::vector<int> y, std::vector<double> s, std::vector<int> strata = {}) {
    metrics::fold_predictions f;
    f.labels = std::move(y);
    f.scores = Eigen::Map<const Eigen::VectorXd>(s.data(), static_cast<Eigen::Index>(s.size()));
    f.strata = std::move(strata);
    return f;
}

}  // namespace

TEST_CASE("per-fold AUC, mean and sample standard deviation", "[metrics][cv]") {
    std::vector<metrics::fold_predictions> folds;
    folds.push_back(binary_fold({1, 0, 1, 0}, {0.9, 0.4, 0.4, 0.1}));  // 0.875
    folds.push_back(binary_fold({1, 0}, {0.9, 0.1}));                  // 1
    folds.push_back(binary_fold({1, 0}, {0.1, 0.9}));                  // 0
    const auto s = metrics::cross_validated_auc(folds);
    REQUIRE(s.per_fold == std::vector<double>{0.875, 1.0, 0.0});
    CHECK(s.mean == Approx(1.875 / 3).epsilon(1e-15));
    const double m = 1.875 / 3;
    const double sd = std::sqrt(((0.875 - m) * (0.875 - m) + (1 - m) * (1 - m) + m * m) / 2);
    CHECK(s.std_dev == Approx(sd).epsilon(1e-15));
    CHECK(metrics::summarize_folds(std::vector<double>{0.8}).std_dev == 0);
}

TEST_CASE("three-class folds use the mean one-vs-one AUC", "[metrics][cv]") {
    metrics::fold_predictions f;
    f.labels = {0, 1, 2};
    f.scores = Eigen::Matrix3d::Identity();  // perfect
    CHECK(metrics::fold_auc(f) == 1.0);
    f.scores = Eigen::Matrix3d::Zero();  // all tied: every pairwise AUC is 1/2
    CHECK(metrics::fold_auc(f) == 0.5);
}

TEST_CASE("AUC by difficulty stratum with the stratum's share (Table 4)", "[metrics][cv]") {
    // Stratum 0 (low): perfectly separated in both folds. Stratum 1 (medium): reversed in fold 1,
    // separated in fold 2. Stratum 2 (high): only benign cases in fold 2 -> undefined there.
    std::vector<metrics::fold_predictions> folds;
    folds.push_back(binary_fold({1, 0, 1, 0, 1, 0}, {0.9, 0.1, 0.2, 0.8, 0.6, 0.7}, {0, 0, 1, 1, 2, 2}));
    folds.push_back(binary_fold({1, 0, 1, 0, 0, 0}, {0.9, 0.1, 0.8, 0.2, 0.3, 0.4}, {0, 0, 1, 1, 2, 2}));
    const auto r = metrics::auc_by_stratum(folds, {"low", "medium", "high"});
    REQUIRE(r.size() == 3);
    CHECK(r[0].name == "low");
    CHECK(r[0].auc.per_fold == std::vector<double>{1.0, 1.0});
    CHECK(r[0].share == Approx(4.0 / 12));
    CHECK(r[1].auc.per_fold == std::vector<double>{0.0, 1.0});
    CHECK(r[1].auc.mean == 0.5);
    CHECK(r[2].auc.per_fold == std::vector<double>{0.0});
    CHECK(r[2].undefined_folds == std::vector<std::size_t>{2});
    CHECK(r[2].n_cases == 4);
    // A stratum undefined in every fold is an error, not a silent 0.5.
    folds[0].labels[5] = 1;
    folds[0].labels[4] = 1;
    CHECK_THROWS_AS(metrics::auc_by_stratum(folds, {"low", "medium", "high"}), config_error);
    // Missing strata.
    folds[0].strata.pop_back();
    CHECK_THROWS_AS(metrics::auc_by_stratum(folds), shape_error);
}
