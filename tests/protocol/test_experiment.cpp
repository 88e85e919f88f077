// experiment<...> end to end on synthetic lesions with a scaled VGG-M: fine-tuning from scratch,
// transfer from a source task, transfer from (test-written) ImageNet weights, resuming from the
// results store, and the refusal to run without ImageNet weights.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "support/oracle.hpp"
#include "support/scaled_cells.hpp"  // the scaled VGG-M cells, compiled once

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/protocol/experiment.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/registry.hpp"

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
    const auto stored = f.in.work_dir / "results" / folder_name(cell::id()) / "Fold_1.json";
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

namespace {

// A small grid: transfer from the source task, frozen and fine-tuned, two designs (4 cells).
registry small_grid() {
    return registry::of(grid<small, backend::cpu, keep_all_valid>(
        boost::hana::tuple_t<transfer::from_source<4>>, boost::hana::tuple_t<finetune::frozen, finetune::full>,
        boost::hana::tuple_t<labeling::malignant_vs_benign, labeling::melanoma_carcinoma_benign>));
}

std::vector<experiment_result> run_all(const registry& reg, const experiment_inputs& in) {
    std::vector<experiment_result> out;
    for (const auto& e : reg.entries()) out.push_back(e.run(in));
    return out;
}

void check_bitwise_equal(const std::vector<experiment_result>& a, const std::vector<experiment_result>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t c = 0; c < a.size(); ++c) {
        INFO("cell " << a[c].id.str());
        CHECK(a[c].id == b[c].id);
        REQUIRE(a[c].folds.size() == b[c].folds.size());
        for (std::size_t k = 0; k < a[c].folds.size(); ++k) {
            INFO("fold " << k);
            const auto &x = a[c].folds[k], &y = b[c].folds[k];
            CHECK(x.ids == y.ids);
            CHECK(x.chosen_c == y.chosen_c);
            CHECK(x.best_epoch == y.best_epoch);
            CHECK(x.predictions.scores == y.predictions.scores);  // bitwise
            CHECK(x.auc == y.auc);
            CHECK(x.config == y.config);
        }
        CHECK(a[c].auc.mean == b[c].auc.mean);
    }
}

std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& folder, const std::string& ext) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(folder))
        if (e.path().extension() == ext) out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE("same seed, same results on a small grid; a run stopped part way ends like an uninterrupted one",
          "[protocol][experiment][grid]") {
    const registry reg = small_grid();
    REQUIRE(reg.entries().size() == 4);
    fixture whole, again, stopped;
    const auto uninterrupted = run_all(reg, whole.in);
    check_bitwise_equal(run_all(reg, again.in), uninterrupted);  // the same seed in another work folder

    // As if killed after the first cell's first fold: the rest runs on the next start.
    stopped.in.max_folds = 1;
    reg.entries()[0].run(stopped.in);
    const auto sources = files_with_extension(stopped.in.work_dir / "sources", ".ckpt");
    REQUIRE(sources.size() == 1);
    const auto source_written = std::filesystem::last_write_time(sources[0]);
    stopped.in.max_folds = 0;
    const auto resumed = run_all(reg, stopped.in);
    CHECK(std::filesystem::last_write_time(sources[0]) == source_written);  // the cached source model was reused
    check_bitwise_equal(resumed, uninterrupted);
}

// Run by the next test as a separate process: one cell of the small grid in a given work folder.
TEST_CASE("child process: one cell of the small grid", "[.][protocol_child]") {
    const char* work = std::getenv("DERMTL_TEST_WORK_DIR");
    const char* cell = std::getenv("DERMTL_TEST_CELL");
    REQUIRE(work);
    REQUIRE(cell);
    fixture f;
    f.in.work_dir = work;
    f.in.verbose = true;  // says whether it trained the source model or reused it
    const auto matched = small_grid().match(cell);
    REQUIRE(matched.size() == 1);
    matched[0]->run(f.in);
}

TEST_CASE("two processes running different cells train the shared source model once", "[protocol][experiment][grid]") {
    const registry reg = small_grid();
    fixture shared, alone;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::vector<pid_t> children;
    std::vector<std::filesystem::path> logs;
    for (std::size_t c : {0u, 3u}) {  // source/frozen/malignant_vs_benign and source/full/melanoma_carcinoma_benign
        ::setenv("DERMTL_TEST_WORK_DIR", shared.in.work_dir.c_str(), 1);
        ::setenv("DERMTL_TEST_CELL", reg.entries()[c].id.str().c_str(), 1);
        char* argv[] = {const_cast<char*>(self.c_str()), const_cast<char*>("[protocol_child]"), nullptr};
        logs.push_back(shared.dir / ("child" + std::to_string(c) + ".log"));
        posix_spawn_file_actions_t redirect;
        ::posix_spawn_file_actions_init(&redirect);
        ::posix_spawn_file_actions_addopen(&redirect, 2, logs.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid = 0;
        REQUIRE(::posix_spawn(&pid, self.c_str(), &redirect, nullptr, argv, environ) == 0);
        ::posix_spawn_file_actions_destroy(&redirect);
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    // One process trained the source model; the other waited for it and reused it.
    std::string both;
    for (const auto& log : logs) both += std::string(std::istreambuf_iterator<char>(std::ifstream(log).rdbuf()), {});
    INFO(both);
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = both.find(what); at != std::string::npos; at = both.find(what, at + 1)) ++n;
        return n;
    };
    CHECK(count("trained the source-task source model") == 1);
    CHECK(count("reused the cached source-task source model") == 1);
    // One source model, no temporary file left behind, and both cells' results equal a run
    // alone: had the two processes written the source checkpoint at once, they would not.
    CHECK(files_with_extension(shared.in.work_dir / "sources", ".ckpt").size() == 1);
    for (const auto& e : std::filesystem::recursive_directory_iterator(shared.in.work_dir))
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    for (std::size_t c : {0u, 3u}) {
        const auto stored = reg.entries()[c].run(shared.in);  // read back from the results store
        const auto fresh = reg.entries()[c].run(alone.in);
        check_bitwise_equal({stored}, {fresh});
    }
}

TEST_CASE("bad input: an incompatible results folder and a fold without a class", "[protocol][experiment][errors]") {
    using cell = experiment<small, backend::cpu, transfer::from_source<4>, finetune::frozen,
                            labeling::melanoma_carcinoma_benign>;
    fixture f;
    const auto stored = f.in.work_dir / "results" / folder_name(cell::id()) / "Fold_1.json";
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


TEST_CASE("a stored result is reused only by the same experiment", "[protocol][experiment][fingerprint]") {
    fixture f;
    f.in.max_folds = 1;
    f.in.target_training.epochs = 1;
    using cell = experiment<small, backend::cpu, transfer::none, finetune::full, labeling::malignant_vs_benign>;
    const auto first = cell::run(f.in);
    const auto stored = f.in.work_dir / "results" / folder_name(cell::id()) / "Fold_1.json";
    const auto written = std::filesystem::last_write_time(stored);
    const auto fp = nlohmann::json::parse(std::ifstream(stored)).at("config").at("fingerprint");
    CHECK(fp.at("cell") == cell::id().str());
    CHECK(fp.contains("target"));
    CHECK(fp.at("data_samples") == 80);
    CHECK(fp.at("target_samples") == 80);  // malignant vs. benign drops nothing
    CHECK(fp.dump().find(f.dir.path().string()) == std::string::npos);  // no absolute path in it

    // The same experiment: reused, the file untouched.
    const auto again = cell::run(f.in);
    CHECK(again.folds[0].predictions.scores == first.folds[0].predictions.scores);
    CHECK(std::filesystem::last_write_time(stored) == written);

    // The same images under another path (a copied run, staged data): still the same experiment.
    {
        fixture moved;
        moved.in.max_folds = 1;
        moved.in.target_training.epochs = 1;
        moved.in.work_dir = f.in.work_dir;
        const auto r = cell::run(moved.in);
        CHECK(r.folds[0].predictions.scores == first.folds[0].predictions.scores);
        CHECK(std::filesystem::last_write_time(stored) == written);
    }

    // Another setting, seed or dataset: refused, naming the folder, the field, both values and the ways out.
    auto epochs = f.in;
    epochs.target_training.epochs = 2;
    CHECK_THROWS_WITH(cell::run(epochs), Catch::Contains(stored.parent_path().string()) &&
                                             Catch::Contains("'target_training'") && Catch::Contains("\"epochs\":1") &&
                                             Catch::Contains("\"epochs\":2") && Catch::Contains("--out") &&
                                             Catch::Contains("--recompute"));
    auto seed = f.in;
    seed.seed = 12;
    CHECK_THROWS_WITH(cell::run(seed), Catch::Contains("'seed' was 11, now 12"));
    auto fewer = f.in;
    data::dataset smaller = f.lesions;
    smaller.samples.pop_back();
    data::fold_set folds = data::make_5x2_folds(smaller, 7, 1);
    fewer.target = &smaller;
    fewer.folds = &folds;
    CHECK_THROWS_WITH(cell::run(fewer), Catch::Contains("'data'"));
    // An image whose content changed is another dataset.
    {
        const auto image = f.lesions.samples.front().image;
        const auto bytes = [&] {
            std::ifstream in(image, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        }();
        cv::Mat img = cv::imread(image.string());
        img.at<cv::Vec3b>(0, 0) = cv::Vec3b(1, 2, 3);
        cv::imwrite(image.string(), img);
        CHECK_THROWS_WITH(cell::run(f.in), Catch::Contains("'data'"));
        std::ofstream(image, std::ios::binary) << bytes;
    }
    CHECK(std::filesystem::last_write_time(stored) == written);  // nothing was overwritten

    // --recompute replaces the result, atomically, with the new experiment's.
    epochs.recompute = true;
    const auto replaced = cell::run(epochs);
    const auto fp2 = nlohmann::json::parse(std::ifstream(stored)).at("config").at("fingerprint");
    CHECK(fp2.at("target_training").at("epochs") == 2);
    CHECK(replaced.folds[0].best_epoch >= 1);
    for (const auto& e : std::filesystem::directory_iterator(stored.parent_path()))
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}
