// metrics/isic_challenge.hpp: the ISIC challenge scorers' measures against an independent
// scikit-learn computation of the scorers' definitions (tests/oracles/sklearn_isic_challenge.py),
// values derivable by hand (the scorer's own test cases among them), and the identity between
// auc_sens_80 and the 2024 pAUC.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/isic_challenge.hpp"
#include "dermtl/metrics/threshold_metrics.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::metrics;
using nlohmann::json;

namespace {

constexpr double tol = 1e-12;

struct binary_case {
    std::vector<int> labels;
    std::vector<double> scores, weights;  // weights empty: none
};

// Both classes among the images of nonzero weight; scores of several kinds (ties, 0.5 itself,
// SVM-like scale, separated classes); weights absent, positive, or with zeros.
binary_case random_binary(rng& g, std::size_t c) {
    for (;;) {
        binary_case b;
        const std::size_t n = c % 5 == 0 ? 2 + g.below(5) : 6 + g.below(c % 3 == 0 ? 300 : 40);
        const double skew = 0.1 + 0.8 * g.uniform_double();
        const int kind = int(c % 6);
        const int weighting = int((c / 6) % 3);
        for (std::size_t i = 0; i < n; ++i) {
            const int y = g.uniform_double() < skew ? 1 : 0;
            double s = 0;
            switch (kind) {
                case 0: s = g.uniform_double(); break;
                case 1: s = double(g.below(5)) / 4.0; break;
                case 2: s = 0.3 * y + 0.7 * g.uniform_double(); break;
                case 3: s = 3 * g.normal() + y; break;  // outside [0, 1]
                case 4: s = y ? 0.75 : 0.25; break;
                default: s = double(g.below(3)) / 2.0; break;
            }
            b.labels.push_back(y);
            b.scores.push_back(s);
            if (weighting == 1) b.weights.push_back(0.25 + 2 * g.uniform_double());
            if (weighting == 2) b.weights.push_back(g.below(4) == 0 ? 0.0 : double(1 + g.below(3)));
        }
        bool pos = false, neg = false;
        for (std::size_t i = 0; i < n; ++i)
            if (b.weights.empty() || b.weights[i] != 0) (b.labels[i] ? pos : neg) = true;
        if (pos && neg) return b;
    }
}

struct multiclass_case {
    score_matrix truth, prediction;
    std::vector<double> weights;
};

multiclass_case random_multiclass(rng& g, std::size_t c) {
    multiclass_case m;
    const int k = c % 3 == 0 ? 7 : 3;
    const auto n = Eigen::Index(5 + g.below(60));
    m.truth = score_matrix::Zero(n, k);
    m.prediction.resize(n, k);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto y = Eigen::Index(g.below(std::uint64_t(k)));
        m.truth(i, y) = 1;
        if (c % 7 == 1 && i == 0) m.truth.row(i).setConstant(0.5);  // an undecided truth row
        for (int j = 0; j < k; ++j)
            m.prediction(i, j) = c % 2 ? double(g.below(3)) / 2.0 : g.uniform_double() + (j == y ? 0.2 : 0);
        if (c % 4 == 2) m.weights.push_back(g.below(5) == 0 ? 0.0 : 0.5 + g.uniform_double());
    }
    return m;
}

json weights_json(const std::vector<double>& w) { return w.empty() ? json(nullptr) : json(w); }

std::vector<std::vector<double>> rows_of(const score_matrix& m) {
    std::vector<std::vector<double>> r(std::size_t(m.rows()), std::vector<double>(std::size_t(m.cols())));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) r[std::size_t(i)][std::size_t(j)] = m(i, j);
    return r;
}

bool in_unit_interval(const std::vector<double>& s) {
    return std::all_of(s.begin(), s.end(), [](double v) { return v >= 0 && v <= 1; });
}

// The FPR where the ROC curve (every point) first reaches `tpr`, interpolated linearly.
double fpr_at(const binary_case& b, double tpr) {
    const auto r = weighted_roc_curve(b.labels, b.scores, b.weights, false);
    const auto k = std::size_t(std::lower_bound(r.tpr.begin(), r.tpr.end(), tpr) - r.tpr.begin());
    return r.fpr[k - 1] + (tpr - r.tpr[k - 1]) * (r.fpr[k] - r.fpr[k - 1]) / (r.tpr[k] - r.tpr[k - 1]);
}

}  // namespace

TEST_CASE("isic challenge: every binary measure matches sklearn's computation of the scorer's definitions",
          "[metrics][isic_challenge][oracle]") {
    rng g(2018);
    std::vector<binary_case> cases;
    std::vector<multiclass_case> multi;
    json input;
    for (std::size_t c = 0; c < 360; ++c) {
        cases.push_back(random_binary(g, c));
        const auto& b = cases.back();
        input["binary"].push_back({{"labels", b.labels}, {"scores", b.scores}, {"weights", weights_json(b.weights)}});
    }
    for (std::size_t c = 0; c < 120; ++c) {
        multi.push_back(random_multiclass(g, c));
        const auto& m = multi.back();
        input["multiclass"].push_back(
            {{"truth", rows_of(m.truth)}, {"prediction", rows_of(m.prediction)}, {"weights", weights_json(m.weights)}});
    }
    testing::scratch_dir dir("isic-challenge");
    std::ofstream(dir / "cases.json") << input.dump();
    testing::run_oracle("sklearn_isic_challenge.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
    json answers;
    std::ifstream(dir / "answers.json") >> answers;
    REQUIRE(answers["binary"].size() == cases.size());

    std::size_t thresholded = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const auto& b = cases[c];
        const auto& a = answers["binary"][c];
        INFO("case " << c << ", n = " << b.labels.size() << ", weights " << (b.weights.empty() ? "none" : "given"));
        CHECK(weighted_roc_auc(b.labels, b.scores, b.weights) == Approx(a["auc"].get<double>()).margin(tol));
        CHECK(weighted_average_precision(b.labels, b.scores, b.weights) == Approx(a["ap"].get<double>()).margin(tol));
        CHECK(auc_above_sensitivity(b.labels, b.scores, 0.8, b.weights) ==
              Approx(a["auc_sens_80"].get<double>()).margin(tol));
        for (int t : {82, 89, 95, 98, 99})
            CHECK(weighted_specificity_at_sensitivity(b.labels, b.scores, t / 100.0, b.weights) ==
                  Approx(a["spec_at_sens_" + std::to_string(t)].get<double>()).margin(tol));
        // Unweighted, the 2016 scorer's existing implementation gives the same.
        if (b.weights.empty())
            for (double t : isic_2016_sensitivities)
                CHECK(specificity_at_sensitivity(b.labels, b.scores, t) ==
                      weighted_specificity_at_sensitivity(b.labels, b.scores, t));
        if (!in_unit_interval(b.scores)) continue;
        ++thresholded;
        const double pauc = partial_auc_above_tpr(b.labels, b.scores, 0.8, b.weights);
        CHECK(pauc == Approx(a["pauc_80"].get<double>()).margin(tol));
        CHECK(pauc >= 0);
        CHECK(pauc <= 0.2 + tol);
        std::vector<double> truth(b.labels.begin(), b.labels.end());
        const auto r = isic_rates_of(isic_confusion_counts(truth, b.scores, b.weights));
        CHECK(r.accuracy == Approx(a["acc"].get<double>()).margin(tol));
        CHECK(r.sensitivity == Approx(a["se"].get<double>()).margin(tol));
        CHECK(r.specificity == Approx(a["sp"].get<double>()).margin(tol));
        CHECK(r.dice == Approx(a["dice"].get<double>()).margin(tol));
        CHECK(r.ppv == Approx(a["ppv"].get<double>()).margin(tol));
        CHECK(r.npv == Approx(a["npv"].get<double>()).margin(tol));
        // The identity: the 2024 curve is this one reflected, so the area right of TPR 0.8 is the
        // area above it (the pAUC) plus the rectangle 0.8 x (1 - FPR at TPR 0.8).
        const double f80 = fpr_at(b, 0.8);
        CHECK(f80 == Approx(a["fpr_at_80"].get<double>()).margin(tol));
        CHECK(auc_above_sensitivity(b.labels, b.scores, 0.8, b.weights) ==
              Approx(pauc + 0.8 * (1 - f80)).margin(tol));
    }
    CHECK(thresholded > 200);

    for (std::size_t c = 0; c < multi.size(); ++c) {
        INFO("multiclass case " << c);
        CHECK(balanced_multiclass_accuracy(multi[c].truth, multi[c].prediction, multi[c].weights) ==
              Approx(answers["multiclass"][c]["balanced_accuracy"].get<double>()).margin(tol));
    }
}

TEST_CASE("isic challenge: values derivable by hand, the scorer's own test cases among them", "[metrics][isic_challenge]") {
    SECTION("a diagonal ROC: auc_sens_80 = (1 - 0.8^2) / 2 = 0.18, pAUC above 0.8 = 0.2^2 / 2 = 0.02") {
        // One positive and one negative at each of 10 score levels: every ROC point on the diagonal.
        std::vector<int> y;
        std::vector<double> s;
        for (int k = 0; k < 10; ++k) {
            y.insert(y.end(), {0, 1});
            s.insert(s.end(), {k / 10.0, k / 10.0});
        }
        CHECK(auc_above_sensitivity(y, s, 0.8) == Approx(0.18).margin(1e-15));
        CHECK(partial_auc_above_tpr(y, s, 0.8) == Approx(0.02).margin(1e-15));
        CHECK(weighted_roc_auc(y, s) == Approx(0.5).margin(1e-15));
        // Any target on the diagonal: (1 - t^2) / 2, between ROC points too (linear interpolation).
        for (double t : {0.05, 0.37, 0.5, 0.95})
            CHECK(auc_above_sensitivity(y, s, t) == Approx((1 - t * t) / 2).margin(1e-15));
    }
    // isic-challenge-scoring's tests/test_metrics.py::test_auc_above_sensitivity, with and
    // without a final incorrect prediction of weight 0.
    const std::vector<int> y{0, 0, 1, 1};
    const std::vector<double> perfect{0.2, 0.4, 0.6, 0.8}, half{0.3, 0.7, 0.3, 0.7}, wrong{0.8, 0.6, 0.4, 0.2};
    for (bool zero_weight : {false, true}) {
        auto with = [&](std::vector<double> s) {
            std::vector<int> labels = y;
            std::vector<double> w(4, 1.0);
            if (zero_weight) {
                labels.push_back(1);
                s.push_back(0.2);
                w.push_back(0.0);
            }
            return std::tuple{labels, s, w};
        };
        const auto [yp, sp, wp] = with(perfect);
        const auto [yh, sh, wh] = with(half);
        const auto [yw, sw, ww] = with(wrong);
        CHECK(auc_above_sensitivity(yp, sp, 1.0, wp) == 1.0);
        CHECK(auc_above_sensitivity(yh, sh, 1.0, wh) == 0.0);  // "a threshold of 1.0 gives 0.0"
        CHECK(auc_above_sensitivity(yw, sw, 1.0, ww) == 0.0);
        CHECK(auc_above_sensitivity(yh, sh, 1e-9, wh) == Approx(0.5).margin(1e-8));
    }
    SECTION("an undefined ratio scores 1.0") {
        const std::vector<double> none{0, 0, 0}, low{0.1, 0.2, 0.3};
        const auto r = isic_rates_of(isic_confusion_counts(none, low));
        CHECK(r.accuracy == 1.0);
        CHECK(r.sensitivity == 1.0);  // no positive in the truth
        CHECK(r.ppv == 1.0);          // nothing predicted positive
        CHECK(r.dice == 1.0);
        CHECK(r.specificity == 1.0);
        CHECK(r.npv == 1.0);
        // 0.5 itself is negative (`> 0.5`).
        const std::vector<double> truth{1, 0}, half_pred{0.5, 0.5};
        CHECK(isic_confusion_counts(truth, half_pred).false_negatives == 1);
    }
    SECTION("balanced accuracy: a row whose top probabilities tie counts as wrong") {
        score_matrix t(3, 2), p(3, 2);
        t << 1, 0, 0, 1, 0, 1;
        p << 0.5, 0.5, 0.2, 0.8, 0.4, 0.4;
        CHECK(balanced_multiclass_accuracy(t, p) == Approx((0.0 + 0.5) / 2).margin(1e-15));
        // A category without truth is left out of the mean; weights scale the rows.
        score_matrix t3(2, 3), p3(2, 3);
        t3 << 1, 0, 0, 0, 1, 0;
        p3 << 0.6, 0.3, 0.1, 0.6, 0.3, 0.1;
        CHECK(balanced_multiclass_accuracy(t3, p3) == Approx(0.5).margin(1e-15));
        const std::vector<double> w{3, 0};
        CHECK(balanced_multiclass_accuracy(t3, p3, w) == Approx(1.0).margin(1e-15));
    }
}

TEST_CASE("isic challenge: bad input is refused with what was expected and found", "[metrics][isic_challenge]") {
    const std::vector<int> y{0, 1, 0, 1};
    const std::vector<double> s{0.1, 0.9, 0.4, 0.6};
    CHECK_THROWS_WITH(auc_above_sensitivity(y, s, 0.0), Catch::Contains("expected a sensitivity in (0, 1]"));
    CHECK_THROWS_WITH(partial_auc_above_tpr(y, s, 1.0), Catch::Contains("expected a minimum TPR in [0, 1)"));
    const std::vector<double> wide{0.1, 1.5, 0.4, 0.6};
    CHECK_THROWS_WITH(partial_auc_above_tpr(y, wide, 0.8), Catch::Contains("expected scores in [0, 1]") &&
                                                              Catch::Contains("at index 1"));
    const std::vector<double> negative{1, -1, 1, 1};
    CHECK_THROWS_WITH(weighted_roc_auc(y, s, negative), Catch::Contains("non-negative weights"));
    const std::vector<double> short_w{1, 1};
    CHECK_THROWS_AS(weighted_roc_auc(y, s, short_w), shape_error);
    // The positives all weigh 0: one class left.
    const std::vector<double> no_positive{1, 0, 1, 0};
    CHECK_THROWS_WITH(weighted_average_precision(y, s, no_positive), Catch::Contains("both classes"));
    const std::vector<double> nan_scores{0.1, std::nan(""), 0.4, 0.6};
    CHECK_THROWS_AS(auc_above_sensitivity(y, nan_scores, 0.8), numeric_error);
    score_matrix a(2, 2), b(2, 3);
    a.setZero();
    b.setZero();
    CHECK_THROWS_AS(balanced_multiclass_accuracy(a, b), shape_error);
}
