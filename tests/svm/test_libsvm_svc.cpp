// The libsvm wrapper (the reference code's SVC) against scikit-learn's SVC -- sklearn's own copy
// of libsvm -- on the same data and C; its C selection against GridSearchCV on the same splits;
// its Platt probabilities (range, order, seeding); the macro one-vs-rest AUC against sklearn; the
// classifier interface shared with svm_classifier; and bad-input errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/protocol/classifier.hpp"
#include "dermtl/svm/libsvm_classifier.hpp"
#include "dermtl/svm/svm_classifier.hpp"
#include "support/oracle.hpp"
#include "synthetic_features.hpp"

using namespace dermtl;
using nlohmann::json;

namespace {

json run_cases(const json& cases, const char* tag) {
    testing::scratch_dir dir(tag);
    std::ofstream(dir / "cases.json") << cases.dump();
    testing::run_oracle("sklearn_libsvm_svc.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    REQUIRE(answers.size() == cases.size());
    return answers;
}

metrics::score_matrix as_matrix(const std::vector<double>& v) {
    metrics::score_matrix s(static_cast<Eigen::Index>(v.size()), 1);
    for (std::size_t i = 0; i < v.size(); ++i) s(static_cast<Eigen::Index>(i), 0) = v[i];
    return s;
}

// The interface the experiment uses, shared by both trained classifiers.
template <class T>
concept trained_classifier = requires(const T& t, const svm::feature_matrix& x) {
    { t.chosen_c() } -> std::same_as<double>;
    { t.scores(x) } -> std::same_as<metrics::score_matrix>;
    { t.confidences(x) } -> std::same_as<std::vector<double>>;
    { t.predict(x) } -> std::same_as<std::vector<int>>;
};

}  // namespace

TEST_CASE("both trained classifiers offer the experiment's interface", "[svm][libsvm]") {
    STATIC_REQUIRE(trained_classifier<svm::svm_classifier>);
    STATIC_REQUIRE(trained_classifier<svm::libsvm_classifier>);
    STATIC_REQUIRE(protocol::classifier::libsvm_svc::name == "libsvm_svc");
    STATIC_REQUIRE(std::is_same_v<decltype(protocol::classifier::libsvm_svc::train(
                                      std::declval<const svm::feature_matrix&>(), std::span<const int>{}, 2, 0)),
                                  svm::libsvm_classifier>);
}

// Both libsvm copies stop when the maximal violation of the KKT conditions, max over the
// "up" set of -y_i grad_i minus min over the "low" set, is at most eps (sklearn's tol). The bias
// is read off the free support vectors' gradients, so at stopping it can sit anywhere within that
// eps-wide window, and the dual variables within a comparably small distance of the optimum:
// two eps-optimal solutions may differ by O(eps) in decision value, relative to its scale (the
// margin is 1). This wrapper hands libsvm the problem exactly as sklearn's copy sees it (class 0
// first), so the two normally walk the same SMO path and agree far more closely; the bound
// checked is the stopping rule's, 2 eps relative, so a different problem (another C, weight or
// sign) still fails it by far. With eps = 1e-10 the two must agree to 1e-6.
TEST_CASE("libsvm decision values agree with sklearn SVC(kernel='linear', balanced)", "[svm][libsvm][oracle]") {
    rng g(2017);
    struct config {
        int n, d, k;
        double separation, c, tol;
    };
    std::vector<config> configs;
    for (double c : {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0})
        for (int k : {2, 3})
            configs.push_back({60 + static_cast<int>(g.below(60)), 5 + static_cast<int>(g.below(30)), k, 0.7, c, 1e-3});
    for (double c : {1e-2, 1.0, 100.0})
        for (int k : {2, 3}) configs.push_back({70, 12, k, 0.7, c, 1e-10});
    configs.push_back({12, 3, 2, 0.5, 1.0, 1e-3});    // tiny
    configs.push_back({15, 40, 3, 1.0, 10.0, 1e-3});  // more features than cases
    configs.push_back({80, 10, 2, 3.0, 1e3, 1e-3});   // separable
    json cases = json::array();
    std::vector<testing::labelled_features> data;
    for (const auto& cf : configs) {
        data.push_back(testing::make_features(g, cf.n, cf.d, cf.k, cf.separation));
        cases.push_back({{"kind", "decision"}, {"X", testing::to_json(data.back().x)}, {"y", data.back().y},
                         {"n_classes", cf.k}, {"C", cf.c}, {"tol", cf.tol}});
    }
    const json answers = run_cases(cases, "libsvm-decision");
    double worst_default = 0, worst_tight = 0;
    for (std::size_t c = 0; c < configs.size(); ++c) {
        const auto& cf = configs[c];
        INFO("case " << c << ": n " << cf.n << ", d " << cf.d << ", classes " << cf.k << ", C " << cf.c << ", tol "
                     << cf.tol);
        svm::libsvm_options opt;
        opt.tolerance = cf.tol;
        opt.probability = false;
        metrics::score_matrix dv;
        std::vector<int> pred;
        if (cf.k == 2) {
            const auto m = svm::libsvm_svc::fit(data[c].x, data[c].y, cf.c, 0, opt);
            dv = as_matrix(m.decision_values(data[c].x));
            pred = m.predict(data[c].x);
        } else {
            const auto m = svm::libsvm_one_vs_rest::fit(data[c].x, data[c].y, cf.k, cf.c, 0, opt);
            dv = m.decision_values(data[c].x);
            pred = m.predict(data[c].x);
        }
        const auto& want = answers[c]["decision"];
        REQUIRE(static_cast<std::size_t>(dv.rows()) == want.size());
        REQUIRE(static_cast<std::size_t>(dv.cols()) == want[0].size());
        double scale = 1, diff = 0;
        for (Eigen::Index i = 0; i < dv.rows(); ++i)
            for (Eigen::Index j = 0; j < dv.cols(); ++j) {
                const double w = want[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<double>();
                scale = std::max(scale, std::abs(w));
                diff = std::max(diff, std::abs(dv(i, j) - w));
            }
        const double rel = diff / scale;
        if (cf.tol < 1e-6) {
            CHECK(rel <= 1e-6);
            worst_tight = std::max(worst_tight, rel);
        } else {
            CHECK(rel <= 2 * cf.tol);
            worst_default = std::max(worst_default, rel);
        }
        // predict: the same classes wherever the decision is not within the tolerance of a tie.
        const auto& want_pred = answers[c]["predict"];
        for (Eigen::Index i = 0; i < dv.rows(); ++i) {
            double margin;
            if (dv.cols() == 1) {
                margin = std::abs(dv(i, 0));
            } else {
                std::vector<double> row;
                for (Eigen::Index j = 0; j < dv.cols(); ++j) row.push_back(dv(i, j));
                std::sort(row.rbegin(), row.rend());
                margin = row[0] - row[1];
            }
            if (margin > 4 * cf.tol * scale)
                CHECK(pred[static_cast<std::size_t>(i)] == want_pred[static_cast<std::size_t>(i)].get<int>());
        }
        // The reference's three-class rule (the first class with a positive decision, else 0),
        // wherever no decision value is within the tolerance of 0.
        if (cf.k > 2) {
            const auto m = svm::libsvm_one_vs_rest::fit(data[c].x, data[c].y, cf.k, cf.c, 0, opt);
            const auto first = m.predict_first_positive(data[c].x);
            const auto& want_ref = answers[c]["predict_reference"];
            std::size_t compared = 0;
            for (Eigen::Index i = 0; i < dv.rows(); ++i) {
                if ((dv.row(i).array().abs() <= 4 * cf.tol * scale).any()) continue;
                ++compared;
                CHECK(first[static_cast<std::size_t>(i)] == want_ref[static_cast<std::size_t>(i)].get<int>());
            }
            CHECK(compared > static_cast<std::size_t>(dv.rows()) / 2);
        }
    }
    std::printf("libsvm vs sklearn SVC decision values: worst relative difference %.3g (tol 1e-3), %.3g (tol 1e-10)\n",
                worst_default, worst_tight);
}

TEST_CASE("libsvm C selection matches GridSearchCV on the same splits", "[svm][libsvm][oracle]") {
    rng g(99);
    struct setup {
        int n, d, k, splits;
    };
    const std::vector<setup> setups{{120, 12, 2, 10}, {100, 8, 2, 3}, {130, 10, 3, 5}, {100, 15, 3, 3}};
    // The reference's (and both libsvm copies') default eps. The decision-value test above shows
    // the two copies walk the same SMO path, so their AUCs agree here without a tighter eps (which
    // at C = 1e4 runs into libsvm's 10^7-iteration cap, warning on stderr, and takes minutes).
    constexpr double tol = 1e-3;
    json cases = json::array();
    std::vector<testing::labelled_features> data;
    std::vector<svm::libsvm_selection_settings> settings;
    for (std::size_t c = 0; c < setups.size(); ++c) {
        const auto& s = setups[c];
        data.push_back(testing::make_features(g, s.n, s.d, s.k, 0.4));
        auto st = svm::libsvm_settings_for<svm::c_selection::repeated_splits>(100 + c);
        st.n_splits = s.splits;
        st.svc.tolerance = tol;
        settings.push_back(st);
        const auto splits =
            svm::repeated_stratified_holdouts(data.back().y, s.k, st.validation_fraction, st.n_splits, st.seed);
        json js = json::array();
        for (const auto& sp : splits) js.push_back({sp.train, sp.validation});
        cases.push_back({{"kind", "grid"}, {"X", testing::to_json(data.back().x)}, {"y", data.back().y},
                         {"n_classes", s.k}, {"C", st.c_grid}, {"tol", tol}, {"splits", js}});
    }
    const json answers = run_cases(cases, "libsvm-grid");
    for (std::size_t c = 0; c < setups.size(); ++c) {
        INFO("case " << c << ": " << setups[c].k << " classes, " << setups[c].splits << " splits");
        const auto clf = svm::train_libsvm_classifier(data[c].x, data[c].y, setups[c].k, settings[c]);
        const auto& r = clf.selection;
        REQUIRE(r.splits.size() == static_cast<std::size_t>(setups[c].splits));
        REQUIRE(r.candidates.size() == answers[c]["mean_auc"].size());
        for (std::size_t i = 0; i < r.candidates.size(); ++i) {
            INFO("C = " << r.candidates[i].c);
            REQUIRE(r.candidates[i].split_auc.size() == static_cast<std::size_t>(setups[c].splits));
            CHECK(r.candidates[i].mean_auc == Approx(answers[c]["mean_auc"][i].get<double>()).margin(1e-9));
        }
        CHECK(clf.chosen_c() == answers[c]["best_c"].get<double>());
        // The refit on the whole training set.
        const auto dv = clf.decision_values(data[c].x);
        const auto& want = answers[c]["decision"];
        for (Eigen::Index i = 0; i < dv.rows(); ++i)
            for (Eigen::Index j = 0; j < dv.cols(); ++j)
                REQUIRE(dv(i, j) ==
                        Approx(want[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<double>()).margin(1e-6));
    }
}

TEST_CASE("libsvm Platt probabilities: range, order, seeding", "[svm][libsvm]") {
    rng g(5);
    const auto ds = testing::make_features(g, 150, 10, 2, 0.6);
    const auto m = svm::libsvm_svc::fit(ds.x, ds.y, 1.0, 7);
    REQUIRE(m.has_probability());
    const auto d = m.decision_values(ds.x);
    const auto p = m.probabilities(ds.x);
    for (std::size_t i = 0; i < p.size(); ++i) {
        REQUIRE(p[i] > 0);
        REQUIRE(p[i] < 1);
    }
    // A sigmoid of the decision value, increasing towards class 1.
    for (std::size_t i = 0; i < p.size(); ++i)
        for (std::size_t j = 0; j < p.size(); ++j)
            if (d[j] < d[i]) REQUIRE(p[j] <= p[i]);
    CHECK(metrics::roc_auc(ds.y, p) == Approx(metrics::roc_auc(ds.y, d)).margin(1e-12));
    // Repeatable: the same seed gives the same sigmoid, whatever rand() state the process is in.
    std::srand(12345);
    for (int i = 0; i < 17; ++i) (void)std::rand();
    const auto again = svm::libsvm_svc::fit(ds.x, ds.y, 1.0, 7).probabilities(ds.x);
    CHECK(again == p);
    // The seed does reach libsvm's internal CV: some other seed draws other folds.
    bool differs = false;
    for (std::uint64_t s = 8; s < 14 && !differs; ++s) differs = svm::libsvm_svc::fit(ds.x, ds.y, 1.0, s).probabilities(ds.x) != p;
    CHECK(differs);
    // Without probability: decision values unchanged, probabilities refused.
    svm::libsvm_options no_prob;
    no_prob.probability = false;
    const auto plain = svm::libsvm_svc::fit(ds.x, ds.y, 1.0, 7, no_prob);
    CHECK(plain.decision_values(ds.x) == d);
    CHECK_THROWS_AS(plain.probabilities(ds.x), config_error);
    // One-vs-rest: per-class probabilities in (0, 1); normalized rows sum to 1.
    const auto three = testing::make_features(g, 120, 8, 3, 0.8);
    const auto ovr = svm::libsvm_one_vs_rest::fit(three.x, three.y, 3, 1.0, 3);
    const auto cp = ovr.class_probabilities(three.x);
    const auto np = ovr.normalized_probabilities(three.x);
    REQUIRE(cp.cols() == 3);
    for (Eigen::Index i = 0; i < cp.rows(); ++i) {
        CHECK(np.row(i).sum() == Approx(1.0).margin(1e-12));
        for (Eigen::Index k = 0; k < 3; ++k) {
            REQUIRE(cp(i, k) > 0);
            REQUIRE(cp(i, k) < 1);
            REQUIRE(np(i, k) == Approx(cp(i, k) / cp.row(i).sum()).margin(1e-15));
        }
    }
    CHECK(svm::libsvm_one_vs_rest::fit(three.x, three.y, 3, 1.0, 3).class_probabilities(three.x) == cp);
    // predict / predict_first_positive agree where exactly one decision value is positive.
    const auto dv = ovr.decision_values(three.x);
    const auto arg = ovr.predict(three.x), first = ovr.predict_first_positive(three.x);
    for (Eigen::Index i = 0; i < dv.rows(); ++i)
        if ((dv.row(i).array() > 0).count() == 1) CHECK(arg[static_cast<std::size_t>(i)] == first[static_cast<std::size_t>(i)]);
}

TEST_CASE("one_vs_rest_macro_auc matches sklearn's macro one-vs-rest AUC", "[metrics][libsvm][oracle]") {
    rng g(31);
    json cases = json::array();
    std::vector<std::vector<int>> labels;
    std::vector<metrics::score_matrix> scores;
    for (int k : {3, 3, 4, 5}) {
        const int n = 40 + static_cast<int>(g.below(80));
        std::vector<int> y(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) y[static_cast<std::size_t>(i)] = i < k ? i : static_cast<int>(g.below(static_cast<std::uint64_t>(k)));
        metrics::score_matrix s(n, k);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < k; ++j)  // positive, informative, coarse (ties)
                s(i, j) = std::round((0.2 + g.uniform_double() + (y[static_cast<std::size_t>(i)] == j ? 0.5 : 0.0)) * 8) / 8;
        json rows = json::array();
        for (int i = 0; i < n; ++i) {
            std::vector<double> r;
            for (int j = 0; j < k; ++j) r.push_back(s(i, j));
            rows.push_back(r);
        }
        cases.push_back({{"kind", "auc"}, {"y", y}, {"scores", rows}});
        labels.push_back(y);
        scores.push_back(s);
    }
    const json answers = run_cases(cases, "ovr-auc");
    for (std::size_t c = 0; c < cases.size(); ++c) {
        INFO("case " << c << ": " << scores[c].cols() << " classes");
        CHECK(metrics::one_vs_rest_macro_auc(labels[c], scores[c]) ==
              Approx(answers[c]["binarized"].get<double>()).margin(1e-12));
        metrics::score_matrix normalized = scores[c];
        for (Eigen::Index i = 0; i < normalized.rows(); ++i) normalized.row(i) /= normalized.row(i).sum();
        CHECK(metrics::one_vs_rest_macro_auc(labels[c], normalized) ==
              Approx(answers[c]["ovr_normalized"].get<double>()).margin(1e-12));
    }
    // It is not the one-vs-one average (scores built so that the two differ).
    CHECK(metrics::one_vs_rest_macro_auc(labels[0], scores[0]) != Approx(metrics::one_vs_one_auc(labels[0], scores[0])).margin(1e-9));
}

TEST_CASE("the classifier policies train what the experiment scores", "[svm][libsvm]") {
    rng g(44);
    const auto two = testing::make_features(g, 140, 10, 2, 0.6);
    const auto clf = protocol::classifier::libsvm_svc::train(two.x, two.y, 2, 11);
    const auto grid = svm::paper_c_grid();
    CHECK(std::find(grid.begin(), grid.end(), clf.chosen_c()) != grid.end());
    CHECK(clf.selection.splits.size() == 10);
    CHECK(clf.selection.candidates.size() == grid.size());
    const auto s = clf.scores(two.x);
    REQUIRE(s.cols() == 1);
    const auto conf = clf.confidences(two.x);
    CHECK(metrics::fold_auc({two.y, s, {}}) == Approx(metrics::roc_auc(two.y, conf)).margin(1e-15));
    const auto dv = clf.decision_values(two.x);
    const auto pred = clf.predict(two.x);
    for (Eigen::Index i = 0; i < dv.rows(); ++i)
        if (std::abs(dv(i, 0)) > 1e-9) CHECK(pred[static_cast<std::size_t>(i)] == (dv(i, 0) > 0 ? 1 : 0));
    const auto same = protocol::classifier::libsvm_svc::train(two.x, two.y, 2, 11);
    CHECK(same.scores(two.x) == s);

    const auto three = testing::make_features(g, 120, 8, 3, 0.8);
    const auto clf3 = protocol::classifier::libsvm_svc::train(three.x, three.y, 3, 2);
    const auto s3 = clf3.scores(three.x);
    REQUIRE(s3.cols() == 3);
    CHECK(s3 == std::get<svm::libsvm_one_vs_rest>(clf3.model).class_probabilities(three.x));
    CHECK_THROWS_AS(clf3.confidences(three.x), config_error);
    CHECK(clf3.predict(three.x) == std::get<svm::libsvm_one_vs_rest>(clf3.model).predict_first_positive(three.x));

    // svm_classifier's new members: the decision values it always scored, their sign / argmax.
    const auto lin = protocol::classifier::linear_svm<>::train(two.x, two.y, 2, 11);
    CHECK(lin.chosen_c() == lin.selection.best_c);
    CHECK(lin.scores(two.x) == lin.model.decision_values(two.x));
    const auto ld = lin.model.binary_decision_values(two.x);
    const auto lp = lin.predict(two.x);
    for (std::size_t i = 0; i < ld.size(); ++i) CHECK(lp[i] == (ld[i] > 0 ? 1 : 0));
    const auto lin3 = protocol::classifier::linear_svm<>::train(three.x, three.y, 3, 2);
    const auto l3 = lin3.scores(three.x);
    const auto lp3 = lin3.predict(three.x);
    for (Eigen::Index i = 0; i < l3.rows(); ++i) {
        Eigen::Index best;
        l3.row(i).maxCoeff(&best);
        CHECK(lp3[static_cast<std::size_t>(i)] == static_cast<int>(best));
    }
}

TEST_CASE("libsvm wrapper and one-vs-rest AUC reject bad input", "[svm][libsvm][bad_input]") {
    rng g(8);
    auto ds = testing::make_features(g, 30, 5, 2, 1.0);
    auto bad_message = [](auto&& f, const char* op) {
        try {
            f();
        } catch (const error& e) {
            return std::string(e.what()).find(op) != std::string::npos;
        }
        return false;
    };
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, std::vector<int>(30, 1), 1.0), config_error);  // a single class
    CHECK(bad_message([&] { svm::libsvm_svc::fit(ds.x, std::vector<int>(30, 0), 1.0); }, "libsvm_svc::fit"));
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, std::vector<int>(29, 1), 1.0), shape_error);
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, ds.y, 0.0), config_error);
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, ds.y, -1.0), config_error);
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, ds.y, std::nan("")), config_error);
    auto two_labels = ds.y;
    two_labels[3] = 2;
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, two_labels, 1.0), config_error);
    auto bad = ds.x;
    bad(2, 1) = INFINITY;
    CHECK_THROWS_AS(svm::libsvm_svc::fit(bad, ds.y, 1.0), numeric_error);
    CHECK(bad_message([&] { svm::libsvm_svc::fit(bad, ds.y, 1.0); }, "libsvm_svc::fit"));
    CHECK_THROWS_AS(svm::libsvm_svc::fit(svm::feature_matrix(0, 5), std::vector<int>{}, 1.0), config_error);
    svm::libsvm_options zero_tol;
    zero_tol.tolerance = 0;
    CHECK_THROWS_AS(svm::libsvm_svc::fit(ds.x, ds.y, 1.0, 0, zero_tol), config_error);
    const auto m = svm::libsvm_svc::fit(ds.x, ds.y, 1.0);
    CHECK_THROWS_AS(m.decision_values(svm::feature_matrix(3, 4)), shape_error);
    CHECK_THROWS_AS(m.probabilities(bad), numeric_error);
    // One-vs-rest.
    auto three = testing::make_features(g, 30, 5, 3, 1.0);
    CHECK_THROWS_AS(svm::libsvm_one_vs_rest::fit(three.x, three.y, 2, 1.0), config_error);
    auto missing = three.y;
    std::replace(missing.begin(), missing.end(), 2, 1);
    CHECK_THROWS_AS(svm::libsvm_one_vs_rest::fit(three.x, missing, 3, 1.0), config_error);
    CHECK(bad_message([&] { svm::libsvm_one_vs_rest::fit(three.x, missing, 3, 1.0); }, "libsvm_one_vs_rest::fit"));
    CHECK_THROWS_AS(svm::libsvm_one_vs_rest::fit(three.x, three.y, 3, 0.0), config_error);
    // C selection.
    auto st = svm::libsvm_settings_for<svm::c_selection::repeated_splits>();
    st.c_grid.clear();
    CHECK_THROWS_AS(svm::select_libsvm_c(ds.x, ds.y, 2, st), config_error);
    st = svm::libsvm_settings_for<svm::c_selection::repeated_splits>();
    CHECK_THROWS_AS(svm::select_libsvm_c(ds.x, ds.y, 2, st, {}), config_error);
    CHECK_THROWS_AS(svm::select_libsvm_c(ds.x, ds.y, 2, st, {svm::holdout_split{{0, 1, 2}, {99}}}), config_error);
    CHECK_THROWS_AS(svm::select_libsvm_c(ds.x, std::vector<int>(29, 0), 2, st), shape_error);
    // The macro one-vs-rest AUC.
    metrics::score_matrix s(4, 3);
    s.setConstant(0.5);
    CHECK_THROWS_AS(metrics::one_vs_rest_macro_auc(std::vector<int>{0, 1, 2}, s), shape_error);
    CHECK_THROWS_AS(metrics::one_vs_rest_macro_auc(std::vector<int>{0, 1, 1, 1}, s), config_error);  // no class 2
    CHECK_THROWS_AS(metrics::one_vs_rest_macro_auc(std::vector<int>{0, 1, 2, 3}, s), config_error);
    s(1, 1) = NAN;
    CHECK_THROWS_AS(metrics::one_vs_rest_macro_auc(std::vector<int>{0, 1, 2, 2}, s), numeric_error);
}
