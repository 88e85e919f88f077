// Report tables: exact Markdown and CSV of a small known table, significance against the best
// cell, Table 4 strata, JSON round trip, base64.
#include <catch2/catch.hpp>

#include "support/compare.hpp"

#include <string>
#include <vector>

#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include "dermtl/metrics/significance.hpp"
#include "dermtl/report/csv.hpp"
#include "dermtl/report/files.hpp"
#include "dermtl/report/json.hpp"
#include "dermtl/report/markdown.hpp"
#include "report_fixtures.hpp"

using namespace dermtl;
using dermtl::testing::folds;

TEST_CASE("Markdown of a small table in the paper's layout", "[report][markdown]") {
    const auto t = testing::small_table();
    const std::string want =
        "## Table 1. Main results\n"
        "\n"
        "AUC in %, mean ± standard deviation over 2 test folds; paper: the value published in the paper for the "
        "same configuration; bold: the best of each row.\n"
        "\n"
        "| Experimental design | From ImageNet / no FT | From ImageNet / no FT: paper | From ImageNet / with FT | "
        "From ImageNet / with FT: paper |\n"
        "|---|---:|---:|---:|---:|\n"
        "| Malignant vs. Benign | 75.0 ± 7.1 | 79.1 | **85.0 ± 7.1** | 82.5 |\n"
        "| Melanoma vs. Benign | 65.0 ± 7.1 | — | — | — |\n"
        "\n"
        "### Significance (5x2cv)\n"
        "\n"
        "No test: needs the 10 fold results of 5x2 CV; found 2 and 2 in every comparison.\n";
    CHECK(report::to_markdown(t) == want);
}

TEST_CASE("CSV of a small table: mean, std and published value per column, in %", "[report][csv]") {
    const auto t = testing::small_table();
    const std::string want =
        "Experimental design,kind,From ImageNet / no FT mean (%),From ImageNet / no FT std (%),From ImageNet / no FT "
        "paper (%),From ImageNet / with FT mean (%),From ImageNet / with FT std (%),From ImageNet / with FT paper (%)\n"
        "Malignant vs. Benign,measured,75.00,7.07,79.10,85.00,7.07,82.50\n"
        "Melanoma vs. Benign,measured,65.00,7.07,,,,\n";
    CHECK(report::to_csv(t) == want);
    const auto ks = report::compare_against_best(t);
    CHECK(report::to_csv(t, ks) ==
          "Experimental design,column,best row,best column,difference (pp),t,t df,p (t),F,F df1,F df2,p (F),note\n"
          "Malignant vs. Benign,From ImageNet / no FT,Malignant vs. Benign,From ImageNet / with FT,10.00,,,,,,,,"
          "needs the 10 fold results of 5x2 CV; found 2 and 2\n");
}

TEST_CASE("CSV quotes names holding commas and quotes", "[report][csv]") {
    report::table t;
    t.id = "q";
    t.add_column("", "a, b");
    const auto r = t.add_row("say \"hi\"");
    t.set(r, 0, folds({0.5}));
    CHECK(report::to_csv(t) == "Experimental design,kind,\"a, b mean (%)\",\"a, b std (%)\"\n\"say \"\"hi\"\"\",measured,50.00,0.00\n");
}

TEST_CASE("Significance: each column against the best of its row, 5x2cv t and F", "[report][significance]") {
    report::table t;
    t.id = "sig";
    for (const char* c : {"A", "B", "C"}) t.add_column("", c);
    const auto r = t.add_row("design");
    const auto a = testing::ten_folds(0.70, 0.03), b = testing::ten_folds(0.80, 0.02), c = testing::ten_folds(0.75, 0.04);
    t.set(r, 0, folds(a));
    t.set(r, 1, folds(b));
    t.set(r, 2, folds(c));
    const auto ks = report::compare_against_best(t);
    REQUIRE(ks.size() == 2);
    CHECK(ks[0].column == 0);
    CHECK(ks[1].column == 2);
    for (const auto& k : ks) {
        CHECK(k.best_column == 1);
        const auto& other = k.column == 0 ? a : c;
        const auto want_t = metrics::paired_t_test_5x2cv(b, other);
        const auto want_f = metrics::combined_f_test_5x2cv(b, other);
        REQUIRE(k.t);
        REQUIRE(k.f);
        // The report's statistics and these come from two call sites (testing::same_formula).
        CHECK(k.t->statistic == testing::same_formula(want_t.statistic));
        CHECK(k.t->p_value == testing::same_formula(want_t.p_value));
        CHECK(k.f->statistic == testing::same_formula(want_f.statistic));
        CHECK(k.f->p_value == testing::same_formula(want_f.p_value));
        CHECK(k.difference == Approx(folds(b).mean - folds(other).mean));
        CHECK(k.note.empty());
    }
    CHECK(report::is_best(ks, 0, 1));
    CHECK_FALSE(report::is_best(ks, 0, 0));
    // Markdown shows the statistics with three decimals.
    const auto md = report::to_markdown(t);
    CHECK(md.find("| design | A | B | " + report::detail::percent(ks[0].difference) + " | " +
                  report::detail::fixed(ks[0].t->statistic, 3) + " | " + report::detail::p_text(ks[0].t->p_value)) !=
          std::string::npos);
}

TEST_CASE("Significance: no p-values for folds that are not 5 independent replications", "[report][significance][design]") {
    report::table t;
    t.id = "sig-design";
    for (const char* c : {"A", "B", "C"}) t.add_column("", c);
    const auto r = t.add_row("design");
    t.set(r, 0, folds(testing::ten_folds(0.70, 0.03)));
    t.set(r, 1, folds(testing::ten_folds(0.80, 0.02)));
    t.set(r, 2, folds(testing::ten_folds(0.75, 0.04)));
    // Test ids of ten folds: 5 replications of halves {0..9} / {10..19}, replication 2 reusing
    // replication 1's partition (as the reference's runs 2x1, 2x2 do).
    auto ids = [](int from) {
        std::vector<std::string> v;
        for (int i = from; i < from + 10; ++i) v.push_back("s" + std::to_string(i));
        return v;
    };
    std::vector<std::vector<std::string>> test;
    for (int rep = 0; rep < 5; ++rep) {
        auto lo = ids(0), hi = ids(10);
        if (rep >= 2) std::swap(lo[rep], hi[rep]);  // replications 3..5: each its own partition
        test.push_back(lo);
        test.push_back(hi);
    }
    const auto repeated = metrics::check_five_by_two_design(test);
    REQUIRE_FALSE(repeated.valid());
    std::swap(test[2][0], test[3][0]);  // replication 2 now a partition of its own
    const auto independent = metrics::check_five_by_two_design(test);
    REQUIRE(independent.valid());
    t.set_design(r, 0, independent);
    t.set_design(r, 1, independent);
    t.set_design(r, 2, repeated);
    const auto ks = report::compare_against_best(t);
    REQUIRE(ks.size() == 2);
    CHECK(ks[0].t);  // A against B: both valid
    CHECK(ks[0].note.empty());
    CHECK_FALSE(ks[1].t);  // C against B: C's folds repeat a partition
    CHECK_FALSE(ks[1].f);
    CHECK_THAT(ks[1].note, Catch::Contains("no p-values") &&
                               Catch::Contains("replication 2 (fold 3, fold 4) repeats the partition of replication 1"));
    CHECK_THAT(report::to_markdown(t), Catch::Contains("replication 2 (fold 3, fold 4) repeats"));
    // The JSON keeps each cell's design, so a re-rendered report omits the same p-values.
    report::report rep;
    rep.tables.push_back(t);
    const auto back = report::report_from_json(report::to_json(rep));
    REQUIRE(back.tables[0].rows[0].cells[2].design);
    CHECK(back.tables[0].rows[0].cells[2].design->problems == repeated.problems);
    CHECK(back.tables[0].rows[0].cells[0].design->valid());
    const auto again = report::compare_against_best(back.tables[0]);
    CHECK(again[0].t);
    CHECK(again[1].note == ks[1].note);
}

TEST_CASE("Significance along rows (Table 3) and none (Table 4)", "[report][significance]") {
    auto rep = testing::full_report();
    const auto& t3 = rep.tables[2];
    const auto ks = report::compare_against_best(t3);
    REQUIRE(ks.size() == 3);  // VGG-M against VGG-16 in each column
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(ks[i].row == 0);
        CHECK(ks[i].best_row == 1);
        CHECK(ks[i].column == i);
        CHECK(ks[i].best_column == i);
    }
    CHECK(report::compare_against_best(rep.tables[1]).empty());
    CHECK(report::compare_against_best(rep.tables[3]).empty());
    CHECK(report::to_markdown(t3).find("bold: the best of each column") != std::string::npos);
}

TEST_CASE("Table 4: strata columns with shares", "[report][strata]") {
    const auto rep = testing::full_report();
    const auto& t4 = rep.tables[3];
    REQUIRE(t4.columns.size() == 4);
    CHECK(t4.columns[3].name == "All");
    // Strata are i % 3 over 120 cases per fold: 40 each.
    for (std::size_t s = 0; s < 3; ++s) CHECK(*t4.rows[0].cells[s].share == Approx(1.0 / 3));
    CHECK(*t4.rows[0].cells[3].share == 1.0);
    const auto md = report::to_markdown(t4);
    CHECK(md.find("Share of the test cases per stratum. Malignant vs. Benign: Low 33.3%, Medium 33.3%, High 33.3%.") !=
          std::string::npos);
    const auto csv = report::to_csv(t4);
    CHECK(csv.find("Low share (%)") != std::string::npos);
    CHECK(csv.find(",33.33") != std::string::npos);
}

TEST_CASE("Published rows (Table 2) show the quoted numbers", "[report][markdown]") {
    const auto rep = testing::full_report();
    const auto md = report::to_markdown(rep.tables[1]);
    CHECK(md.find("| 1st place (published) | 80.4 | 63.7 | 85.5 | 50.7 | 94.1 |") != std::string::npos);
    CHECK(md.find("| dermtl | 79.7 | 53.9 | 78.2 | 46.6 | 87.1 |") != std::string::npos);
    CHECK(md.find("Significance") == std::string::npos);
}

TEST_CASE("JSON holds every number and reads back exactly", "[report][json]") {
    const auto rep = testing::full_report();
    const std::string text = report::to_json(rep).dump(2);
    const auto j = nlohmann::json::parse(text);
    CHECK(j["format"] == "dermtl-report");
    CHECK(j["tables"].size() == 4);
    const auto& cell = rep.tables[0].rows[1].cells[4];
    const auto& jc = j["tables"][0]["rows"][1]["cells"][4];
    CHECK(jc["value"]["mean"].get<double>() == cell.value->mean);
    CHECK(jc["value"]["std_dev"].get<double>() == cell.value->std_dev);
    CHECK(jc["value"]["per_fold"].get<std::vector<double>>() == cell.value->per_fold);
    CHECK(jc["reference"].get<double>() == *cell.reference);
    CHECK(j["tables"][0]["significance"].size() == 15);  // 3 rows x 5 non-best columns
    CHECK(j["tables"][0]["roc"][2]["fpr"].get<std::vector<double>>() == rep.tables[0].roc[2].curve.fpr);
    CHECK(j["tables"][1]["rows"][0]["cells"][0]["value"].is_null());

    const auto back = report::report_from_json(j);
    REQUIRE(back.tables.size() == rep.tables.size());
    CHECK(back.title == rep.title);
    CHECK(back.metadata == rep.metadata);
    for (std::size_t i = 0; i < rep.tables.size(); ++i) {
        const auto &a = rep.tables[i], &b = back.tables[i];
        CHECK(a.id == b.id);
        CHECK(a.columns == b.columns);
        CHECK(a.compare == b.compare);
        REQUIRE(a.rows.size() == b.rows.size());
        for (std::size_t r = 0; r < a.rows.size(); ++r)
            for (std::size_t c = 0; c < a.columns.size(); ++c) {
                const auto &x = a.rows[r].cells[c], &y = b.rows[r].cells[c];
                CHECK(x.reference == y.reference);
                CHECK(x.share == y.share);
                REQUIRE(x.value.has_value() == y.value.has_value());
                if (x.value) {
                    CHECK(x.value->mean == y.value->mean);
                    CHECK(x.value->std_dev == y.value->std_dev);
                    CHECK(x.value->per_fold == y.value->per_fold);
                }
            }
        REQUIRE(a.roc.size() == b.roc.size());
        for (std::size_t k = 0; k < a.roc.size(); ++k) {
            CHECK(a.roc[k].auc == b.roc[k].auc);
            CHECK(a.roc[k].curve.tpr == b.roc[k].curve.tpr);
            CHECK(a.roc[k].curve.thresholds == b.roc[k].curve.thresholds);
        }
    }
    REQUIRE(back.referrals.size() == 2);
    CHECK(back.referrals[1].table.rows[2].sensitivity == rep.referrals[1].table.rows[2].sensitivity);
    CHECK(back.referrals[0].table.baseline_sensitivity == rep.referrals[0].table.baseline_sensitivity);
    // Same report, same bytes.
    CHECK(report::to_json(back).dump(2) == text);
}

TEST_CASE("ROC series from pooled folds match metrics::roc_curve", "[report][roc]") {
    const auto rep = testing::full_report();
    const auto& s = rep.tables[0].roc[3];
    std::vector<int> y;
    std::vector<double> x;
    for (int f = 0; f < 2; ++f) {
        const auto fold = testing::binary_fold(90, 0.2 + 0.15 * 3, 30 + f);
        y.insert(y.end(), fold.labels.begin(), fold.labels.end());
        x.insert(x.end(), fold.scores.data(), fold.scores.data() + fold.scores.rows());
    }
    CHECK(s.column == 3);
    CHECK(s.auc == testing::same_formula(metrics::roc_auc(y, x)));
    CHECK(s.curve.fpr == metrics::roc_curve(y, x).fpr);
    CHECK(s.n_positives + s.n_negatives == 180);
}

TEST_CASE("base64 through Boost's iterators: RFC 4648 vectors and a round trip", "[report][base64]") {
    CHECK(report::base64("") == "");
    CHECK(report::base64("f") == "Zg==");
    CHECK(report::base64("fo") == "Zm8=");
    CHECK(report::base64("foo") == "Zm9v");
    CHECK(report::base64("foob") == "Zm9vYg==");
    CHECK(report::base64("fooba") == "Zm9vYmE=");
    CHECK(report::base64("foobar") == "Zm9vYmFy");
    std::string bytes;
    for (int i = 0; i < 1000; ++i) bytes += static_cast<char>((i * 37) & 0xff);
    const std::string enc = report::base64(bytes);
    using namespace boost::archive::iterators;
    using decoder = transform_width<binary_from_base64<std::string::const_iterator>, 8, 6>;
    std::string stripped = enc.substr(0, enc.find('='));
    std::string dec(decoder(stripped.cbegin()), decoder(stripped.cend()));
    CHECK(dec == bytes);
}

TEST_CASE("Table 2 from ISIC 2016 scores with the published rows", "[report][isic]") {
    report::table t;
    t.id = "table2";
    t.title = "Table 2";
    report::add_isic_columns(t);
    const std::vector<int> y{0, 0, 0, 1, 1, 0, 1, 0};
    const std::vector<double> s{0.1, 0.4, 0.6, 0.7, 0.9, 0.2, 0.45, 0.3};
    const auto scores = metrics::isic_2016_scores(y, s);
    const auto first = t.add_row("1st place", report::row_kind::published);
    const double published[] = {.804, .637, .855, .507, .941};
    for (std::size_t c = 0; c < 5; ++c) t.set_reference(first, c, published[c]);
    const auto ours = t.add_row("dermtl");
    const double paper[] = {.807, .549, .792, .476, .881};
    report::set_isic_row(t, ours, scores, paper);
    CHECK(t.rows[ours].cells[0].value->mean == scores.auc);
    CHECK(t.rows[ours].cells[1].value->mean == scores.average_precision);
    CHECK(t.rows[ours].cells[4].value->mean == scores.thresholded.specificity);
    const auto md = report::to_markdown(t);
    CHECK(md.find("| Experimental design | AUC | AUC: paper | mAP | mAP: paper |") != std::string::npos);
    CHECK(md.find("| 1st place (published) | 80.4 | — | 63.7 | — |") != std::string::npos);
    CHECK(md.find("| dermtl | " + report::detail::percent(scores.auc) + " | 80.7 | ") != std::string::npos);
    CHECK(md.find("on a single test split") != std::string::npos);
    CHECK_THROWS_AS(report::set_isic_row(t, ours, scores, std::vector<double>{0.5}), shape_error);
}

TEST_CASE("Significance notes: listed per comparison when some are defined", "[report][significance]") {
    report::table t;
    t.id = "mixed";
    for (const char* c : {"A", "B", "C"}) t.add_column("", c);
    const auto r = t.add_row("design");
    t.set(r, 0, folds(testing::ten_folds(0.70, 0.03)));
    t.set(r, 1, folds(testing::ten_folds(0.80, 0.02)));
    t.set(r, 2, folds({0.6, 0.65}));  // a 2-fold cell among 5x2 ones
    const auto ks = report::compare_against_best(t);
    REQUIRE(ks.size() == 2);
    CHECK(report::common_note(ks).empty());
    const auto md = report::to_markdown(t);
    CHECK(md.find("| design | C | B | 17.5 | — | — | — | needs the 10 fold results of 5x2 CV; found 10 and 2 |") !=
          std::string::npos);
    CHECK(md.find("| design | A | B | ") != std::string::npos);
}

// Issue 16: a published value is never shown as ours. Before, a measured row could hold the
// paper's number alone (a single-cell run's Table 1 showed "Melanoma vs. Benign | 75.7" with no
// measurement), printed bare in Markdown and as a kind=measured CSV row with only a paper field.
TEST_CASE("Published values: only beside ours, in a column marked as the paper's", "[report][published]") {
    report::table t;
    t.id = "table1";
    t.title = "Table 1";
    t.value_label = "AUC";
    t.add_column("From ImageNet", "with FT");
    const auto mal = t.add_row("Malignant vs. Benign");
    t.set(mal, 0, folds({0.8, 0.9}), 0.825);
    const auto mel = t.add_row("Melanoma vs. Benign");
    t.set_reference(mel, 0, 0.757);  // the paper's value of a cell this run has no result for
    CHECK_THROWS_WITH(report::validate(t), Catch::Contains("row 'Melanoma vs. Benign'") &&
                                               Catch::Contains("expected the paper's value only beside a value of ours"));
    CHECK_THROWS_AS(report::to_markdown(t), config_error);
    CHECK_THROWS_AS(report::to_csv(t), config_error);
    CHECK_THROWS_AS(report::to_json(t), config_error);

    // Without the paper's value the row holds nothing of ours: refused too (a kind=measured CSV
    // row must hold a measurement).
    t.rows[mel].cells[0].reference.reset();
    CHECK_THROWS_WITH(report::validate(t), Catch::Contains("row 'Melanoma vs. Benign'") &&
                                               Catch::Contains("expected at least one measured value"));
    t.rows.pop_back();
    const auto md = report::to_markdown(t);
    CHECK(md.find("| Experimental design | From ImageNet / with FT | From ImageNet / with FT: paper |") != std::string::npos);
    CHECK(md.find("| Malignant vs. Benign | 85.0 ± 7.1 | 82.5 |") != std::string::npos);
    CHECK(md.find("75.7") == std::string::npos);
    CHECK(report::to_csv(t) ==
          "Experimental design,kind,From ImageNet / with FT mean (%),From ImageNet / with FT std (%),"
          "From ImageNet / with FT paper (%)\n"
          "Malignant vs. Benign,measured,85.00,7.07,82.50\n");
    // Every kind=measured row of a written table holds a measurement: one of its "mean (%)"
    // fields is filled (the fixtures' labels hold no commas, so a plain split reads the CSV).
    auto split = [](const std::string& line) {
        std::vector<std::string> f(1);
        for (char ch : line)
            if (ch == ',') f.emplace_back();
            else f.back().push_back(ch);
        return f;
    };
    for (const auto& table : testing::full_report().tables) {
        std::vector<std::vector<std::string>> rows;
        const auto csv = report::to_csv(table);
        for (std::size_t pos = 0, end; pos < csv.size(); pos = end + 1) {
            end = csv.find('\n', pos);
            rows.push_back(split(csv.substr(pos, end - pos)));
        }
        for (std::size_t r = 1; r < rows.size(); ++r) {
            if (rows[r][1] != "measured") continue;
            bool measured = false;
            for (std::size_t c = 2; c < rows[0].size(); ++c)
                measured |= rows[0][c].ends_with(" mean (%)") && !rows[r][c].empty();
            CHECK(measured);
        }
    }
}

TEST_CASE("Published values of another configuration: a note says what differs", "[report][published]") {
    auto t = testing::small_table();
    t.paper_note = "network VGG-M scaled (64 px, widths / 8) (the paper: VGG-M).";
    const auto md = report::to_markdown(t);
    CHECK(md.find("paper: the value published in the paper for its own configuration, which differs from this run's") !=
          std::string::npos);
    CHECK(md.find("Compared with the paper on request, although the configuration differs: network VGG-M scaled (64 px, "
                  "widths / 8) (the paper: VGG-M).") != std::string::npos);
    CHECK(report::to_csv(t).find("From ImageNet / with FT paper, other configuration (%)") != std::string::npos);
    const auto back = report::report_from_json(report::to_json(report::report{"r", {}, {t}, {}}));
    CHECK(back.tables[0].paper_note == t.paper_note);
    // The same table of the paper's own configuration says so.
    CHECK(report::to_markdown(testing::small_table()).find("for the same configuration") != std::string::npos);
}

