// The trainer: learning on a separable toy problem, best-weights restore, the same seed twice,
// progress and callbacks, the training record in a checkpoint, replacing the classifier, and the
// dataset path (balanced, augmented batches from image files). Resuming and stopping:
// test_trainer_resume.cpp.
#include "support/oracle.hpp"
#include "trainer_toy.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "dermtl/core/log.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/trainer.hpp"
#ifdef DERMTL_TEST_ONEDNN
#include "dermtl/backend/onednn/ops.hpp"
#endif

using namespace dermtl;
namespace fs = std::filesystem;

using namespace dermtl::testing::trainer_toy;


TEST_CASE("the trainer learns a separable toy problem and keeps the lowest-validation-loss weights", "[train][trainer]") {
    toy_problem p;
    network net(3);
    std::vector<train::epoch_report> seen;
    std::size_t steps = 0;
    train::trainer_callbacks cb;
    cb.on_epoch = [&](const train::epoch_report& r) {
        seen.push_back(r);
        return train::train_control::proceed;
    };
    cb.on_step = [&](const train::step_report& r) {
        ++steps;
        CHECK(r.steps == 8);  // 60 images / 8
    };
    const auto result = train::train_network(net, p.train, p.validation, toy_options(), cb);
    REQUIRE(result.history.size() == 5);
    CHECK(seen.size() == 5);
    CHECK(steps == 5 * 8);
    CHECK(result.resumed_after == 0);
    for (const auto& r : result.history) {
        CHECK(std::isfinite(r.train_loss));
        CHECK(std::isfinite(r.val_loss));
        CHECK(r.train_images == 60);
        CHECK(r.val_images == 12);
        CHECK(r.images_per_second > 0);
    }
    CHECK(result.history.back().train_loss < result.history.front().train_loss);
    const auto best = std::min_element(result.history.begin(), result.history.end(),
                                       [](const auto& a, const auto& b) { return a.val_loss < b.val_loss; });
    CHECK(result.best_epoch == best->epoch);
    CHECK(best->best);
    CHECK(result.best_val_loss == best->val_loss);
    CHECK(best->val_auc > 0.9);
    // The network ends with the best epoch's weights: evaluating again gives that epoch's loss.
    const auto [loss, auc] = train::evaluate(net, p.validation, 8);
    CHECK(loss == best->val_loss);
    CHECK(auc == best->val_auc);
}

TEMPLATE_TEST_CASE("the same seed gives the same run", "[train][trainer]", DERMTL_CPU_BACKENDS) {
    using network = nn::network<tiny, TestType>;
    toy_problem p;
    network a(3), b(3);
    auto opt = toy_options();
    opt.epochs = 2;
    train::train_network(a, p.train, p.validation, opt);
    train::train_network(b, p.train, p.validation, opt);
    // Bitwise: tensor buffers are 64-byte aligned (core/tensor.hpp), so Eigen's vectorized kernels
    // sum in the same order wherever the buffers lie, and the OpenMP work split is static.
    CHECK(same_bits(weights_of(a), weights_of(b)));
    network c(3);
    opt.seed = 18;  // another dropout stream: really another run
    train::train_network(c, p.train, p.validation, opt);
    CHECK(max_relative_difference(weights_of(a), weights_of(c)) > 1e-3);
}

// The trainer restores every piece of state a run depends on (weights, velocity, epoch, dropout
// generator, best weights, history; the data order is a function of seed and epoch), so a resumed
// run ends with bitwise the same weights and loss curve as an uninterrupted one.
TEST_CASE("progress: plain lines off a terminal, a live bar on one", "[train][progress]") {
    train::epoch_report r;
    r.epoch = 3;
    r.epochs = 60;
    r.train_loss = 0.6412;
    r.val_loss = 0.612;
    r.val_auc = 0.7421;
    r.images_per_second = 212.3;
    r.seconds = 12.4;
    r.eta_seconds = 581;
    r.best = true;
    CHECK(train::format_epoch_line(r) ==
          "epoch  3/60  train 0.6412  val 0.6120  AUC 0.7421  212.3 img/s  12.4 s  ETA 9m41s  *");
    CHECK(train::format_duration(42) == "42s");
    CHECK(train::format_duration(7500) == "2h05m");

    std::ostringstream plain;
    train::progress_printer p(plain);
    CHECK_FALSE(p.live());
    p.on_step({3, 60, 1, 10, 48, 0.7, 100});
    p.on_epoch(r);
    CHECK(plain.str() == train::format_epoch_line(r) + "\n");

    std::ostringstream tty;
    train::progress_printer live(tty, true);
    live.on_step({3, 60, 10, 10, 480, 0.7, 100});
    live.on_epoch(r);
    CHECK_THAT(tty.str(), Catch::StartsWith("\repoch 3/60 [###") && Catch::Contains("10/10") &&
                              Catch::Contains(train::format_epoch_line(r)));
}

TEST_CASE("the trainer's progress goes to the caller's log sink", "[train][progress]") {
    toy_problem p;
    network net(3);
    train::trainer_options o = toy_options();
    o.epochs = 2;
    o.print_progress = true;
    std::ostringstream captured;
    {
        log::scoped_sink sink(captured);
        CHECK_FALSE(train::progress_printer().live());  // a caller's sink: plain lines, no bar
        const auto result = train::train_network(net, p.train, p.validation, o);
        REQUIRE(result.history.size() == 2);
        CHECK(captured.str() == train::format_epoch_line(result.history[0]) + "\n" +
                                    train::format_epoch_line(result.history[1]) + "\n");
    }
}

TEST_CASE("the trainer's record in a checkpoint reads back what was written", "[train][checkpoint]") {
    train::trainer_record r{.seed = 17, .batch_size = 8, .sgd = {.learning_rate = 0.01f, .momentum = 0.9f, .l2 = 5e-4f},
                            .best_epoch = 2, .best_val_loss = 0.25, .history = {}};
    train::epoch_report e;
    e.epoch = 1;
    e.epochs = 3;
    e.train_loss = 0.7;
    e.val_loss = NAN;  // no validation set: stored as null
    e.val_auc = NAN;
    e.images_per_second = 120;
    e.seconds = 1.5;
    e.train_images = 60;
    e.best = false;
    r.history = {e, e};
    r.history[1].epoch = 2;
    const std::string text = train::write_trainer_record(r);
    CHECK(text.find("\"val_loss\":null") != std::string::npos);
    const train::trainer_record back = train::read_trainer_record(text, "test");
    CHECK(back.seed == 17);
    CHECK(back.batch_size == 8);
    CHECK(back.sgd.learning_rate == 0.01f);
    CHECK(back.sgd.momentum == 0.9f);
    CHECK(back.sgd.l2 == 5e-4f);
    CHECK(back.best_epoch == 2);
    CHECK(back.best_val_loss == 0.25);
    REQUIRE(back.history.size() == 2);
    CHECK(back.history[1].epoch == 2);
    CHECK(back.history[0].train_loss == 0.7);
    CHECK(std::isnan(back.history[0].val_loss));
    CHECK(train::write_trainer_record(back) == text);
    r.best_val_loss = INFINITY;  // no best epoch yet
    CHECK(std::isnan(train::read_trainer_record(train::write_trainer_record(r), "test").best_val_loss));

    CHECK_THROWS_AS(train::read_trainer_record("", "test"), io_error);
    CHECK_THROWS_WITH(train::read_trainer_record("{\"seed\": 1}", "resuming from 'x.ckpt'"),
                      Catch::Contains("resuming from 'x.ckpt'") && Catch::Contains("unreadable"));
}

TEST_CASE("replacing the classifier: 1000 -> 2 classes keeps every other layer", "[train][transfer]") {
    using imagenet_net = models::vgg_m_t<1000, 64, 8>;
    using lesion_net = models::vgg_m_t<2, 64, 8>;
    nn::network<imagenet_net, backend::cpu> source(1);
    nn::network<lesion_net, backend::cpu> target(2);
    const host_tensor fc8_before = target.params(lesion_net::find("fc8"))[0].value;

    std::string msg;
    try {
        train::copy_layers(source, target);
    } catch (const shape_error& e) {
        msg = e.what();
    }
    CHECK_THAT(msg, Catch::Contains("'fc8'") && Catch::Contains("[2,512,1,1]") && Catch::Contains("[1000,512,1,1]"));
    // Every layer is checked before any is copied: the refused copy left conv1 to fc7 as they were.
    for (const char* name : {"conv1", "fc7"}) {
        const bool untouched = !(target.params(lesion_net::find(name))[0].value == source.params(imagenet_net::find(name))[0].value);
        CHECK(untouched);
    }

    const auto copied = train::replace_classifier(source, target);
    CHECK(copied == std::vector<std::string>{"conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7"});
    for (const auto& name : copied) {
        const bool same = target.params(lesion_net::find(name))[0].value == source.params(imagenet_net::find(name))[0].value;
        CHECK(same);
    }
    const bool fc8_kept = target.params(lesion_net::find("fc8"))[0].value == fc8_before;
    CHECK(fc8_kept);

    // A source without a layer the target needs.
    network toy(1);
    CHECK_THROWS_AS(train::copy_layers(toy, target), shape_error);                // conv1 differs
    CHECK_THROWS_AS(train::copy_layers(toy, target, {"conv1"}), config_error);  // no conv2 there
}

TEST_CASE("training from image files: balanced, augmented batches and a stratified validation split",
          "[train][trainer][data]") {
    testing::scratch_dir dir("dataset");
    data::dataset d;
    d.name = "toy";
    d.class_names = {"benign", "malignant"};
    rng gen(4);
    for (int i = 0; i < 30; ++i) {
        const int label = i < 22 ? 0 : 1;  // imbalanced, as the lesion sets are
        cv::Mat img(24, 24, CV_8UC3);
        for (auto it = img.begin<cv::Vec3b>(); it != img.end<cv::Vec3b>(); ++it) {
            const int base = label ? 170 : 80;
            *it = cv::Vec3b(uchar(base + gen.below(60)), uchar(base + gen.below(60)), uchar(base + gen.below(60)));
        }
        const fs::path file = dir / ("img" + std::to_string(i) + ".png");
        cv::imwrite(file.string(), img);
        data::sample s;
        s.id = "img" + std::to_string(i);
        s.image = file;
        s.label = label;
        d.samples.push_back(s);
    }
    io::image_cache_options cache_opt;
    cache_opt.preprocess.width = cache_opt.preprocess.height = 16;
    cache_opt.preprocess.crop_frame = false;
    io::image_cache cache(cache_opt);
    const auto all = range(0, 30);
    auto sources = train::paper_sources(d, all, cache, io::mean_image::per_channel(128, 128, 128), 7);
    CHECK(sources.validation.size() == 3);  // round(10% of 22) + round(10% of 8)
    CHECK(sources.train.size() == 27);
    const auto plan = sources.train.plan(0);
    CHECK(plan.size() == 2 * 20);  // balanced: 20 benign + 20 malignant (13 augmented copies)

    network net(5);
    auto opt = toy_options();
    opt.epochs = 2;
    const auto result = train::train_network(net, sources.train, sources.validation, opt);
    REQUIRE(result.history.size() == 2);
    CHECK(result.history[0].train_images == 40);
    CHECK(result.history[0].val_images == 3);
    CHECK(std::isfinite(result.history[1].val_loss));
}
