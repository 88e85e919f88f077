// The paper programs' building blocks: tables assembled from experiment results (checked against
// the metrics computed directly), results read back from a results folder, the report a set of
// results supports, `inspect`'s summary, and the data options' errors.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/oracle.hpp"

#include "dermtl/core/rng.hpp"
#include "dermtl/programs/inspect.hpp"
#include "dermtl/programs/study.hpp"
#include "dermtl/programs/tables.hpp"

using namespace dermtl;
using programs::cell_name;

namespace {

// A cell's result with `folds` folds of `n` test cases: scores that separate the classes by
// `signal` (binary: one column; 3 classes: three columns), strata cycling through low/medium/high.
protocol::experiment_result fake_result(const std::string& name, int classes, double signal, std::uint64_t seed,
                                        std::size_t folds = 2, std::size_t n = 60) {
    rng r(seed);
    protocol::experiment_result out;
    out.name = name;
    std::vector<double> aucs;
    for (std::size_t f = 0; f < folds; ++f) {
        protocol::fold_result fr;
        fr.fold = "Fold_" + std::to_string(f + 1);
        fr.predictions.scores = metrics::score_matrix(Eigen::Index(n), classes == 2 ? 1 : classes);
        for (std::size_t i = 0; i < n; ++i) {
            const int y = int(i % std::size_t(classes));
            fr.ids.push_back("id" + std::to_string(f) + "_" + std::to_string(i));
            fr.predictions.labels.push_back(y);
            fr.predictions.strata.push_back(1 + int((i / std::size_t(classes)) % 3));
            if (classes == 2) {
                fr.predictions.scores(Eigen::Index(i), 0) = signal * y + r.normal();
                fr.confidences.push_back(1.0 / (1.0 + std::exp(-fr.predictions.scores(Eigen::Index(i), 0))));
            } else {
                for (int c = 0; c < classes; ++c)
                    fr.predictions.scores(Eigen::Index(i), c) = signal * (c == y) + r.normal();
            }
        }
        fr.auc = metrics::fold_auc(fr.predictions);
        fr.chosen_c = 1;
        fr.config = {{"experiment", name}};
        aucs.push_back(fr.auc);
        out.folds.push_back(std::move(fr));
    }
    out.auc = metrics::summarize_folds(aucs);
    return out;
}

std::vector<protocol::experiment_result> table1_results(const std::string& model, std::uint64_t seed) {
    std::vector<protocol::experiment_result> out;
    double signal = 0.5;
    for (const auto& design : programs::paper::table1_designs)
        for (const auto& [t, f] : programs::paper::table1_column_order) {
            out.push_back(fake_result(model + "/cpu/" + t + "/" + f + "/" + design,
                                      design == "melanoma_carcinoma_benign" ? 3 : 2, signal, seed++));
            signal += 0.1;
        }
    return out;
}

}  // namespace

TEST_CASE("cell names split into their five parts; other names are refused", "[programs]") {
    const auto n = cell_name::parse("vgg_m/cpu/imagenet/finetune/malignant_vs_benign");
    CHECK(n.model == "vgg_m");
    CHECK(n.transfer == "imagenet");
    CHECK(n.labeling == "malignant_vs_benign");
    CHECK_THROWS_WITH(cell_name::parse("vgg_m/cpu/imagenet"), Catch::Contains("model/backend/transfer/finetune/labeling"));
}

TEST_CASE("Table 1: the paper's layout, our AUCs, the published values only when asked", "[programs][tables]") {
    const auto results = table1_results("vgg_m", 1);
    const auto t = programs::table1(results, "vgg_m", true);
    REQUIRE(t.columns.size() == 7);
    CHECK(t.columns[0].group == "No Transfer");
    CHECK(t.columns[4].group == "From ImageNet");
    CHECK(t.columns[4].name == "with FT");
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[2].name == "Melanoma vs. Carcinoma vs. Benign");
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 7; ++c) {
            const auto& res = results[r * 7 + c];
            const auto direct = metrics::cross_validated_auc(res.predictions());
            REQUIRE(t.rows[r].cells[c].value);
            CHECK(t.rows[r].cells[c].value->mean == direct.mean);
            CHECK(t.rows[r].cells[c].value->per_fold == direct.per_fold);
        }
    CHECK(t.rows[0].cells[4].reference == Approx(0.825));  // From ImageNet with FT, Malignant vs. Benign
    CHECK(t.rows[2].cells[6].reference == Approx(0.818));  // Double transfer with FT, three classes
    CHECK(!t.rows[0].cells[5].reference);                  // double transfer without FT: not in the paper
    CHECK(t.columns[5].name == "no FT");
    CHECK(t.roc.size() == 7);                               // the binary design's curves, one per column
    report::validate(t);

    const auto synthetic = programs::table1(results, "vgg_m", false);
    for (const auto& row : synthetic.rows)
        for (const auto& c : row.cells) CHECK(!c.reference);
    CHECK_THROWS_WITH(programs::table1(results, "vgg_16", false), Catch::Contains("no Table 1 result for model 'vgg_16'"));
}

TEST_CASE("Tables 2, 3 and 4 from results; a report of what the results support", "[programs][tables]") {
    auto results = table1_results("vgg_m", 10);
    for (const auto& design : programs::paper::table1_designs)
        results.push_back(fake_result("vgg_16/cpu/imagenet/finetune/" + design, design == "melanoma_carcinoma_benign" ? 3 : 2,
                                      2.0, 99));

    const auto t3 = programs::table3(results, {{"vgg_m", "VGG-M"}, {"vgg_16", "VGG-16"}}, true);
    REQUIRE(t3.rows.size() == 2);
    CHECK(t3.compare == report::comparison_axis::rows);
    CHECK(t3.rows[1].cells[2].value->mean == metrics::cross_validated_auc(results.back().predictions()).mean);
    CHECK(t3.rows[1].cells[2].reference == Approx(0.845));

    const auto t4 = programs::table4(results, "vgg_m", true);
    REQUIRE(t4.columns.size() == 4);
    CHECK(t4.columns[0].name == "low");
    CHECK(t4.columns[3].name == "All");
    REQUIRE(t4.rows.size() == 2);
    const auto* mal = &results[4];  // vgg_m imagenet/finetune malignant_vs_benign
    REQUIRE(mal->name == "vgg_m/cpu/imagenet/finetune/malignant_vs_benign");
    const auto strata = metrics::auc_by_stratum(mal->predictions(), {"unknown", "low", "medium", "high"});
    CHECK(t4.rows[0].cells[1].value->mean == strata[1].auc.mean);
    CHECK(t4.rows[0].cells[0].reference == Approx(0.937));

    const auto isic = fake_result("vgg_16/cpu/imagenet/finetune/isic_binary", 2, 1.5, 7, 1, 80);
    const auto t2 = programs::table2(isic, "ours");
    REQUIRE(t2.rows.size() == 5);
    CHECK(t2.rows[0].kind == report::row_kind::published);
    const auto direct = metrics::isic_2016_scores(isic.folds[0].predictions.labels, isic.folds[0].confidences);
    CHECK(t2.rows[4].cells[0].value->mean == direct.auc);
    CHECK(t2.rows[4].cells[1].value->mean == direct.average_precision);
    CHECK(t2.rows[4].cells[4].value->mean == direct.thresholded.specificity);

    results.push_back(isic);
    const auto rep = programs::report_of(results, "all", false);
    std::vector<std::string> ids;
    for (const auto& t : rep.tables) ids.push_back(t.id);
    CHECK(ids == std::vector<std::string>{"table1_vgg_m", "table4_vgg_m", "table1_vgg_16", "table4_vgg_16",
                                           "table2_vgg_16", "table3"});
    CHECK(rep.referrals.size() == 2);
    report::validate(rep);
}

TEST_CASE("results read back from a results folder equal the stored ones", "[programs][tables]") {
    testing::scratch_dir dir("programs-results");
    const auto a = fake_result("vgg_m_64_8/cpu/none/finetune/malignant_vs_benign", 2, 1.0, 3);
    const auto b = fake_result("vgg_m_64_8/cpu/imagenet/frozen/melanoma_carcinoma_benign", 3, 1.0, 4);
    for (const auto* r : {&a, &b}) {
        const protocol::results_store store(dir / "results" / protocol::sanitized(r->name));
        for (const auto& f : r->folds) store.save(f);
    }
    const auto loaded = programs::load_results(dir / "results");
    REQUIRE(loaded.size() == 2);
    const auto& la = loaded[0].name == a.name ? loaded[0] : loaded[1];
    CHECK(la.name == a.name);
    REQUIRE(la.folds.size() == 2);
    CHECK(la.folds[1].predictions.scores == a.folds[1].predictions.scores);
    CHECK(la.auc.mean == a.auc.mean);
    CHECK_THROWS_WITH(programs::load_results(dir / "nothing"), Catch::Contains("expected a results folder"));
}

TEST_CASE("inspect: class counts overall and per fold, and the ids without an image", "[programs][inspect]") {
    testing::scratch_dir dir("programs-inspect");
    const auto fixtures = testing::tests_dir() / "data" / "fixtures";
    const data::dataset d = data::read_label_csv(fixtures / "protocol1.csv");
    const data::fold_set folds = data::read_fold_yaml(fixtures / "protocol1.yml", d);
    std::filesystem::create_directories(dir / "images");
    for (std::size_t i = 0; i + 1 < d.size(); ++i) std::ofstream(dir / "images" / (d[i].id + ".jpg")) << "x";
    const auto out = programs::inspect(d, &folds, dir.path() / "images");
    const auto counts = d.class_counts();
    INFO(out.text);
    CHECK_THAT(out.text, Catch::Contains(std::to_string(d.size()) + " (0 " + std::to_string(counts[0]) + ", 1 " +
                                         std::to_string(counts[1])));
    CHECK_THAT(out.text, Catch::Contains("10 folds"));
    CHECK_THAT(out.text, Catch::Contains("Fold_1: train " + std::to_string(folds[0].train.size())));
    REQUIRE(out.missing_images.size() == 1);
    CHECK(out.missing_images[0] == d.samples.back().id);
    CHECK_THAT(out.text, Catch::Contains("without one: " + d.samples.back().id));
}

TEST_CASE("data options: clear errors for missing or wrong paths", "[programs][errors]") {
    testing::scratch_dir dir("programs-study");
    programs::data_paths p;
    programs::run_settings s;
    s.out = dir.path();
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::target_kind::atlas),
                      Catch::Contains("--atlas") && Catch::Contains("--synthetic"));
    p.atlas = dir / "missing" / "meta.csv";
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::target_kind::atlas),
                      Catch::Contains("--atlas") && Catch::Contains("missing/meta.csv"));
    // A file of another dataset: the Retinopathy labels given as the Atlas' metadata.
    p.atlas = testing::tests_dir() / "data" / "fixtures" / "protocol1.csv";
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::target_kind::atlas), Catch::Contains("protocol1.csv"));
    CHECK_THROWS_WITH(programs::load_study({}, s, programs::target_kind::isic2016), Catch::Contains("--isic2016"));
    CHECK(programs::fold_repetitions("5x2") == 5);
    CHECK(programs::fold_repetitions("2") == 1);
    CHECK(programs::fold_repetitions("3x2") == 3);
    CHECK_THROWS_WITH(programs::fold_repetitions("10"), Catch::Contains("expected 5x2, 2 or Rx2"));
}
