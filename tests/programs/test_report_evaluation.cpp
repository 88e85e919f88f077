// Issue 26, "In the report": report_of really fills the intervals, the subgroup tables (Table 4
// among them, under the too-small rule), the operating points and the calibration from the
// results' per-image predictions, and the writers carry every number. The results are made up, the
// catalog is built by hand (no compiled cell needed); AUCs are checked against a pairwise count
// written here (the Mann-Whitney statistic), independent of metrics/roc.hpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/operating_points.hpp"
#include "dermtl/report/csv.hpp"
#include "dermtl/report/json.hpp"
#include "dermtl/report/markdown.hpp"
#include "programs/subgroups.hpp"
#include "programs/tables.hpp"

using namespace dermtl;

namespace {

// P(score of a positive > score of a negative) + half the ties: the AUC, counted pair by pair.
double pairwise_auc(const std::vector<int>& labels, const std::vector<double>& scores) {
    double wins = 0, pairs = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
        for (std::size_t j = 0; j < labels.size(); ++j)
            if (labels[i] == 1 && labels[j] == 0) {
                pairs += 1;
                wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
            }
    return wins / pairs;
}

protocol::registry_entry entry(const std::string& labeling, const std::string& title) {
    protocol::registry_entry e;
    e.id.model = {"m", "Model M"};
    e.id.backend = {"cpu", "CPU"};
    e.id.transfer = {"imagenet", "From ImageNet"};
    e.id.finetune = {"finetune", "with FT"};
    e.id.labeling = {labeling, title};
    e.facts.paper_design = true;
    e.facts.imagenet_finetuned = true;
    e.facts.classes = 2;
    return e;
}

// 2 folds (one repetition: disjoint test images) of 80 images; difficulty low/medium for most,
// "high" only for images 0, 2, 4 (3 positives in all) and 1, 3, ..., 19 (10 negatives).
protocol::experiment_result result(const protocol::registry_entry& e, double signal, std::uint64_t seed) {
    rng r(seed);
    protocol::experiment_result out;
    out.id = e.id;
    std::vector<double> aucs;
    for (std::size_t f = 0; f < 2; ++f) {
        protocol::fold_result fr;
        fr.fold = "Fold_" + std::to_string(f + 1);
        const std::size_t n = 40;
        fr.predictions.scores = metrics::score_matrix(Eigen::Index(n), 1);
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t image = f * n + k;
            const int y = int(image % 2 == 0);
            const bool high = image < 20 && (y == 0 || image <= 4);
            fr.ids.push_back("img" + std::to_string(image));
            fr.predictions.labels.push_back(y);
            fr.predictions.strata.push_back(high ? 3 : 1 + int(image / 2 % 2));
            fr.predictions.scores(Eigen::Index(k), 0) = signal * y + r.normal();
            fr.confidences.push_back(1.0 / (1.0 + std::exp(-fr.predictions.scores(Eigen::Index(k), 0))));
        }
        fr.auc = metrics::fold_auc(fr.predictions);
        fr.chosen_c = 1;
        aucs.push_back(fr.auc);
        out.folds.push_back(std::move(fr));
    }
    out.auc = metrics::summarize_folds(aucs);
    return out;
}

// Age (numbers, some blank) and sex of every image.
programs::image_metadata metadata() {
    programs::image_metadata m;
    for (std::size_t i = 0; i < 80; ++i) {
        const std::string id = "img" + std::to_string(i);
        m["age"][id] = i % 9 == 0 ? "" : std::to_string(10 + (i * 7) % 70) + ".0";
        m["sex"][id] = i % 3 == 0 ? "female" : "male";
    }
    return m;
}

const report::table& table_named(const report::report& rep, const std::string& id) {
    for (const auto& t : rep.tables)
        if (t.id == id) return t;
    FAIL("the report has no table '" << id << "'");
    throw;
}

// Per fold, the labels and scores of the cases whose stratum `keep` accepts.
double fold_mean_auc(const protocol::experiment_result& r, const std::function<bool(std::size_t, std::size_t)>& keep) {
    double sum = 0;
    int defined = 0;
    for (std::size_t f = 0; f < r.folds.size(); ++f) {
        std::vector<int> l;
        std::vector<double> s;
        for (std::size_t i = 0; i < r.folds[f].ids.size(); ++i)
            if (keep(f, i)) {
                l.push_back(r.folds[f].predictions.labels[i]);
                s.push_back(r.folds[f].predictions.scores(Eigen::Index(i), 0));
            }
        if (std::count(l.begin(), l.end(), 1) == 0 || std::count(l.begin(), l.end(), 0) == 0) continue;
        sum += pairwise_auc(l, s);
        ++defined;
    }
    return sum / defined;
}

}  // namespace

TEST_CASE("report_of fills subgroups, Table 4's too-small rule, operating points, intervals", "[programs][report]") {
    protocol::registry catalog;
    catalog.add(entry("malignant_vs_benign", "Malignant vs. Benign"));
    catalog.add(entry("melanoma_vs_benign", "Melanoma vs. Benign"));
    const std::vector<protocol::experiment_result> results{result(catalog.entries()[0], 1.2, 1),
                                                           result(catalog.entries()[1], 0.8, 2)};
    programs::subgroup_settings sg;
    sg.metadata = metadata();
    sg.columns = {"age", "sex"};
    const auto rep = programs::report_of(results, catalog, "evaluation", programs::paper_comparison{}, false, sg);

    SECTION("Table 4 is the difficulty instance, under the rule") {
        const auto& t4 = table_named(rep, "table4");
        REQUIRE(t4.columns.size() == 4);
        CHECK(t4.columns[0].name == "low");
        CHECK(t4.columns[2].name == "high");
        CHECK(t4.columns[3].name == "All");
        REQUIRE(t4.rows.size() == 2);
        const auto& high = t4.rows[0].cells[2];
        // 3 positives (images 0, 2, 4) < 5: too small, no number; its counts still shown.
        CHECK(!high.value);
        CHECK(high.intervals.empty());
        CHECK(high.too_small.find("3 positives < 5") != std::string::npos);
        REQUIRE(high.counts);
        CHECK(high.counts->positives == 3);
        CHECK(high.counts->negatives == 10);
        const auto& r = results[0];
        const auto& low = t4.rows[0].cells[0];
        REQUIRE(low.value);
        CHECK(low.value->mean == Approx(fold_mean_auc(r, [&](std::size_t f, std::size_t i) {
                                     return r.folds[f].predictions.strata[i] == 1;
                                 })).epsilon(1e-12));
        REQUIRE(low.intervals.size() == 1);
        CHECK(low.intervals[0].lower <= low.value->mean);
        CHECK(low.value->mean <= low.intervals[0].upper);
        const auto& all = t4.rows[0].cells[3];
        REQUIRE(all.value);
        CHECK(all.value->mean == Approx(fold_mean_auc(r, [](std::size_t, std::size_t) { return true; })).epsilon(1e-12));
        CHECK(all.counts->cases == 80);
        CHECK(*all.share == 1.0);
        std::size_t cases = 0;
        for (std::size_t c = 0; c < 3; ++c) cases += t4.rows[0].cells[c].counts->cases;
        CHECK(cases == 80);

        // A lower minimum shows the stratum.
        programs::subgroup_settings one = sg;
        one.min_cases = 3;
        const auto t4_small = programs::table4(results, catalog, "m", {}, one);
        CHECK(t4_small.rows[0].cells[2].too_small.empty());
        CHECK(t4_small.rows[0].cells[2].value);
    }

    SECTION("subgroup tables by metadata columns, age in 15-year bands") {
        const auto& age = table_named(rep, "subgroups_age");
        std::vector<std::string> names;
        for (const auto& c : age.columns) names.push_back(c.name);
        CHECK(names == std::vector<std::string>{"0-14", "15-29", "30-44", "45-59", "60-74", "unknown", "All"});
        const auto& sex = table_named(rep, "subgroups_sex");
        REQUIRE(sex.columns.size() == 3);
        CHECK(sex.columns[0].name == "female");
        const auto& r = results[1];
        const auto female = sg.metadata.at("sex");
        REQUIRE(sex.rows[1].cells[0].value);
        CHECK(sex.rows[1].cells[0].value->mean == Approx(fold_mean_auc(r, [&](std::size_t f, std::size_t i) {
                                                      return female.at(r.folds[f].ids[i]) == "female";
                                                  })).epsilon(1e-12));
        CHECK(sex.rows[1].cells[0].counts->cases == 27);  // i % 3 == 0 for i < 80
        CHECK(!sex.rows[1].cells[0].intervals.empty());
    }

    SECTION("operating points with intervals; calibration; intervals in the tables with means") {
        const auto& op = table_named(rep, "operating_points");
        REQUIRE(op.columns.size() == 6);
        CHECK(op.columns[1].label() == "SE at fixed SP / SP 90%");
        const auto& r = results[0];
        double se = 0;
        for (const auto& f : r.folds)
            se += metrics::operating_point_at_specificity(
                      f.predictions.labels, std::span<const double>(f.predictions.scores.data(), 40), 0.9)
                      .sensitivity;
        REQUIRE(op.rows[0].cells[1].value);
        CHECK(op.rows[0].cells[1].value->mean == Approx(se / 2).epsilon(1e-12));
        CHECK(op.rows[0].cells[1].intervals.size() == 1);
        CHECK(rep.calibrations.size() == 2);
        for (const auto& t : rep.tables)
            for (const auto& row : t.rows)
                for (const auto& x : row.cells)
                    if (x.value) CHECK(!x.intervals.empty());
    }

    SECTION("the writers carry the counts and the rule") {
        const auto& t4 = table_named(rep, "table4");
        const auto md = report::to_markdown(t4);
        CHECK(md.find("too small (n 13)") != std::string::npos);
        const auto csv = report::to_csv(t4);
        CHECK(csv.find("high too small") != std::string::npos);
        CHECK(csv.find("3 positives < 5") != std::string::npos);
        const auto back = report::report_from_json(report::to_json(rep));
        const auto& t4_back = table_named(back, "table4");
        CHECK(t4_back.rows[0].cells[2].too_small == t4.rows[0].cells[2].too_small);
        CHECK(t4_back.rows[0].cells[2].counts == t4.rows[0].cells[2].counts);
        CHECK(t4_back.rows[0].cells[0].intervals.size() == 1);
    }
}

TEST_CASE("a subgroup column that does not exist is refused, naming those that do", "[programs][report]") {
    protocol::registry catalog;
    catalog.add(entry("malignant_vs_benign", "Malignant vs. Benign"));
    const std::vector<protocol::experiment_result> results{result(catalog.entries()[0], 1.0, 3)};
    programs::subgroup_settings sg;
    sg.metadata = metadata();
    sg.columns = {"weight"};
    CHECK_THROWS_WITH(programs::report_of(results, catalog, "x", programs::paper_comparison{}, false, sg),
                      Catch::Contains("no column 'weight'") && Catch::Contains("difficulty, age, sex"));
    // Metadata whose ids name other images: refused rather than all "unknown".
    programs::subgroup_settings other;
    other.metadata["sex"]["elsewhere"] = "male";
    other.columns = {"sex"};
    CHECK_THROWS_WITH(programs::report_of(results, catalog, "x", programs::paper_comparison{}, false, other),
                      Catch::Contains("none of the test images"));
}

TEST_CASE("read_metadata_csv: ids as the results name them (no folder, no extension, any case)", "[programs][report]") {
    const auto file = std::filesystem::temp_directory_path() / "dermtl_test_report_evaluation_meta.csv";
    {
        std::ofstream out(file);
        out << "derm,Age,sex\nImg/IMG0.jpg,50.0,female\nimg1,,male\n";
    }
    const auto m = programs::read_metadata_csv(file, "derm");
    CHECK(m.at("age").at("img0") == "50.0");
    CHECK(m.at("sex").at("img1") == "male");
    CHECK(m.at("age").at("img1").empty());
    protocol::registry catalog;
    catalog.add(entry("malignant_vs_benign", "Malignant vs. Benign"));
    programs::subgroup_settings sg;
    sg.metadata = m;
    const auto strata = programs::strata_of(result(catalog.entries()[0], 1.0, 4), "AGE", sg);
    CHECK(strata[0][0] == "45-59");
    CHECK(strata[0][1] == "unknown");  // blank age
    CHECK(strata[1][0] == "unknown");  // not in the file
    CHECK_THROWS_WITH(programs::read_metadata_csv(file, "image_id"), Catch::Contains("image_id"));
    std::filesystem::remove(file);
}
