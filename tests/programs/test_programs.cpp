// The paper programs' building blocks: tables assembled from made-up experiment results (checked
// against the metrics computed directly), results read back from a results folder, and the report
// a set of results supports; `inspect` and the data and run options: test_program_inputs.cpp. The
// cells are the compiled ones (apps/cells.list): titles, order and published values come from the types.
#include <catch2/catch.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "support/oracle.hpp"

#include "cells.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/report/csv.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/train/trainer.hpp"
#include "programs/runner.hpp"
#include "programs/study.hpp"
#include "programs/tables.hpp"

using namespace dermtl;

namespace {

// A cell's result with `folds` folds of `n` test cases: scores that separate the classes by
// `signal` (binary: one column; 3 classes: three columns), strata cycling through low/medium/high.
protocol::experiment_result fake_result(const protocol::registry_entry& cell, double signal, std::uint64_t seed,
                                        std::size_t folds = 2, std::size_t n = 60) {
    const int classes = int(cell.facts.classes);
    rng r(seed);
    protocol::experiment_result out;
    out.id = cell.id;
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
        fr.config = {{"cell", cell.id}};
        aucs.push_back(fr.auc);
        out.folds.push_back(std::move(fr));
    }
    out.auc = metrics::summarize_folds(aucs);
    return out;
}

const protocol::registry_entry& cell(const protocol::registry& reg, const std::string& str) {
    for (const auto& e : reg.entries())
        if (e.id.str() == str) return e;
    FAIL("no compiled cell " << str);
    throw;
}

// A result for every paper-design cell of a registry, in grid order (3 designs x 7 columns for
// VGG-M); 10 folds, as 5x2 CV (the paper's protocol) gives.
std::vector<protocol::experiment_result> table1_results(const protocol::registry& reg, std::uint64_t seed,
                                                        std::size_t folds = 10) {
    std::vector<protocol::experiment_result> out;
    double signal = 0.5;
    for (const auto& e : reg.entries())
        if (e.facts.paper_design) {
            out.push_back(fake_result(e, signal, seed++, folds));
            signal += 0.1;
        }
    return out;
}

const programs::paper_comparison same_configuration{programs::paper_values::same_configuration, {}};

// --compare-with-paper as `dermtl report` sets it: every model's architecture known.
programs::paper_comparison any_configuration() {
    programs::paper_comparison p{programs::paper_values::any_configuration, {}};
    for (const auto* m : {&apps::cells_of("vgg_m", "cpu"), &apps::cells_of("vgg_m_scaled", "cpu"), &apps::cells_of("vgg_16", "cpu"), &apps::cells_of("vgg_16_scaled", "cpu")})
        p.architectures.emplace(m->model, m->architecture);
    return p;
}

protocol::registry catalog() {
    protocol::registry r;
    r.merge(apps::cells_of("vgg_m", "cpu").registry);
    r.merge(apps::cells_of("vgg_16", "cpu").registry);
    return r;
}

}  // namespace

TEST_CASE("cell ids: built from the types, one string form, stored as a JSON object", "[programs][cells]") {
    const auto& e = cell(apps::cells_of("vgg_m", "cpu").registry, "vgg_m/cpu/imagenet/finetune/malignant_vs_benign");
    CHECK(e.id.model == protocol::policy_id{"vgg_m", "VGG-M"});
    CHECK(e.id.transfer == protocol::policy_id{"imagenet", "From ImageNet"});
    CHECK(e.id.finetune.title == "with FT");
    CHECK(e.id.labeling.title == "Malignant vs. Benign");
    CHECK(e.id.classifier.name == "svm");
    CHECK(e.facts.imagenet_finetuned);
    CHECK(e.facts.paper_design);
    CHECK(e.facts.published_auc == Approx(0.825));
    const nlohmann::json j = e.id;
    CHECK(j.at("transfer").at("title") == "From ImageNet");
    CHECK(j.get<protocol::cell_id>() == e.id);
    CHECK(protocol::folder_name(e.id) == "vgg_m-cpu-imagenet-finetune-malignant_vs_benign");
    auto other = e.id;
    other.classifier = {"svm_repeated_splits", "Linear SVM (C by repeated validation splits)"};
    CHECK(other.str() == "vgg_m/cpu/imagenet/finetune/malignant_vs_benign/classifier=svm_repeated_splits");
    CHECK_THROWS_WITH(nlohmann::json({{"model", {{"name", "vgg_m"}, {"title", "VGG-M"}}}}).get<protocol::cell_id>(),
                      Catch::Contains("expected the field 'backend'"));
    // Scaled networks are not the paper's: no published value.
    CHECK(!cell(apps::cells_of("vgg_m_scaled", "cpu").registry, "vgg_m_64_8/cpu/imagenet/finetune/malignant_vs_benign")
               .facts.published_auc);
}

TEST_CASE("a grid's parts: the source models are work items of their own, before the cells that use them",
          "[programs][cells][shard]") {
    using protocol::grid_part;
    const auto& reg = apps::cells_of("vgg_m", "cpu").registry;
    CHECK(cell(reg, "vgg_m/cpu/retinopathy/finetune/malignant_vs_benign").facts.source == "vgg_m/cpu/retinopathy");
    CHECK(cell(reg, "vgg_m/cpu/retinopathy/frozen/melanoma_vs_benign").facts.source == "vgg_m/cpu/retinopathy");
    CHECK(cell(reg, "vgg_m/cpu/double/finetune/malignant_vs_benign").facts.source == "vgg_m/cpu/imagenet-retinopathy");
    CHECK(cell(reg, "vgg_m/cpu/imagenet/finetune/malignant_vs_benign").facts.source.empty());
    CHECK(cell(reg, "vgg_m/cpu/none/finetune/malignant_vs_benign").facts.source.empty());

    // Every cell is in exactly one of independent and dependent, in grid order.
    const auto all = programs::cells_of_part(reg, "*", grid_part::all);
    const auto independent = programs::cells_of_part(reg, "*", grid_part::independent);
    const auto dependent = programs::cells_of_part(reg, "*", grid_part::dependent);
    CHECK(independent.size() + dependent.size() == all.size());
    for (const auto* e : independent) CHECK(e->facts.source.empty());
    for (const auto* e : dependent) CHECK(!e->facts.source.empty());
    CHECK(std::is_sorted(dependent.begin(), dependent.end()));  // pointers into entries(): grid order

    // Two distinct sources for VGG-M's Table 1 (Retinopathy from scratch, and from ImageNet), each
    // named once with the first cell that uses it.
    const auto sources = programs::sources_of(programs::cells_of_part(reg, "*", grid_part::sources));
    REQUIRE(sources.size() == 2);
    CHECK(sources[0].source == "vgg_m/cpu/retinopathy");
    CHECK(sources[0].first_user->facts.source == sources[0].source);
    CHECK(sources[1].source == "vgg_m/cpu/imagenet-retinopathy");
    CHECK(programs::work_items(reg, "*", grid_part::sources, 10) == 2);
    CHECK(programs::work_items(reg, "*", grid_part::dependent, 10) == dependent.size() * 10);
    CHECK(programs::work_items(reg, "*/imagenet/*", grid_part::sources, 10) == 0);
    CHECK(programs::source_done_file("vgg_m/cpu/retinopathy") == "sources/done/vgg_m_cpu_retinopathy.json");
}

TEST_CASE("Table 1: the paper's layout, our AUCs, the published values only when asked", "[programs][tables]") {
    const auto& reg = apps::cells_of("vgg_m", "cpu").registry;
    const auto results = table1_results(reg, 1);
    REQUIRE(results.size() == 21);
    const auto t = programs::table1(results, reg, "vgg_m", same_configuration);
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
            // Computed in dermtl_programs and here: testing::same_formula.
            CHECK(t.rows[r].cells[c].value->mean == testing::same_formula(direct.mean));
            CHECK(testing::same_formula_all(t.rows[r].cells[c].value->per_fold, direct.per_fold));
        }
    CHECK(t.rows[0].cells[4].reference == Approx(0.825));  // From ImageNet with FT, Malignant vs. Benign
    CHECK(t.rows[2].cells[6].reference == Approx(0.818));  // Double transfer with FT, three classes
    CHECK(!t.rows[0].cells[5].reference);                  // double transfer without FT: not in the paper
    CHECK(t.columns[5].name == "no FT");
    CHECK(t.roc.size() == 7);                               // the binary design's curves, one per column
    report::validate(t);

    CHECK(t.paper_note.empty());  // the paper's configuration: nothing differs

    const auto synthetic = programs::table1(results, reg, "vgg_m", {});
    for (const auto& row : synthetic.rows)
        for (const auto& c : row.cells) CHECK(!c.reference);
    CHECK_THROWS_WITH(programs::table1(results, catalog(), "vgg_16", {}),
                      Catch::Contains("no Table 1 result for model 'vgg_16'"));
}

TEST_CASE("Tables 2, 3 and 4 from results; a report of what the results support", "[programs][tables]") {
    const auto all = catalog();
    auto results = table1_results(apps::cells_of("vgg_m", "cpu").registry, 10);
    for (const auto& e : apps::cells_of("vgg_16", "cpu").registry.entries())
        if (e.facts.imagenet_finetuned && e.facts.paper_design) results.push_back(fake_result(e, 2.0, 99, 10));

    const auto t3 = programs::table3(results, all, {"vgg_m", "vgg_16"}, same_configuration);
    REQUIRE(t3.rows.size() == 2);
    CHECK(t3.rows[0].name == "VGG-M");
    CHECK(t3.rows[1].name == "VGG-16");
    CHECK(t3.rows[0].cells[0].reference == Approx(0.825));  // keyed by the types, not by a title
    CHECK(t3.compare == report::comparison_axis::rows);
    CHECK(t3.rows[1].cells[2].value->mean ==
          testing::same_formula(metrics::cross_validated_auc(results.back().predictions()).mean));
    CHECK(t3.rows[1].cells[2].reference == Approx(0.845));

    const auto t4 = programs::table4(results, all, "vgg_m", same_configuration);
    REQUIRE(t4.columns.size() == 4);
    CHECK(t4.columns[0].name == "low");
    CHECK(t4.columns[3].name == "All");
    REQUIRE(t4.rows.size() == 2);
    const auto* mal = &results[4];  // vgg_m imagenet/finetune malignant_vs_benign
    REQUIRE(mal->id.str() == "vgg_m/cpu/imagenet/finetune/malignant_vs_benign");
    const auto strata = metrics::auc_by_stratum(mal->predictions(), {"unknown", "low", "medium", "high"});
    CHECK(t4.rows[0].cells[1].value->mean == testing::same_formula(strata[1].auc.mean));
    CHECK(t4.rows[0].cells[0].reference == Approx(0.937));

    const auto isic = fake_result(cell(apps::cells_of("vgg_16", "cpu").registry, "vgg_16/cpu/imagenet/finetune/isic_binary"), 1.5, 7, 1, 80);
    const auto t2 = programs::table2(isic, all, "ours", same_configuration);
    REQUIRE(t2.rows.size() == 5);
    CHECK(t2.rows[0].kind == report::row_kind::published);
    const auto direct = metrics::isic_2016_scores(isic.folds[0].predictions.labels, isic.folds[0].confidences);
    CHECK(t2.rows[4].cells[0].value->mean == testing::same_formula(direct.auc));
    CHECK(t2.rows[4].cells[1].value->mean == testing::same_formula(direct.average_precision));
    CHECK(t2.rows[4].cells[4].value->mean == testing::same_formula(direct.thresholded.specificity));

    // Without a comparison with the paper (synthetic data), only our row.
    const auto t2_alone = programs::table2(isic, all, "ours", {});
    REQUIRE(t2_alone.rows.size() == 1);
    CHECK(t2_alone.rows[0].kind == report::row_kind::measured);
    CHECK(t2_alone.rows[0].cells[0].value->mean == testing::same_formula(direct.auc));

    // Issue 16: the challenge's measures for every binary design (not only ISIC's label), per fold
    // then averaged; the 3-class cells have none.
    const auto binary = programs::binary_measures(results, "vgg_m");
    std::size_t binary_cells = 0;
    for (const auto& r : results) binary_cells += r.id.model.name == "vgg_m" && r.id.labeling.name != "melanoma_carcinoma_benign";
    REQUIRE(binary.rows.size() == binary_cells);
    REQUIRE(binary_cells >= 2);
    std::vector<double> fold_ap, fold_se;
    for (const auto& f : mal->folds) {
        const auto s = metrics::isic_2016_scores(f.predictions.labels, f.confidences);
        fold_ap.push_back(s.average_precision);
        fold_se.push_back(s.thresholded.sensitivity);
    }
    const auto mal_row = std::find_if(binary.rows.begin(), binary.rows.end(), [](const auto& row) {
        return row.name == "Malignant vs. Benign, From ImageNet / with FT";
    });
    REQUIRE(mal_row != binary.rows.end());
    CHECK(mal_row->cells[1].value->mean == testing::same_formula(metrics::summarize_folds(fold_ap).mean));
    CHECK(mal_row->cells[3].value->std_dev == testing::same_formula(metrics::summarize_folds(fold_se).std_dev));
    CHECK(mal_row->cells[0].value->mean == Approx(mal->auc.mean).margin(1e-12));  // sigmoid keeps the order
    CHECK_THROWS_AS(programs::binary_measures(results, "no_such_model"), config_error);

    results.push_back(isic);
    const auto rep = programs::report_of(results, all, "all", false);
    std::vector<std::string> ids;
    for (const auto& t : rep.tables) ids.push_back(t.id);
    // The paper's tables, then (issue 26) each network's operating points with their intervals.
    CHECK(ids == std::vector<std::string>{"table1_vgg_m", "table4_vgg_m", "binary_measures_vgg_m", "table1_vgg_16",
                                           "table4_vgg_16", "table2_vgg_16", "binary_measures_vgg_16", "table3",
                                           "operating_points_vgg_m", "operating_points_vgg_16"});
    CHECK(rep.referrals.size() == 2);
    report::validate(rep);
}

// Issue 16: a single-cell run's Table 1 showed "Melanoma vs. Benign | 75.7" (the paper's value of a
// design it did not run) in table1.md and a kind=measured row holding no measurement in table1.csv.
TEST_CASE("Table 1 of a single-cell run: the paper's value only beside ours, no row without a result",
          "[programs][tables][published]") {
    const auto& reg = apps::cells_of("vgg_m", "cpu").registry;
    const auto one = fake_result(cell(reg, "vgg_m/cpu/imagenet/finetune/malignant_vs_benign"), 1.0, 5, 10);
    const auto t = programs::table1({one}, reg, "vgg_m", same_configuration);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].name == "Malignant vs. Benign");
    REQUIRE(t.columns.size() == 1);
    CHECK(t.rows[0].cells[0].reference == Approx(0.825));
    const auto rep = programs::report_of({one}, reg, "one cell", true);  // `dermtl run` on real data
    REQUIRE(!rep.tables.empty());
    REQUIRE(rep.tables[0].id == "table1");
    const auto md = report::to_markdown(rep.tables[0]);
    const auto csv = report::to_csv(rep.tables[0]);
    INFO(md << csv);
    CHECK(md.find("Melanoma vs. Benign") == std::string::npos);
    CHECK(md.find("75.7") == std::string::npos);
    CHECK(md.find("| From ImageNet / with FT | From ImageNet / with FT: paper |") != std::string::npos);
    CHECK(md.find(" | 82.5 |") != std::string::npos);
    CHECK(csv.find("Melanoma vs. Benign") == std::string::npos);
    CHECK(csv.find("75.70") == std::string::npos);
}

TEST_CASE("A scaled network, other folds, data or training: compared with the paper only when asked, with a note",
          "[programs][tables][published]") {
    protocol::registry reg;
    reg.merge(apps::cells_of("vgg_m", "cpu").registry);
    reg.merge(apps::cells_of("vgg_m_scaled", "cpu").registry);
    const auto scaled = fake_result(cell(reg, "vgg_m_64_8/cpu/imagenet/finetune/malignant_vs_benign"), 1.0, 6, 10);
    // By default (real data) a scaled network has no paper column.
    const auto plain = programs::table1({scaled}, reg, "vgg_m_64_8", same_configuration);
    CHECK(!plain.rows[0].cells[0].reference);
    CHECK(plain.paper_note.empty());
    CHECK(report::to_markdown(plain).find(": paper") == std::string::npos);
    // Asked for: the full-size VGG-M's published value, and a note naming the difference.
    const auto asked = programs::table1({scaled}, reg, "vgg_m_64_8", any_configuration());
    CHECK(asked.rows[0].cells[0].reference == Approx(0.825));
    CHECK(asked.paper_note == "network VGG-M scaled (64 px, widths / 8) (the paper: VGG-M).");
    CHECK(report::to_markdown(asked).find("Compared with the paper on request, although the configuration differs: "
                                          "network VGG-M scaled (64 px, widths / 8) (the paper: VGG-M).") !=
          std::string::npos);

    // The paper's network, run otherwise: 2 folds, another dataset, a shorter fine-tuning.
    auto other = fake_result(cell(reg, "vgg_m/cpu/imagenet/finetune/malignant_vs_benign"), 1.0, 7, 2);
    auto training = protocol::training_json(train::trainer_options{});
    training["epochs"] = 10;
    for (auto& f : other.folds) {
        f.config["target"] = "isic2017";
        f.config["fingerprint"] = {{"cell", other.id.str()}, {"target_training", training}};
    }
    CHECK(!programs::table1({other}, reg, "vgg_m", same_configuration).rows[0].cells[0].reference);
    const auto noted = programs::table1({other}, reg, "vgg_m", any_configuration());
    CHECK(noted.rows[0].cells[0].reference == Approx(0.825));
    CHECK(noted.paper_note == "data isic2017 (the paper: atlas); 2 test folds (the paper: 5x2 cross-validation (10 test "
                              "folds)); fine-tuning epochs 10 (the paper: 60).");
    // Two results that differ alike: the difference named once.
    const auto scaled_mel = fake_result(cell(reg, "vgg_m_64_8/cpu/imagenet/finetune/melanoma_vs_benign"), 1.0, 10, 10);
    const auto both = programs::table1({scaled, scaled_mel}, reg, "vgg_m_64_8", any_configuration());
    REQUIRE(both.rows.size() == 2);
    CHECK(both.rows[1].cells[0].reference == Approx(0.809));
    CHECK(both.paper_note == "network VGG-M scaled (64 px, widths / 8) (the paper: VGG-M).");
    training["learning_rate"] = 0.003f;
    for (auto& f : other.folds) f.config["fingerprint"]["target_training"] = training;
    CHECK_THAT(programs::table1({other}, reg, "vgg_m", any_configuration()).paper_note,
               Catch::Contains("fine-tuning learning_rate 0.003 (the paper: 0.001)"));
    // A cell the paper has no value for stays without one, asked or not.
    const auto frozen_double = fake_result(cell(reg, "vgg_m/cpu/double/frozen/malignant_vs_benign"), 1.0, 8, 10);
    CHECK(!programs::table1({frozen_double}, reg, "vgg_m", any_configuration()).rows[0].cells[0].reference);

    // Table 2: the published rows stand beside the paper's VGG-16 only; a scaled one's on request.
    protocol::registry isic_reg;
    isic_reg.merge(apps::cells_of("vgg_16", "cpu").registry);
    isic_reg.merge(apps::cells_of("vgg_16_scaled", "cpu").registry);
    const auto isic_scaled =
        fake_result(cell(isic_reg, "vgg_16_32_8/cpu/imagenet/finetune/isic_binary"), 1.5, 9, 1, 80);
    CHECK(programs::table2(isic_scaled, isic_reg, "ours", same_configuration).rows.size() == 1);
    const auto t2 = programs::table2(isic_scaled, isic_reg, "ours", any_configuration());
    REQUIRE(t2.rows.size() == 5);
    CHECK(t2.rows[3].kind == report::row_kind::published);
    CHECK(t2.paper_note == "network VGG-16 scaled (32 px, widths / 8) (the paper: VGG-16).");
    // The paper's VGG-16 on 5x2 folds instead of the official split: only on request.
    const auto isic_folds = fake_result(cell(isic_reg, "vgg_16/cpu/imagenet/finetune/isic_binary"), 1.5, 9, 10, 80);
    CHECK(programs::table2(isic_folds, isic_reg, "ours", same_configuration).rows.size() == 1);
    CHECK(programs::table2(isic_folds, isic_reg, "ours", any_configuration()).paper_note ==
          "10 test folds (the paper: the official training/test split).");
}

TEST_CASE("results read back from a results folder equal the stored ones", "[programs][tables]") {
    testing::scratch_dir dir("programs-results");
    const auto& reg = apps::cells_of("vgg_m_scaled", "cpu").registry;
    const auto a = fake_result(cell(reg, "vgg_m_64_8/cpu/none/finetune/malignant_vs_benign"), 1.0, 3);
    const auto b = fake_result(cell(reg, "vgg_m_64_8/cpu/imagenet/frozen/melanoma_carcinoma_benign"), 1.0, 4);
    for (const auto* r : {&a, &b}) {
        const protocol::results_store store(dir / "results" / protocol::folder_name(r->id));
        for (const auto& f : r->folds) store.save(f);
    }
    const auto loaded = programs::load_results(dir / "results");
    REQUIRE(loaded.size() == 2);
    const auto& la = loaded[0].id == a.id ? loaded[0] : loaded[1];
    CHECK(la.id == a.id);
    REQUIRE(la.folds.size() == 2);
    CHECK(la.folds[1].predictions.scores == a.folds[1].predictions.scores);
    CHECK(la.auc.mean == a.auc.mean);
    CHECK_THROWS_WITH(programs::load_results(dir / "nothing"), Catch::Contains("expected a results folder"));

    // The run folder OUT (as docs/reproducing.md passes it) and OUT/work are understood too.
    std::filesystem::create_directories(dir / "run" / "work");
    std::filesystem::rename(dir / "results", dir / "run" / "work" / "results");
    CHECK(programs::load_results(dir / "run").size() == 2);
    CHECK(programs::load_results(dir / "run" / "work").size() == 2);
    // A user's notes.json or a JSON array beside the fold results is not a fold result, and not
    // "an incompatible version": it is left alone.
    const auto cell_folder = dir / "run" / "work" / "results" / protocol::folder_name(a.id);
    std::ofstream(cell_folder / "notes.json") << R"({"note": "rerun with more epochs"})";
    std::ofstream(cell_folder / "list.json") << "[1, 2, 3]";
    std::ofstream(dir / "run" / "work" / "results" / "notes.json") << "{}";
    const auto again = programs::load_results(dir / "run");
    REQUIRE(again.size() == 2);
    CHECK((again[0].id == a.id ? again[0] : again[1]).folds.size() == 2);
    // A fold result whose cell has the wrong types names the file.
    std::ofstream(cell_folder / "Fold_9.json") << nlohmann::json{{"format", dermtl::results_format}, {"fold", "Fold_9"}}.dump();
    CHECK_THROWS_WITH(programs::load_results(dir / "run"), Catch::Contains("Fold_9.json"));
}

TEST_CASE("reports use stored scores, list the configuration and refuse to mix configurations", "[programs][tables]") {
    const auto& reg = apps::cells_of("vgg_m_scaled", "cpu").registry;
    auto a = fake_result(cell(reg, "vgg_m_64_8/cpu/none/finetune/malignant_vs_benign"), 1.0, 3);
    auto b = fake_result(cell(reg, "vgg_m_64_8/cpu/imagenet/finetune/malignant_vs_benign"), 1.0, 4);
    auto made_by = [](protocol::experiment_result& r, std::uint64_t seed) {
        for (auto& f : r.folds)
            f.config["fingerprint"] = {{"cell", r.id.str()}, {"data", "d1"}, {"seed", seed}, {"fold", f.fold}};
    };
    made_by(a, 1);
    made_by(b, 1);
    const auto rep = programs::report_of({a, b}, reg, "same", false);
    bool listed = false;
    for (const auto& [k, v] : rep.metadata) listed |= k == "configuration: seed" && v == "1";
    CHECK(listed);

    made_by(b, 2);
    CHECK_THROWS_WITH(programs::report_of({a, b}, reg, "mixed", false),
                      Catch::Contains("different configurations") && Catch::Contains("'seed'") &&
                          Catch::Contains("--mixed"));
    const auto mixed = programs::report_of({a, b}, reg, "mixed", false, true);
    bool warned = false;
    for (const auto& [k, v] : mixed.metadata) warned |= k == "WARNING" && v.find("different configurations") != std::string::npos;
    CHECK(warned);

    // A stored AUC that is not its scores' (an edited file, still within [0, 1]) is refused when read
    // back; one outside [0, 1] is refused by the range check first.
    testing::scratch_dir dir("programs-tampered");
    a.folds[0].auc = a.folds[0].auc > 0.5 ? 0.01 : 0.99;
    const protocol::results_store store(dir / "results" / protocol::folder_name(a.id));
    for (const auto& f : a.folds) store.save(f);
    CHECK_THROWS_WITH(programs::load_results(dir / "results"),
                      Catch::Contains("Fold_1.json") && Catch::Contains("is not the AUC of its stored scores"));
}

TEST_CASE("DERMTL_CELLS: the setting that adds a left-out cell keeps the others", "[programs][cells]") {
    // No setting: every cell is built already.
    CHECK(apps::cells_setting_adding("", "vgg_16", "cpu", "paper") == "");
    // A kind with terms gains the missing value; a kind without terms stays open.
    CHECK(apps::cells_setting_adding("vgg_m_scaled;onednn", "vgg_16", "onednn", "paper") == "vgg_m_scaled;onednn;vgg_16");
    CHECK(apps::cells_setting_adding("vgg_m_scaled;onednn", "vgg_m_scaled", "cpu", "reference") ==
          "vgg_m_scaled;onednn;cpu");
    CHECK(apps::cells_setting_adding("vgg_m_scaled;onednn;paper", "vgg_16", "cpu", "reference") ==
          "vgg_m_scaled;onednn;paper;vgg_16;cpu;reference");
    // Every instance of apps/cells.list is listed, and this build's own cells are among them.
    const auto all = apps::cell_instances();
    CHECK(all.size() == 16);
    CHECK(std::any_of(all.begin(), all.end(), [](const apps::cell_instance& c) {
        return c.network == "vgg_m_scaled" && c.backend == "cpu" && c.protocol == "paper" && c.compiled;
    }));
    CHECK(apps::build_cells_description().find("cells compiled in this build") != std::string::npos);
}
