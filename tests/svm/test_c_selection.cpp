// Stratified splits, C selection by validation AUC (against sklearn's GridSearchCV on the same
// splits), and the end-to-end classifier with its Platt mapping for the ISIC thresholds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/svm/svm_classifier.hpp"
#include "support/oracle.hpp"
#include "synthetic_features.hpp"

using namespace dermtl;
using nlohmann::json;

TEST_CASE("stratified hold-out: sizes, strata, determinism", "[svm][split]") {
    std::vector<int> y;
    for (int i = 0; i < 727; ++i) y.push_back(0);
    for (int i = 0; i < 173; ++i) y.push_back(1);  // the ISIC 2016 training set's classes
    rng g1(9), g2(9), g3(10);
    const auto a = svm::stratified_holdout(y, 2, 0.1, g1);
    CHECK(a.validation.size() == 90);
    CHECK(a.train.size() == 810);
    const auto pos = std::count_if(a.validation.begin(), a.validation.end(), [&](std::size_t i) { return y[i] == 1; });
    CHECK(pos == 17);  // 90 * 173 / 900 = 17.3
    std::vector<std::size_t> all(a.train);
    all.insert(all.end(), a.validation.begin(), a.validation.end());
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i] == i);
    const auto b = svm::stratified_holdout(y, 2, 0.1, g2);
    CHECK(a.validation == b.validation);
    CHECK(svm::stratified_holdout(y, 2, 0.1, g3).validation != a.validation);
    // Tiny sets keep one case of each class on each side.
    rng g4(1);
    const auto t = svm::stratified_holdout(std::vector<int>{0, 0, 0, 1, 1, 2, 2}, 3, 0.1, g4);
    CHECK(t.validation.size() == 3);
    CHECK_THROWS_AS(svm::stratified_holdout(std::vector<int>{0, 0, 1}, 2, 0.1, g4), config_error);
    CHECK_THROWS_AS(svm::stratified_holdout(y, 2, 1.0, g4), config_error);
}

TEST_CASE("C selection matches GridSearchCV / one-vs-one AUC on the same splits", "[svm][oracle]") {
    rng g(123);
    testing::scratch_dir dir("c-selection");
    struct setup {
        int n, d, k, splits;
    };
    const std::vector<setup> setups{{120, 12, 2, 1}, {150, 20, 2, 10}, {130, 10, 3, 1}, {150, 15, 3, 10}};
    constexpr double tol = 1e-10;
    json cases = json::array();
    std::vector<testing::labelled_features> data;
    std::vector<svm::selection_settings> settings;
    for (std::size_t c = 0; c < setups.size(); ++c) {
        const auto& s = setups[c];
        data.push_back(testing::make_features(g, s.n, s.d, s.k, 0.35));
        svm::selection_settings st = s.splits == 1 ? svm::settings_for<svm::c_selection::single_split>(c)
                                                   : svm::settings_for<svm::c_selection::repeated_splits>(c);
        st.train.tolerance = tol;
        st.c_grid = {1e-3, 1e-2, 1e-1, 1.0, 10.0};
        settings.push_back(st);
        // The splits select_c draws: n_splits draws from rng(seed), in order.
        rng sg(st.seed);
        json splits = json::array();
        for (int i = 0; i < st.n_splits; ++i) {
            const auto sp = svm::stratified_holdout(data.back().y, s.k, st.validation_fraction, sg);
            splits.push_back({sp.train, sp.validation});
        }
        cases.push_back({{"X", testing::to_json(data.back().x)}, {"y", data.back().y}, {"n_classes", s.k},
                         {"C", st.c_grid}, {"tol", tol}, {"splits", splits}});
    }
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("sklearn_c_selection.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    for (std::size_t c = 0; c < setups.size(); ++c) {
        INFO("case " << c << ": " << setups[c].k << " classes, " << setups[c].splits << " split(s)");
        const auto clf = svm::train_svm_classifier(data[c].x, data[c].y, setups[c].k, settings[c]);
        const auto& r = clf.selection;
        REQUIRE(r.candidates.size() == answers[c]["mean_auc"].size());
        for (std::size_t i = 0; i < r.candidates.size(); ++i) {
            REQUIRE(r.candidates[i].split_auc.size() == static_cast<std::size_t>(setups[c].splits));
            CHECK(r.candidates[i].mean_auc == Approx(answers[c]["mean_auc"][i].get<double>()).margin(1e-12));
        }
        CHECK(r.best_c == answers[c]["best_c"].get<double>());
        CHECK(clf.model.c() == r.best_c);
        if (setups[c].k == 2) {  // the refit on the whole training set
            const auto dv = clf.model.binary_decision_values(data[c].x);
            for (std::size_t i = 0; i < dv.size(); ++i)
                REQUIRE(dv[i] == Approx(answers[c]["decision"][i].get<double>()).margin(1e-6));
        }
    }
}

TEST_CASE("trained classifier: Platt-mapped confidences feed the ISIC scorer", "[svm]") {
    rng g(2016);
    auto train = testing::make_features(g, 200, 16, 2, 0.5);
    const auto clf = svm::train_svm_classifier<svm::c_selection::single_split>(train.x, train.y, 2, 7);
    REQUIRE(clf.calibration.has_value());
    CHECK(clf.calibration->a < 0);  // larger decision value, higher confidence
    CHECK(clf.selection.validation_labels.size() == 20);
    const auto dv = clf.model.binary_decision_values(train.x);
    const auto conf = clf.confidences(train.x);
    for (std::size_t i = 0; i < conf.size(); ++i) {
        REQUIRE(conf[i] >= 0);
        REQUIRE(conf[i] <= 1);
        for (std::size_t j = 0; j < i; ++j)
            if (dv[j] < dv[i]) REQUIRE(conf[j] <= conf[i]);
    }
    // Platt is monotone: ranking metrics are unchanged, thresholded ones become defined.
    const auto s = metrics::isic_2016_scores(train.y, conf);
    CHECK(s.auc == Approx(metrics::roc_auc(train.y, dv)).margin(1e-12));
    CHECK(s.auc > 0.8);
    CHECK(s.thresholded.accuracy > 0.6);
    // Same seed, same classifier; the reference policy averages 10 splits.
    const auto again = svm::train_svm_classifier<svm::c_selection::single_split>(train.x, train.y, 2, 7);
    CHECK(again.model.weights() == clf.model.weights());
    const auto ref = svm::train_svm_classifier<svm::c_selection::repeated_splits>(train.x, train.y, 2, 7);
    CHECK(ref.selection.candidates.front().split_auc.size() == 10);
    CHECK(ref.selection.validation_labels.size() == 200);
    // Three classes: no Platt mapping, and asking for confidences says so.
    auto three = testing::make_features(g, 90, 8, 3, 0.8);
    const auto clf3 = svm::train_svm_classifier<svm::c_selection::single_split>(three.x, three.y, 3, 1);
    CHECK_FALSE(clf3.calibration.has_value());
    CHECK(clf3.model.decision_values(three.x).cols() == 3);
    CHECK_THROWS_AS(clf3.confidences(three.x), config_error);
}

TEST_CASE("C selection rejects bad input", "[svm][bad_input]") {
    rng g(4);
    auto ds = testing::make_features(g, 30, 5, 2, 1.0);
    const auto st = svm::settings_for<svm::c_selection::single_split>();
    CHECK_THROWS_AS(svm::select_c(ds.x, std::vector<int>(30, 1), 2, st), config_error);
    CHECK_THROWS_AS(svm::select_c(ds.x, std::vector<int>(29, 1), 2, st), shape_error);
    auto bad = ds.x;
    bad(0, 0) = INFINITY;
    CHECK_THROWS_AS(svm::select_c(bad, ds.y, 2, st), numeric_error);
    CHECK_THROWS_AS(svm::select_c(svm::feature_matrix(0, 5), std::vector<int>{}, 2, st), config_error);
    auto empty_grid = st;
    empty_grid.c_grid.clear();
    CHECK_THROWS_AS(svm::select_c(ds.x, ds.y, 2, empty_grid), config_error);
    STATIC_REQUIRE(svm::c_selection::policy<svm::c_selection::repeated_splits>);
    STATIC_REQUIRE_FALSE(svm::c_selection::policy<int>);
}
