// Bad input gives a clear dermtl error (never a silent AUC of 0.5).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"

using namespace dermtl;
using Catch::Matchers::Contains;

TEST_CASE("single-class labels are an error for every metric", "[metrics][bad_input]") {
    const std::vector<int> benign{0, 0, 0};
    const std::vector<double> s{0.1, 0.5, 0.9};
    CHECK_THROWS_WITH(metrics::roc_auc(benign, s), Contains("roc_curve") && Contains("single class"));
    CHECK_THROWS_AS(metrics::roc_auc(benign, s), config_error);
    CHECK_THROWS_AS(metrics::roc_curve(std::vector<int>{1, 1}, std::vector<double>{0.1, 0.2}), config_error);
    CHECK_THROWS_AS(metrics::average_precision(benign, s), config_error);
    CHECK_THROWS_AS(metrics::isic_2016_scores(benign, s), config_error);
    CHECK_THROWS_AS(metrics::specificity_at_sensitivity(benign, s, 0.95), config_error);
    CHECK_THROWS_WITH(metrics::roc_auc(std::vector<int>{0, 2}, std::vector<double>{0.1, 0.2}),
                      Contains("expected binary labels 0/1, found 2"));
    metrics::score_matrix m = metrics::score_matrix::Zero(3, 3);
    CHECK_THROWS_WITH(metrics::one_vs_one_auc(std::vector<int>{0, 1, 1}, m), Contains("none of class 2"));
}

TEST_CASE("scores not matching labels are an error", "[metrics][bad_input]") {
    CHECK_THROWS_WITH(metrics::roc_auc(std::vector<int>{0, 1, 1}, std::vector<double>{0.1, 0.2}),
                      Contains("3 labels") && Contains("found 2"));
    CHECK_THROWS_AS(metrics::average_precision(std::vector<int>{0, 1}, std::vector<double>{0.1, 0.2, 0.3}),
                    shape_error);
    CHECK_THROWS_AS(metrics::one_vs_one_auc(std::vector<int>{0, 1, 2}, metrics::score_matrix::Zero(2, 3)),
                    shape_error);
}

TEST_CASE("NaN scores are an error", "[metrics][bad_input]") {
    const std::vector<int> y{0, 1, 1};
    const std::vector<double> s{0.1, std::nan(""), 0.3};
    CHECK_THROWS_AS(metrics::roc_auc(y, s), numeric_error);
    CHECK_THROWS_WITH(metrics::average_precision(y, s), Contains("index 1"));
    metrics::score_matrix m = metrics::score_matrix::Identity(3, 3);
    m(2, 1) = INFINITY;
    CHECK_THROWS_AS(metrics::one_vs_one_auc(std::vector<int>{0, 1, 2}, m), numeric_error);
    CHECK_THROWS_AS(metrics::isic_binarize(s), numeric_error);
}

TEST_CASE("empty input and empty folds are an error", "[metrics][bad_input]") {
    CHECK_THROWS_WITH(metrics::roc_auc(std::vector<int>{}, std::vector<double>{}), Contains("empty"));
    std::vector<metrics::fold_predictions> folds(2);
    folds[0].labels = {0, 1};
    folds[0].scores = metrics::score_matrix(2, 1);
    folds[0].scores << 0.2, 0.7;
    CHECK_THROWS_WITH(metrics::cross_validated_auc(folds), Contains("fold 2") && Contains("empty"));
    CHECK_THROWS_AS(metrics::cross_validated_auc(std::vector<metrics::fold_predictions>{}), config_error);
    folds[1] = folds[0];
    folds[1].labels = {1, 1};
    CHECK_THROWS_WITH(metrics::cross_validated_auc(folds), Contains("fold 2") && Contains("single class"));
}

TEST_CASE("ISIC thresholded metrics require confidences in [0, 1]", "[metrics][bad_input]") {
    CHECK_THROWS_WITH(metrics::isic_threshold_metrics(std::vector<int>{0, 1}, std::vector<double>{-1.3, 2.0}),
                      Contains("platt_scaling"));
    CHECK_THROWS_AS(metrics::specificity_at_sensitivity(std::vector<int>{0, 1}, std::vector<double>{0.1, 0.2}, 0.0),
                    config_error);
}
