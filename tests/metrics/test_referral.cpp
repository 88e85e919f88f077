// Referral analysis on constructed cases with known answers.
#include <catch2/catch.hpp>

#include <vector>

#include "dermtl/metrics/referral.hpp"

using namespace dermtl;

TEST_CASE("referral rates on a ranked list with known answers", "[metrics][referral]") {
    // Ten cases, scores decreasing; melanomas at ranks 1, 2, 4, 7 (4 melanomas).
    const std::vector<int> y{1, 1, 0, 1, 0, 0, 1, 0, 0, 0};
    const std::vector<double> s{0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05};
    const auto t = metrics::referral_analysis(y, s, 0.5);
    REQUIRE(t.rows.size() == 5);
    const double want_sens[] = {0.25, 0.5, 0.5, 0.75, 0.75};
    const double want_confident[] = {1, 2, 3, 4, 5};
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("rate " << t.rows[i].rate);
        CHECK(t.rows[i].referred == static_cast<double>(i + 1));
        CHECK(t.rows[i].sensitivity == want_sens[i]);
        CHECK(t.rows[i].unreferred_share == 1 - want_sens[i]);
        CHECK(t.rows[i].referred_confident == want_confident[i]);
        CHECK(t.rows[i].referred_unsure == 0);
    }
    // At 50%: one melanoma (rank 7) among the 5 unreferred cases.
    CHECK(t.rows[4].unreferred_prevalence == 0.2);
    CHECK(t.rows[4].melanomas_unreferred == 1);
    // Baseline: 5 cases above 0.5 hold 3 melanomas.
    CHECK(t.baseline_rate == 0.5);
    CHECK(t.baseline_sensitivity == 0.75);
    // With the decision threshold at 0.9, referrals beyond the first are "unsure" ones.
    const auto strict = metrics::referral_analysis(y, s, 0.9, {0.3});
    CHECK(strict.rows[0].referred_confident == 1);
    CHECK(strict.rows[0].referred_unsure == 2);
    // Full referral finds every melanoma and leaves nobody unreferred.
    const auto all = metrics::referral_analysis(y, s, 0.5, {0.0, 1.0});
    CHECK(all.rows[0].sensitivity == 0);
    CHECK(all.rows[1].sensitivity == 1);
    CHECK(all.rows[1].unreferred_prevalence == 0);
    CHECK(metrics::to_markdown(t).find("| 30.0% (3) | 3 | 0 | 50.0% |") != std::string::npos);
    CHECK(metrics::to_csv(t).rfind("0.5,5,5,0,0.75,1,0.25,0.20000000000000001\n") != std::string::npos);
}

TEST_CASE("referral shares ties at the cut and ignores input order", "[metrics][referral]") {
    // All scores tied: any budget reaches exactly that share of the melanomas in expectation.
    const std::vector<int> y{1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    const std::vector<double> tied(10, 0.3);
    const auto t = metrics::referral_analysis(y, tied, 0.5);
    for (const auto& r : t.rows) CHECK(r.sensitivity == Approx(r.rate).epsilon(1e-15));
    // A tie group of 4 (2 melanomas) straddling a budget of 3: the top case plus 2 of the 4.
    const std::vector<int> y2{0, 1, 1, 0, 0, 1, 0, 0, 0, 0};
    const std::vector<double> s2{0.9, 0.6, 0.6, 0.6, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1};
    const auto t2 = metrics::referral_analysis(y2, s2, 0.5, {0.3});
    CHECK(t2.rows[0].melanomas_referred == Approx(1.0));  // 2/4 of 2 melanomas
    CHECK(t2.rows[0].sensitivity == Approx(1.0 / 3));
    // Reversing the input order changes nothing.
    std::vector<int> y3(y2.rbegin(), y2.rend());
    std::vector<double> s3(s2.rbegin(), s2.rend());
    CHECK(metrics::referral_analysis(y3, s3, 0.5, {0.3}).rows[0].sensitivity == t2.rows[0].sensitivity);
}

TEST_CASE("referral analysis rejects bad input", "[metrics][referral][bad_input]") {
    CHECK_THROWS_AS(metrics::referral_analysis(std::vector<int>{0, 0}, std::vector<double>{0.1, 0.2}, 0.5),
                    config_error);
    CHECK_THROWS_AS(metrics::referral_analysis(std::vector<int>{0, 1}, std::vector<double>{0.1}, 0.5), shape_error);
    CHECK_THROWS_AS(metrics::referral_analysis(std::vector<int>{0, 1}, std::vector<double>{0.1, 0.2}, 0.5, {1.5}),
                    config_error);
}
