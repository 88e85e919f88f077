// dermtl/metrics against scikit-learn 1.2 (Debian's python3-sklearn): hundreds of random cases,
// ties and tiny sets included, batched into one oracle call per metric family.
#include <catch2/catch.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using nlohmann::json;

namespace {

constexpr double tol = 1e-12;

// Labels with both classes (or all K classes) present; n >= K.
std::vector<int> random_labels(rng& g, std::size_t n, int k) {
    for (;;) {
        std::vector<int> y(n);
        const double skew = 0.1 + 0.8 * g.uniform_double();
        for (auto& v : y) v = k == 2 ? (g.uniform_double() < skew ? 1 : 0) : static_cast<int>(g.below(k));
        std::vector<int> seen(k, 0);
        for (int v : y) seen[v] = 1;
        if (std::all_of(seen.begin(), seen.end(), [](int s) { return s; })) return y;
    }
}

// Scores of several kinds: continuous, few distinct levels (heavy ties, 0.5 included), all equal,
// real-valued (outside [0, 1], like SVM decision values), and scores separating the classes.
double random_score(rng& g, int kind, int label) {
    switch (kind) {
        case 0: return g.uniform_double();
        case 1: return static_cast<double>(g.below(5)) / 4.0;  // {0, .25, .5, .75, 1}
        case 2: return static_cast<double>(g.below(3)) / 2.0;  // {0, .5, 1}
        case 3: return 0.5;                                    // all tied
        case 4: return 3 * g.normal() + label;                 // SVM-like scale
        case 5: return 0.3 * label + 0.7 * g.uniform_double(); // informative
        default: return label ? 0.75 : 0.25;                   // perfectly separated
    }
}

std::size_t random_size(rng& g, std::size_t i) {
    if (i % 4 == 0) return 2 + g.below(4);  // tiny: 2..5
    if (i % 4 == 1) return 6 + g.below(25);
    return 30 + g.below(300);
}

template <class A, class B>
void require_close_vectors(const A& got, const B& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got[i] - want[i].template get<double>()) <= tol);
}


// All cases of both families, answered by one oracle run shared by the two test cases below.
struct metric_cases {
    std::vector<std::vector<int>> binary_labels;
    std::vector<std::vector<double>> binary_scores;
    std::vector<std::vector<int>> multiclass_labels;
    std::vector<metrics::score_matrix> multiclass_scores;
    json answers;
};

constexpr std::size_t n_binary = 420, n_multiclass = 300;

const metric_cases& oracle_cases() {
    static const metric_cases cases = [] {
        metric_cases mc;
        json input;
        rng g(2017);
        for (std::size_t c = 0; c < n_binary; ++c) {
            const auto n = random_size(g, c);
            auto y = random_labels(g, n, 2);
            const int kind = static_cast<int>(c % 7);
            std::vector<double> s(n);
            for (std::size_t i = 0; i < n; ++i) s[i] = random_score(g, kind, y[i]);
            input["binary"].push_back({{"labels", y}, {"scores", s}});
            mc.binary_labels.push_back(std::move(y));
            mc.binary_scores.push_back(std::move(s));
        }
        for (std::size_t c = 0; c < n_multiclass; ++c) {
            const int k = c % 5 == 4 ? 4 : 3;
            const auto n = std::max<std::size_t>(random_size(g, c), static_cast<std::size_t>(k));
            auto y = random_labels(g, n, k);
            const int kind = static_cast<int>(c % 4);
            metrics::score_matrix s(static_cast<Eigen::Index>(n), k);
            json rows = json::array();
            for (std::size_t i = 0; i < n; ++i) {
                std::vector<double> row(k);
                for (int j = 0; j < k; ++j) {
                    if (kind == 0) row[j] = g.uniform_double() + (y[i] == j ? 0.3 : 0.0);
                    if (kind == 1) row[j] = static_cast<double>(g.below(3));  // ties
                    if (kind == 2) row[j] = 2 * g.normal() + (y[i] == j);     // decision values
                    if (kind == 3) row[j] = 1.0;                              // all tied
                }
                if (kind == 0 || kind == 3) {  // probabilities: rows sum to 1
                    double sum = 0;
                    for (double v : row) sum += v;
                    for (double& v : row) v /= sum;
                }
                for (int j = 0; j < k; ++j) s(static_cast<Eigen::Index>(i), j) = row[j];
                rows.push_back(row);
            }
            input["multiclass"].push_back({{"labels", y}, {"scores", rows}});
            mc.multiclass_labels.push_back(std::move(y));
            mc.multiclass_scores.push_back(std::move(s));
        }
        testing::scratch_dir dir("metrics");
        std::ofstream(dir / "cases.json") << input.dump();
        testing::run_oracle("sklearn_metrics.py", {(dir / "cases.json").string(), (dir / "answers.json").string()});
        std::ifstream(dir / "answers.json") >> mc.answers;
        return mc;
    }();
    return cases;
}

}  // namespace

TEST_CASE("binary metrics match sklearn on random cases with ties and tiny sets", "[metrics][oracle]") {
    const auto& mc = oracle_cases();
    const auto& labels = mc.binary_labels;
    const auto& scores = mc.binary_scores;
    const auto& answers = mc.answers;
    constexpr std::size_t n_cases = n_binary;
    REQUIRE(answers["binary"].size() == n_cases);

    std::size_t with_isic = 0;
    double worst = 0;
    for (std::size_t c = 0; c < n_cases; ++c) {
        INFO("case " << c << " (n = " << labels[c].size() << ", kind " << c % 7 << ")");
        const auto& a = answers["binary"][c];
        const double auc = metrics::roc_auc(labels[c], scores[c]);
        worst = std::max(worst, std::abs(auc - a["auc"].get<double>()));
        REQUIRE(std::abs(auc - a["auc"].get<double>()) <= tol);
        const double ap = metrics::average_precision(labels[c], scores[c]);
        worst = std::max(worst, std::abs(ap - a["ap"].get<double>()));
        REQUIRE(std::abs(ap - a["ap"].get<double>()) <= tol);
        const auto roc = metrics::roc_curve(labels[c], scores[c]);
        require_close_vectors(roc.fpr, a["fpr"]);
        require_close_vectors(roc.tpr, a["tpr"]);
        require_close_vectors(roc.thresholds, a["thresholds"]);
        if (a.contains("acc")) {
            ++with_isic;
            const auto s = metrics::isic_2016_scores(labels[c], scores[c]);
            REQUIRE(std::abs(s.thresholded.accuracy - a["acc"].get<double>()) <= tol);
            REQUIRE(std::abs(s.thresholded.sensitivity - a["se"].get<double>()) <= tol);
            REQUIRE(std::abs(s.thresholded.specificity - a["sp"].get<double>()) <= tol);
            REQUIRE(std::abs(s.specificity_at_95 - a["sp95"].get<double>()) <= tol);
            REQUIRE(std::abs(s.specificity_at_98 - a["sp98"].get<double>()) <= tol);
            REQUIRE(std::abs(s.specificity_at_99 - a["sp99"].get<double>()) <= tol);
            REQUIRE(s.auc == testing::same_formula(auc));  // two call sites of roc_auc
        }
    }
    CHECK(with_isic > 300);
    WARN("binary metrics: " << n_cases << " cases (" << with_isic << " with ISIC thresholded metrics), worst |diff| "
                            << worst);
}

TEST_CASE("one-vs-one multiclass AUC matches sklearn (Hand & Till)", "[metrics][oracle]") {
    const auto& mc = oracle_cases();
    const auto& answers = mc.answers;
    constexpr std::size_t n_cases = n_multiclass;
    REQUIRE(answers["multiclass"].size() == n_cases);
    std::size_t public_checked = 0;
    for (std::size_t c = 0; c < n_cases; ++c) {
        INFO("case " << c);
        const auto& a = answers["multiclass"][c];
        const double m = metrics::one_vs_one_auc(mc.multiclass_labels[c], mc.multiclass_scores[c]);
        REQUIRE(std::abs(m - a["ovo"].get<double>()) <= tol);
        if (a.contains("ovo_public")) {
            ++public_checked;
            REQUIRE(std::abs(m - a["ovo_public"].get<double>()) <= tol);
        }
    }
    CHECK(public_checked >= 100);
}

TEST_CASE("hand-computed ROC and AP values", "[metrics]") {
    // 2 positives, 2 negatives; the positive at 0.4 ties a negative: AUC = (1 + 0.5 + 1 + 0) / 4.
    const std::vector<int> y{1, 0, 1, 0};
    const std::vector<double> s{0.9, 0.4, 0.4, 0.1};
    CHECK(metrics::roc_auc(y, s) == 0.875);
    // AP: thresholds 0.9 (P=1, R=.5), 0.4 (P=2/3, R=1): 0.5 * 1 + 0.5 * 2/3.
    CHECK(std::abs(metrics::average_precision(y, s) - (0.5 + 1.0 / 3)) < 1e-15);
    // Scorer rule is strict: a confidence of exactly 0.5 is benign.
    const auto m = metrics::isic_threshold_metrics(std::vector<int>{1, 1, 0, 0}, std::vector<double>{0.5, 0.51, 0.5, 0.2});
    CHECK(m.sensitivity == 0.5);
    CHECK(m.specificity == 1.0);
    CHECK(m.accuracy == 0.75);
    CHECK(metrics::isic_binarize(std::vector<double>{0.0, 1.0, 0.5, 0.6}) == std::vector<int>{0, 1, 0, 1});
}
