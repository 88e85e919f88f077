// DeLong's AUC variance and paired test (metrics/delong.hpp) and the ROC operating points
// (metrics/operating_points.hpp): a case worked by hand, the midrank components against the
// O(m n) pairwise definition, and everything against R's pROC 1.18 (one Rscript call).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/delong.hpp"
#include "dermtl/metrics/operating_points.hpp"
#include "dermtl/metrics/roc.hpp"
#include "support/oracle.hpp"

using namespace dermtl;

namespace {

struct paired_case {
    std::vector<int> labels;
    std::vector<double> a, b;
};

// Agreement to 1e-9 (the issue's tolerance against pROC): absolute for values of order 1 or less,
// relative above.
bool agrees(double ours, double theirs, double tolerance = 1e-9) {
    return std::abs(ours - theirs) <= tolerance * std::max(1.0, std::abs(theirs));
}
// Relative agreement, for p-values (a tiny p-value must agree in its digits, not only to 1e-9).
bool agrees_relative(double ours, double theirs, double tolerance = 1e-9) {
    return std::abs(ours - theirs) <= tolerance * std::abs(theirs);
}

std::vector<std::vector<std::string>> read_csv_rows(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::stringstream ss(line);
        std::string f;
        while (std::getline(ss, f, ',')) fields.push_back(f);
        rows.push_back(fields);
    }
    return rows;
}

// Test sets: ties (scores on a 0.1 grid), an AUC below 0.5, identical scorings, the smallest
// design (2 + 2), a large one, and a rare positive class with ties in both scorings.
std::vector<paired_case> make_cases() {
    rng g(2024);
    std::vector<paired_case> cases;
    const auto add = [&](int n, double positive_share, auto score_a, auto score_b) {
        paired_case c;
        for (int i = 0; i < n; ++i) {
            const int y = i < 2 ? 1 : (i < 4 ? 0 : static_cast<int>(g.uniform_double() < positive_share));
            const double signal = g.normal();
            c.labels.push_back(y);
            c.a.push_back(score_a(y, signal));
            c.b.push_back(score_b(y, signal));
        }
        cases.push_back(c);
    };
    const auto grid = [](double x) { return std::round(x * 10) / 10; };
    add(60, 0.4, [&](int y, double s) { return grid(0.5 + 0.2 * s + 0.15 * y); },
        [&](int y, double s) { return 0.3 * s + 0.5 * y + 0.4 * g.normal(); });
    add(80, 0.5, [&](int y, double s) { return -(0.6 * y + s); },  // AUC well below 0.5
        [&](int y, double s) { return 0.6 * y + s + g.normal(); });
    add(40, 0.5, [&](int y, double s) { return y + s; }, [&](int y, double s) { return y + s; });
    cases.push_back({{1, 1, 0, 0}, {0.9, 0.4, 0.5, 0.1}, {0.2, 0.8, 0.8, 0.3}});
    add(500, 0.3, [&](int y, double s) { return 0.8 * y + s; },
        [&](int y, double s) { return 0.5 * y + s + 0.5 * g.normal(); });
    add(90, 0.06, [&](int y, double s) { return std::round(2 * (y + s)) / 2; },
        [&](int y, double s) { return std::round(y + s + g.normal()); });
    return cases;
}

}  // namespace

TEST_CASE("DeLong on a case worked by hand", "[metrics][delong]") {
    // Positives 0.9, 0.5; negatives 0.5, 0.1. V10 = (1, 0.75), V01 = (0.75, 1), AUC = 0.875,
    // var = var(V10) / 2 + var(V01) / 2 = 0.03125 / 2 + 0.03125 / 2 = 0.03125.
    const std::vector<int> y{1, 0, 1, 0};
    const std::vector<double> s{0.9, 0.5, 0.5, 0.1};
    const auto c = metrics::delong_structural_components(y, s);
    CHECK(c.positives == std::vector<double>{1.0, 0.75});
    CHECK(c.negatives == std::vector<double>{0.75, 1.0});
    CHECK(c.auc == 0.875);
    const auto v = metrics::delong_variance(y, s);
    CHECK(v.variance == Approx(0.03125).epsilon(1e-15));
    CHECK(v.interval.upper == 1.0);  // 0.875 + 1.96 * 0.177 > 1: clipped as pROC's ci.auc
    // Swapping the scorings flips z and the interval, keeps p.
    const std::vector<double> s2{0.6, 0.7, 0.4, 0.1};
    const auto t = metrics::delong_test(y, s, s2), u = metrics::delong_test(y, s2, s);
    CHECK(u.z == Approx(-t.z).epsilon(1e-14));
    CHECK(u.p_value == Approx(t.p_value).epsilon(1e-14));
    CHECK(u.interval.lower == Approx(-t.interval.upper).epsilon(1e-14));
}

TEST_CASE("DeLong's midrank components equal the pairwise definition", "[metrics][delong]") {
    rng g(11);
    for (int c = 0; c < 40; ++c) {
        const int n = 4 + static_cast<int>(g.below(80));
        std::vector<int> y(static_cast<std::size_t>(n));
        std::vector<double> s(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            y[static_cast<std::size_t>(i)] = i < 2 ? 1 : (i < 4 ? 0 : static_cast<int>(g.below(2)));
            s[static_cast<std::size_t>(i)] = c % 2 ? static_cast<double>(g.below(5)) : g.normal();
        }
        const auto comp = metrics::delong_structural_components(y, s);
        std::vector<double> x, z;
        for (int i = 0; i < n; ++i) (y[static_cast<std::size_t>(i)] ? x : z).push_back(s[static_cast<std::size_t>(i)]);
        const auto psi = [](double a, double b) { return a > b ? 1.0 : (a == b ? 0.5 : 0.0); };
        for (std::size_t i = 0; i < x.size(); ++i) {
            double v = 0;
            for (double b : z) v += psi(x[i], b);
            CHECK(comp.positives[i] == Approx(v / static_cast<double>(z.size())).epsilon(1e-14));
        }
        for (std::size_t j = 0; j < z.size(); ++j) {
            double v = 0;
            for (double a : x) v += psi(a, z[j]);
            CHECK(comp.negatives[j] == Approx(v / static_cast<double>(x.size())).epsilon(1e-14));
        }
        CHECK(comp.auc == Approx(metrics::roc_auc(y, s)).epsilon(1e-13));
    }
}

TEST_CASE("DeLong variance, paired test and operating points match R's pROC", "[metrics][delong][oracle]") {
    const auto cases = make_cases();
    testing::scratch_dir dir("delong");
    {
        std::ofstream out(dir / "cases.csv");
        out.precision(17);
        out << "case,label,a,b\n";
        for (std::size_t k = 0; k < cases.size(); ++k)
            for (std::size_t i = 0; i < cases[k].labels.size(); ++i)
                out << k << ',' << cases[k].labels[i] << ',' << cases[k].a[i] << ',' << cases[k].b[i] << '\n';
    }
    // Targets: round values, and values that fall exactly on ROC vertices (k / N, k / P).
    struct target {
        std::size_t c;
        std::string input;
        double value;
    };
    std::vector<target> targets;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        std::size_t pos = 0;
        for (int y : cases[k].labels) pos += static_cast<std::size_t>(y);
        const std::size_t neg = cases[k].labels.size() - pos;
        for (double v : {0.0, 0.25, 0.5, 0.8, 0.9, 0.95, 1.0}) {
            targets.push_back({k, "specificity", v});
            targets.push_back({k, "sensitivity", v});
        }
        targets.push_back({k, "specificity", static_cast<double>(neg - 1) / static_cast<double>(neg)});
        targets.push_back({k, "sensitivity", static_cast<double>(pos - 1) / static_cast<double>(pos)});
        targets.push_back({k, "specificity", static_cast<double>(neg / 2) / static_cast<double>(neg)});
        targets.push_back({k, "sensitivity", static_cast<double>(pos / 2) / static_cast<double>(pos)});
    }
    {
        std::ofstream out(dir / "targets.csv");
        out.precision(17);
        out << "case,input,value\n";
        for (const auto& t : targets) out << t.c << ',' << t.input << ',' << t.value << '\n';
    }
    testing::run_r_oracle("proc_delong.R", {(dir / "cases.csv").string(), (dir / "targets.csv").string(),
                                            (dir / "answers.csv").string(), (dir / "points.csv").string()});
    const auto answers = read_csv_rows(dir / "answers.csv");
    REQUIRE(answers.size() == cases.size());
    bool saw_below_half = false, saw_identical = false;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        INFO("case " << k);
        const auto& a = answers[k];
        REQUIRE(a.size() == 11);
        const auto num = [&](int i) { return std::stod(a[static_cast<std::size_t>(i)]); };
        const auto& c = cases[k];
        const auto v = metrics::delong_variance(c.labels, c.a);
        const auto t = metrics::delong_test(c.labels, c.a, c.b);
        CHECK(agrees(v.auc, num(1)));
        CHECK(agrees(v.variance, num(2)));
        CHECK(agrees(v.interval.lower, num(3)));
        CHECK(agrees(v.interval.upper, num(4)));
        CHECK(agrees(t.auc_a, num(1)));
        CHECK(agrees(t.variance_a, num(2)));
        CHECK(agrees(t.auc_b, num(5)));
        CHECK(agrees(t.variance_b, num(6)));
        CHECK(agrees(metrics::delong_variance(c.labels, c.b).variance, num(6)));
        CHECK(agrees(t.z, num(7)));
        CHECK(agrees_relative(t.p_value, num(8)));
        CHECK(agrees(t.interval.lower, num(9)));
        CHECK(agrees(t.interval.upper, num(10)));
        saw_below_half = saw_below_half || v.auc < 0.5;
        saw_identical = saw_identical || (t.z == 0 && t.p_value == 1);
    }
    CHECK(saw_below_half);
    CHECK(saw_identical);

    const auto points = read_csv_rows(dir / "points.csv");
    REQUIRE(points.size() == targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const auto& t = targets[i];
        INFO("case " << t.c << ", " << t.input << " " << t.value);
        const auto& c = cases[t.c];
        const auto p = t.input == "specificity" ? metrics::operating_point_at_specificity(c.labels, c.a, t.value)
                                                : metrics::operating_point_at_sensitivity(c.labels, c.a, t.value);
        CHECK(agrees(p.sensitivity, std::stod(points[i][3]), 1e-12));
        CHECK(agrees(p.specificity, std::stod(points[i][4]), 1e-12));
    }
}

TEST_CASE("DeLong and operating points refuse bad input", "[metrics][delong][bad_input]") {
    const std::vector<int> y{1, 0, 0, 0};
    const std::vector<double> s{0.9, 0.5, 0.3, 0.1};
    CHECK_THROWS_WITH(metrics::delong_variance(y, s),
                      Catch::Contains("at least 2 positives and 2 negatives") && Catch::Contains("found 1 positives"));
    const std::vector<int> y2{1, 1, 0, 0};
    CHECK_THROWS_AS(metrics::delong_test(y2, s, std::vector<double>{0.1, 0.2, 0.3}), shape_error);
    CHECK_THROWS_AS(metrics::delong_test(y2, s, std::vector<double>{0.1, std::nan(""), 0.3, 0.4}), numeric_error);
    CHECK_THROWS_WITH(metrics::operating_point_at_specificity(y2, s, 1.2),
                      Catch::Contains("expected a specificity in [0, 1], found 1.2"));
    CHECK_THROWS_AS(metrics::operating_point_at_sensitivity(std::vector<int>{1, 1}, std::vector<double>{1, 2}, 0.5),
                    config_error);
}

TEST_CASE("Operating points share ties and read the polyline's steps", "[metrics][operating_points]") {
    // Scores (label): 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (1) and 0.6 (0) tied, 0.2 (0).
    const std::vector<int> y{1, 1, 0, 1, 0, 0};
    const std::vector<double> s{0.9, 0.8, 0.7, 0.6, 0.6, 0.2};
    // Specificity 1: the top of the first vertical step (2 of 3 positives before any negative).
    auto p = metrics::operating_point_at_specificity(y, s, 1.0);
    CHECK(p.sensitivity == Approx(2.0 / 3).epsilon(1e-14));
    CHECK(p.threshold == 0.8);
    // Specificity 1/2: halfway through the tied group at 0.6 (fp 1 -> 2), sensitivity 2/3 -> 1.
    p = metrics::operating_point_at_specificity(y, s, 0.5);
    CHECK(p.sensitivity == Approx(5.0 / 6).epsilon(1e-14));
    CHECK(p.threshold == 0.6);
    CHECK(p.share_at_threshold == Approx(0.5).epsilon(1e-14));
    // Sensitivity 2/3: the left end of the horizontal step: specificity 1.
    CHECK(metrics::operating_point_at_sensitivity(y, s, 2.0 / 3).specificity == 1.0);
    // Sensitivity 5/6: inside the tie, specificity 2/3 -> 1/3 halfway.
    CHECK(metrics::operating_point_at_sensitivity(y, s, 5.0 / 6).specificity == Approx(0.5).epsilon(1e-14));
    // The referral primitive: 4 cases called positive = all of the tie at 0.6 but one half.
    const auto c = metrics::detail::binary_clf_curve(y, s);
    CHECK(metrics::detail::point_at_called_positive(c, 4).true_positives == Approx(2.5).epsilon(1e-14));
    CHECK(metrics::detail::point_at_called_positive(c, 0).true_positives == 0.0);
    CHECK(metrics::detail::point_at_called_positive(c, 6).false_positives == 3.0);
}
