// experiment<...> end to end on synthetic lesions with a scaled VGG-M: fine-tuning from scratch,
// transfer from a source task, transfer from (test-written) ImageNet weights, resuming from the
// results store, and the refusal to run without ImageNet weights.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/oracle.hpp"

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/protocol/experiment.hpp"

using namespace dermtl;
using namespace dermtl::protocol;

namespace {

using small = models::vgg_m_family<64, 8>;

struct fixture {
    testing::scratch_dir dir{"experiment"};
    data::dataset lesions, general;
    data::fold_set folds;
    io::image_cache cache{io::image_cache_options{.preprocess = {.width = 64, .height = 64}}};
    experiment_inputs in;

    fixture() {
        lesions = data::generate_lesions(dir / "lesions", {.size = 64, .count = 80, .melanoma_fraction = 0.3,
                                                           .bcc_fraction = 0.2, .seed = 5});
        general = data::generate_general(dir / "general", {.size = 64, .num_classes = 4, .per_class = 12, .seed = 6});
        folds = data::make_5x2_folds(lesions, 7, 1);
        in.target = &lesions;
        in.folds = &folds;
        in.cache = &cache;
        in.source_task = &general;
        in.work_dir = dir / "work";
        in.seed = 11;
        in.verbose = false;
        in.target_training.epochs = 2;
        in.target_training.batch_size = 16;
        in.target_training.print_progress = false;
        in.target_training.sgd = {.learning_rate = 0.003f, .momentum = 0.9f, .l2 = 5e-4f};
        in.source_training = in.target_training;
    }
};

void check_result(const experiment_result& r, std::size_t folds, int classes) {
    REQUIRE(r.folds.size() == folds);
    for (const auto& f : r.folds) {
        CHECK(f.auc >= 0.0);
        CHECK(f.auc <= 1.0);
        CHECK(f.ids.size() == f.predictions.labels.size());
        CHECK(f.predictions.scores.cols() == (classes == 2 ? 1 : classes));
        CHECK(f.predictions.strata.size() == f.ids.size());
        CHECK(f.chosen_c > 0);
    }
    CHECK(std::isfinite(r.auc.mean));
}

}  // namespace

TEST_CASE("no transfer with fine-tuning runs every fold and resumes from the results store", "[protocol][experiment]") {
    fixture f;
    using cell = experiment<small, backend::cpu, transfer::none, finetune::full, labeling::malignant_vs_benign>;
    const auto first = cell::run(f.in);
    check_result(first, 2, 2);
    for (const auto& fold : first.folds) CHECK(fold.best_epoch >= 1);
    const auto stored = f.in.work_dir / "results" / sanitized(cell::name()) / "Fold_1.json";
    REQUIRE(std::filesystem::exists(stored));

    // A second run takes finished folds from the store: tamper with one to prove it is read.
    nlohmann::json j = nlohmann::json::parse(std::ifstream(stored));
    j["auc"] = 0.123;
    std::ofstream(stored) << j.dump();
    const auto again = cell::run(f.in);
    CHECK(again.folds[0].auc == 0.123);
    CHECK(again.folds[1].auc == first.folds[1].auc);
    CHECK(again.folds[1].predictions.scores == first.folds[1].predictions.scores);
}

TEST_CASE("transfer from a source task with frozen features, three classes", "[protocol][experiment]") {
    fixture f;
    using cell = experiment<small, backend::cpu, transfer::from_source<4>, finetune::frozen,
                            labeling::melanoma_carcinoma_benign>;
    const auto r = cell::run(f.in);
    check_result(r, 2, 3);
    // The source network was trained once and checkpointed for every other cell to reuse.
    std::size_t checkpoints = 0;
    for (const auto& e : std::filesystem::directory_iterator(f.in.work_dir / "sources")) checkpoints += e.path().extension() == ".ckpt";
    CHECK(checkpoints == 1);
}

TEST_CASE("transfer from ImageNet refuses to run without weights and uses them when given", "[protocol][experiment]") {
    fixture f;
    f.in.max_folds = 1;
    using cell = experiment<small, backend::cpu, transfer::from_imagenet, finetune::frozen, labeling::melanoma_vs_benign>;
    CHECK_THROWS_WITH(cell::run(f.in), Catch::Contains("no ImageNet weights given") &&
                                           Catch::Contains("imagenet-vgg-m.mat") && Catch::Contains("never substitutes"));

    // A 1000-class network of the same family, written in MatConvNet's layout, stands in for the download.
    nn::network<small::net<1000>, backend::cpu> imagenet(3);
    io::matconvnet_export_options opt;
    opt.average_image = xt::xtensor<float, 3>({1, 1, 3});
    opt.average_image(0, 0, 0) = 123.68f;
    opt.average_image(0, 0, 1) = 116.779f;
    opt.average_image(0, 0, 2) = 103.939f;
    f.in.imagenet_weights = f.dir / "imagenet-vgg-m.mat";
    io::save_matconvnet(f.in.imagenet_weights, imagenet, opt);
    const auto r = cell::run(f.in);
    check_result(r, 1, 2);
}

TEST_CASE("same seed, same results; a run stopped after one fold ends like an uninterrupted one", "[protocol][experiment]") {
    using cell = experiment<small, backend::cpu, transfer::from_source<4>, finetune::full, labeling::malignant_vs_benign>;
    fixture whole, stopped;
    const auto uninterrupted = cell::run(whole.in);

    stopped.in.max_folds = 1;  // as if killed after the first fold
    const auto part = cell::run(stopped.in);
    REQUIRE(part.folds.size() == 1);
    std::filesystem::path ckpt;
    for (const auto& e : std::filesystem::directory_iterator(stopped.in.work_dir / "sources"))
        if (e.path().extension() == ".ckpt") ckpt = e.path();
    REQUIRE(!ckpt.empty());
    const auto source_written = std::filesystem::last_write_time(ckpt);
    stopped.in.max_folds = 0;
    const auto resumed = cell::run(stopped.in);
    CHECK(std::filesystem::last_write_time(ckpt) == source_written);  // the cached source model was reused

    REQUIRE(resumed.folds.size() == uninterrupted.folds.size());
    for (std::size_t k = 0; k < resumed.folds.size(); ++k) {
        INFO("fold " << k);
        CHECK(resumed.folds[k].ids == uninterrupted.folds[k].ids);
        CHECK(resumed.folds[k].chosen_c == uninterrupted.folds[k].chosen_c);
        CHECK(resumed.folds[k].best_epoch == uninterrupted.folds[k].best_epoch);
        // Equal to float rounding: with 2 OpenMP threads, runs in one process have differed by up
        // to 2.4e-8 in a decision value (not yet bitwise; with 1 thread they are bitwise equal).
        const double diff = (resumed.folds[k].predictions.scores - uninterrupted.folds[k].predictions.scores).cwiseAbs().maxCoeff();
        CHECK(diff <= 1e-6);
        CHECK(resumed.folds[k].auc == Approx(uninterrupted.folds[k].auc).margin(1e-6));
        CHECK(resumed.folds[k].config == uninterrupted.folds[k].config);
    }
    CHECK(resumed.auc.mean == Approx(uninterrupted.auc.mean).margin(1e-6));
}

TEST_CASE("bad input: an incompatible results folder and a fold without a class", "[protocol][experiment][errors]") {
    using cell = experiment<small, backend::cpu, transfer::from_source<4>, finetune::frozen,
                            labeling::melanoma_carcinoma_benign>;
    fixture f;
    const auto stored = f.in.work_dir / "results" / sanitized(cell::name()) / "Fold_1.json";
    std::filesystem::create_directories(stored.parent_path());
    std::ofstream(stored) << R"({"fold": "Fold_1", "format": 0, "version": "0.0.1"})";
    CHECK_THROWS_WITH(cell::run(f.in), Catch::Contains("incompatible dermtl version") && Catch::Contains("Fold_1.json"));
    CHECK(nlohmann::json::parse(std::ifstream(stored))["version"] == "0.0.1");  // left as it was
    std::filesystem::remove(stored);

    // Take every basal cell carcinoma out of the first fold's training part.
    data::fold_set folds = f.folds;
    std::erase_if(folds[0].train, [&](std::size_t i) { return data::is_basal_cell_carcinoma(f.lesions[i].dx); });
    f.in.folds = &folds;
    CHECK_THROWS_WITH(cell::run(f.in), Catch::Contains("experiment vgg_m_64_8/cpu/source/frozen/melanoma_carcinoma_benign, Fold_1"));
}

