// The trainer interrupted: resume after an epoch and mid-epoch after a stop request, with
// bitwise-identical final weights (float32 and bf16); stop requests from signals and without a
// checkpoint; truncated and damaged checkpoints; the NaN stop. The toy problem: trainer_toy.hpp.
#include "support/oracle.hpp"
#include "trainer_toy.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dermtl/core/log.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/train/stop_request.hpp"
#include "dermtl/train/trainer.hpp"
#ifdef DERMTL_TEST_ONEDNN
#include "dermtl/backend/onednn/ops.hpp"
#endif

using namespace dermtl;
namespace fs = std::filesystem;

using namespace dermtl::testing::trainer_toy;

TEMPLATE_TEST_CASE("a run interrupted after epoch k resumes and ends with bitwise the same weights",
                   "[train][trainer][checkpoint]", DERMTL_CPU_BACKENDS) {
    using network = nn::network<tiny, TestType>;
    testing::scratch_dir dir(std::string("resume-") + TestType::name);
    toy_problem p;
    const auto opt = toy_options();

    network uninterrupted(3);
    const auto full = train::train_network(uninterrupted, p.train, p.validation, opt);

    for (std::size_t k : {1u, 3u}) {
        INFO("interrupted after epoch " << k);
        auto o = opt;
        o.checkpoint = dir / ("run" + std::to_string(k) + ".ckpt");
        {
            network first(3);
            train::trainer_callbacks cb;
            cb.on_epoch = [&](const train::epoch_report& r) {
                return r.epoch == k ? train::train_control::stop : train::train_control::proceed;
            };
            const auto part = train::train_network(first, p.train, p.validation, o, cb);
            CHECK(part.stopped_by_callback);
            CHECK(part.history.size() == k);
        }
        CHECK(io::read_checkpoint(o.checkpoint).epoch == k);
        // A new process: a network with other initial weights, resumed from the checkpoint.
        network second(12345);
        const auto rest = train::train_network(second, p.train, p.validation, o);
        CHECK(rest.resumed_after == k);
        REQUIRE(rest.history.size() == full.history.size());
        CHECK(rest.best_epoch == full.best_epoch);
        for (std::size_t e = 0; e < full.history.size(); ++e) {
            CHECK(rest.history[e].train_loss == full.history[e].train_loss);
            CHECK(rest.history[e].val_loss == full.history[e].val_loss);
        }
        CHECK(same_bits(weights_of(second), weights_of(uninterrupted)));
        {
            // Resuming with another seed would change the data order: refused.
            auto other = o;
            other.seed = 99;
            network third(3);
            CHECK_THROWS_AS(train::train_network(third, p.train, p.validation, other), config_error);
        }
    }
}

namespace {

// Clears the process-wide stop flag when a test ends, passed or failed.
struct stop_flag_cleared {
    stop_flag_cleared() { train::clear_stop_request(); }
    ~stop_flag_cleared() { train::clear_stop_request(); }
};

// A stop requested after step `step` of epoch `epoch` (1-based); step 0: from on_epoch, after the
// epoch `epoch` ended.
struct stop_point {
    std::size_t epoch, step;
};

}  // namespace

// A stop request mid-epoch: the trainer finishes the step, saves the position (epoch, step, the
// epoch's running loss sum, dropout generator, velocity, weights, best weights, history) and
// throws; a new network resumed from it ends bitwise as a run that was never stopped. The toy
// epoch has 8 steps (60 images, batch 8).
TEMPLATE_TEST_CASE("a run stopped on request mid-epoch resumes at the next step and ends bitwise the same",
                   "[train][trainer][checkpoint][stop]", DERMTL_CPU_BACKENDS) {
    using network = nn::network<tiny, TestType>;
    testing::scratch_dir dir(std::string("stop-") + TestType::name);
    stop_flag_cleared cleared;
    toy_problem p;
    const auto opt = toy_options();

    network uninterrupted(3);
    const auto full = train::train_network(uninterrupted, p.train, p.validation, opt);

    // One stop in the middle of epoch 2; one after the last step of an epoch (resume goes straight
    // to validation); several in one run, one of them at an epoch boundary.
    const std::vector<std::vector<stop_point>> cases = {{{2, 3}}, {{4, 8}}, {{1, 1}, {2, 3}, {3, 0}, {5, 7}}};
    for (std::size_t n = 0; n < cases.size(); ++n) {
        auto o = opt;
        o.checkpoint = dir / ("run" + std::to_string(n) + ".ckpt");
        std::uint64_t init = 3;  // the first process's network; resumed ones start from other weights
        for (const stop_point& at : cases[n]) {
            INFO("case " << n << ": stop after epoch " << at.epoch << ", step " << at.step);
            network net(init);
            init = 12345 + at.epoch;
            train::trainer_callbacks cb;
            cb.on_step = [&](const train::step_report& r) {
                if (r.epoch == at.epoch && r.step == at.step) train::request_stop();
            };
            cb.on_epoch = [&](const train::epoch_report& r) {
                if (at.step == 0 && r.epoch == at.epoch) train::request_stop();
                return train::train_control::proceed;
            };
            bool threw = false;
            try {
                train::train_network(net, p.train, p.validation, o, cb);
            } catch (const train::stop_requested_error& e) {
                threw = true;
                INFO(e.what());
                CHECK(e.checkpoint == o.checkpoint);
                CHECK(e.epoch == (at.step == 0 ? at.epoch : at.epoch - 1));
                CHECK(e.step == at.step);
                CHECK_THAT(e.what(), Catch::Contains("request_stop()") && Catch::Contains(o.checkpoint.filename().string()));
            }
            CHECK(threw);
            train::clear_stop_request();
            const io::checkpoint c = io::read_checkpoint(o.checkpoint);
            CHECK(c.epoch == (at.step == 0 ? at.epoch : at.epoch - 1));
            CHECK(c.step == at.step);
            CHECK(train::read_trainer_record(c.extra, "test").history.size() == c.epoch);
        }
        // A new process: a network with other initial weights, resumed from the last stop.
        network resumed(777);
        const auto rest = train::train_network(resumed, p.train, p.validation, o);
        const stop_point last = cases[n].back();
        CHECK(rest.resumed_after == (last.step == 0 ? last.epoch : last.epoch - 1));
        CHECK(rest.resumed_at_step == last.step);
        REQUIRE(rest.history.size() == full.history.size());
        CHECK(rest.best_epoch == full.best_epoch);
        CHECK(rest.best_val_loss == full.best_val_loss);
        for (std::size_t e = 0; e < full.history.size(); ++e) {
            INFO("epoch " << e + 1);
            CHECK(rest.history[e].train_loss == full.history[e].train_loss);
            CHECK(rest.history[e].val_loss == full.history[e].val_loss);
            CHECK(rest.history[e].val_auc == full.history[e].val_auc);
            CHECK(rest.history[e].train_images == full.history[e].train_images);
            CHECK(rest.history[e].best == full.history[e].best);
        }
        CHECK(same_bits(weights_of(resumed), weights_of(uninterrupted)));
    }
}

#ifdef DERMTL_TEST_ONEDNN
// Issue 28: bf16 numerics on oneDNN (a scaled VGG-M at 64x64) are as reproducible as float32: the
// same seed twice, and a run stopped mid-epoch and resumed in a new network, end bitwise as one
// uninterrupted run. A checkpoint records its numerics and is resumed only in them. Below
// avx512_core oneDNN has no bf16 (the refusal is tested in tests/backend/test_onednn.cpp).
TEST_CASE("bf16: the same seed twice, and a run resumed mid-epoch, end bitwise as one uninterrupted run",
          "[train][trainer][checkpoint][bf16]") {
    if (!backend::onednn_detail::has_bf16()) {
        WARN("oneDNN has no bf16 below avx512_core (ISA '" << backend::onednn_detail::effective_isa_name() << "')");
        return;
    }
    using net_t = nn::network<models::vgg_m_scaled<2>, backend::onednn>;
    const backend::numerics bf16{backend::precision_kind::bf16, false};
    testing::scratch_dir dir("bf16-resume");
    stop_flag_cleared cleared;
    rng gen(4);
    auto images = std::make_shared<host_tensor>(host_tensor({24, 3, 64, 64}));
    std::vector<int> labels;
    for (std::size_t i = 0; i < 24; ++i) {
        labels.push_back(int(i % 2));
        for (std::size_t k = 0; k < 3 * 64 * 64; ++k)
            images->data()[i * 3 * 64 * 64 + k] = float(gen.normal()) * 0.5f + (i % 2 && k % 64 < 32 ? 1.0f : 0.0f);
    }
    train::tensor_source train_set{images, labels, range(0, 16), true, 5};
    train::tensor_source validation{images, labels, range(16, 24), false};
    auto opt = toy_options();
    opt.epochs = 2;
    opt.batch_size = 4;  // 4 steps an epoch

    net_t a(3), b(3);
    a.set_numerics(bf16);
    b.set_numerics(bf16);
    const auto full = train::train_network(a, train_set, validation, opt);
    train::train_network(b, train_set, validation, opt);
    CHECK(same_bits(weights_of(a), weights_of(b)));
    net_t f32(3);  // the same run in float32 ends elsewhere: bf16 really computed
    train::train_network(f32, train_set, validation, opt);
    CHECK_FALSE(same_bits(weights_of(f32), weights_of(a)));

    auto o = opt;
    o.checkpoint = dir / "bf16.ckpt";
    {
        net_t first(3);
        first.set_numerics(bf16);
        train::trainer_callbacks cb;
        cb.on_step = [&](const train::step_report& r) {
            if (r.epoch == 2 && r.step == 2) train::request_stop();
        };
        CHECK_THROWS_AS(train::train_network(first, train_set, validation, o, cb), train::stop_requested_error);
        train::clear_stop_request();
    }
    CHECK(io::read_checkpoint(o.checkpoint).numerics == "bf16");
    {
        // Resumed in float32: refused, naming both.
        net_t other(3);
        CHECK_THROWS_WITH(train::train_network(other, train_set, validation, o),
                          Catch::Contains("written in bf16") && Catch::Contains("computes in float32"));
    }
    net_t resumed(777);
    resumed.set_numerics(bf16);
    const auto rest = train::train_network(resumed, train_set, validation, o);
    CHECK(rest.resumed_at_step == 2);
    REQUIRE(rest.history.size() == full.history.size());
    for (std::size_t e = 0; e < full.history.size(); ++e) CHECK(rest.history[e].train_loss == full.history[e].train_loss);
    CHECK(same_bits(weights_of(resumed), weights_of(a)));
    // A float32 checkpoint records no numerics (its bytes are those of before issue 28).
    train::sgd_nesterov probe(f32, opt.sgd);
    CHECK(io::make_checkpoint(f32, probe, 0).numerics.empty());
}
#endif

TEST_CASE("a stop request without a checkpoint path still stops, and says the progress is lost",
          "[train][trainer][stop]") {
    stop_flag_cleared cleared;
    toy_problem p;
    network net(3);
    train::trainer_callbacks cb;
    cb.on_step = [](const train::step_report& r) {
        if (r.epoch == 1 && r.step == 2) train::request_stop();
    };
    std::string msg;
    try {
        train::train_network(net, p.train, p.validation, toy_options(), cb);
    } catch (const train::stop_requested_error& e) {
        msg = e.what();
        CHECK(e.checkpoint.empty());
        CHECK(e.step == 2);
    }
    CHECK_THAT(msg, Catch::Contains("step 2 of 8 of epoch 1") && Catch::Contains("progress is lost"));
}

namespace {
volatile std::sig_atomic_t previous_handler_ran = 0;
void previous_handler(int) { previous_handler_ran = 1; }
}  // namespace

TEST_CASE("stop_on_signals turns SIGUSR1 and SIGTERM into a stop request and restores the previous handlers",
          "[train][stop]") {
    stop_flag_cleared cleared;
    struct sigaction mine {}, saved_usr1{}, saved_term{};
    mine.sa_handler = &previous_handler;
    sigemptyset(&mine.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &mine, &saved_usr1) == 0);
    REQUIRE(sigaction(SIGTERM, &mine, &saved_term) == 0);
    {
        train::stop_on_signals guard({SIGUSR1, SIGTERM});
        CHECK_FALSE(train::stop_requested());
        std::raise(SIGUSR1);
        CHECK(train::stop_requested());
        CHECK(train::stop_signal() == SIGUSR1);
        CHECK(previous_handler_ran == 0);  // replaced, not chained
        train::clear_stop_request();
        std::raise(SIGTERM);
        CHECK(train::stop_requested());
        CHECK(train::stop_signal() == SIGTERM);
        train::clear_stop_request();
    }
    // The guard is gone: the handlers in place before it run again.
    std::raise(SIGUSR1);
    CHECK(previous_handler_ran == 1);
    CHECK_FALSE(train::stop_requested());
    previous_handler_ran = 0;
    std::raise(SIGTERM);
    CHECK(previous_handler_ran == 1);
    CHECK_FALSE(train::stop_requested());

    // A signal that cannot be caught: an error naming it, and the handlers already replaced are back.
    previous_handler_ran = 0;
    CHECK_THROWS_WITH(train::stop_on_signals({SIGUSR1, SIGKILL}),
                      Catch::Contains("signal " + std::to_string(SIGKILL)) && Catch::Contains("SIGKILL"));
    std::raise(SIGUSR1);
    CHECK(previous_handler_ran == 1);
    CHECK_FALSE(train::stop_requested());

    REQUIRE(sigaction(SIGUSR1, &saved_usr1, nullptr) == 0);
    REQUIRE(sigaction(SIGTERM, &saved_term, nullptr) == 0);
}

// Trains a fresh network with `opt` until a stop request after step 3 of epoch 2, which writes a
// step-level checkpoint to opt.checkpoint.
void stop_after_step_3_of_epoch_2(const toy_problem& p, const train::trainer_options& opt) {
    network net(3);
    train::trainer_callbacks cb;
    cb.on_step = [](const train::step_report& r) {
        if (r.epoch == 2 && r.step == 3) train::request_stop();
    };
    CHECK_THROWS_AS(train::train_network(net, p.train, p.validation, opt, cb), train::stop_requested_error);
    train::clear_stop_request();
}

TEST_CASE("a truncated step checkpoint is an error naming the file", "[train][trainer][checkpoint][stop][bad_input]") {
    testing::scratch_dir dir("stop-truncated");
    stop_flag_cleared cleared;
    toy_problem p;
    auto opt = toy_options();
    opt.checkpoint = dir / "step.ckpt";
    stop_after_step_3_of_epoch_2(p, opt);
    REQUIRE(io::read_checkpoint(opt.checkpoint).step == 3);
    fs::resize_file(opt.checkpoint, fs::file_size(opt.checkpoint) - 64);
    network again(3);
    std::string msg;
    try {
        train::train_network(again, p.train, p.validation, opt);
    } catch (const io_error& e) {
        msg = e.what();
    }
    CHECK_THAT(msg, Catch::Contains("step.ckpt") && Catch::Contains("truncated"));
}

TEST_CASE("with on_damaged = restart a damaged checkpoint is set aside, named, and the run trained again from the start",
          "[train][trainer][checkpoint][stop][bad_input]") {
    testing::scratch_dir dir("damaged-restart");
    stop_flag_cleared cleared;
    toy_problem p;
    auto opt = toy_options();
    opt.epochs = 3;
    network fresh(3);
    train::train_network(fresh, p.train, p.validation, opt);  // uninterrupted, no checkpoint

    opt.checkpoint = dir / "step.ckpt";
    opt.on_damaged = train::damaged_checkpoint::restart;
    stop_after_step_3_of_epoch_2(p, opt);
    const auto size = fs::file_size(opt.checkpoint);
    SECTION("truncated") { fs::resize_file(opt.checkpoint, size - 64); }
    SECTION("a byte overwritten") {
        std::fstream f(opt.checkpoint, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::streamoff(size - 100));
        char c = 0;
        f.read(&c, 1);
        c = char(~c);
        f.seekp(std::streamoff(size - 100));
        f.write(&c, 1);
    }
    std::ostringstream captured;
    network again(3);
    train::training_result r;
    {
        log::scoped_sink sink(captured);
        r = train::train_network(again, p.train, p.validation, opt);
    }
    CHECK(r.resumed_after == 0);
    CHECK(r.resumed_at_step == 0);
    CHECK(fs::exists(dir / "step.ckpt.damaged"));
    CHECK(fs::file_size(dir / "step.ckpt.damaged") <= size);
    CHECK_THAT(captured.str(), Catch::Contains("step.ckpt'") && Catch::Contains("step.ckpt.damaged") &&
                                   Catch::Contains("from the start"));
    // Trained again from the start: bitwise the uninterrupted run.
    CHECK(same_bits(weights_of(fresh), weights_of(again)));
    // The refusing default still refuses the set-aside file's kind of damage.
    fs::copy_file(dir / "step.ckpt.damaged", dir / "other.ckpt");
    opt.checkpoint = dir / "other.ckpt";
    opt.on_damaged = train::damaged_checkpoint::refuse;
    network third(3);
    CHECK_THROWS_AS(train::train_network(third, p.train, p.validation, opt), io_error);
}

TEST_CASE("a learning rate that makes the loss NaN stops with epoch and step, keeping the last good checkpoint",
          "[train][trainer][bad_input]") {
    testing::scratch_dir dir("nan");
    toy_problem p;
    auto opt = toy_options();
    opt.epochs = 1;
    opt.checkpoint = dir / "run.ckpt";
    network net(3);
    train::train_network(net, p.train, p.validation, opt);
    const auto good_size = fs::file_size(opt.checkpoint);
    const auto good_best = weights_of(net);

    opt.epochs = 3;
    opt.sgd.learning_rate = 1e30f;
    network again(3);
    std::string msg;
    try {
        train::train_network(again, p.train, p.validation, opt);
    } catch (const numeric_error& e) {
        msg = e.what();
    }
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains("epoch 2, step") && Catch::Contains("NaN") &&
                        Catch::Contains("last good checkpoint (epoch 1)") && Catch::Contains("run.ckpt"));
    const io::checkpoint kept = io::read_checkpoint(opt.checkpoint);
    CHECK(kept.epoch == 1);
    CHECK(fs::file_size(opt.checkpoint) == good_size);
    CHECK(same_bits(weights_of(again), good_best));  // the best weights so far are back in the network

    SECTION("bad options are refused before training") {
        auto bad = toy_options();
        bad.batch_size = 0;
        CHECK_THROWS_AS(train::train_network(net, p.train, p.validation, bad), config_error);
        bad = toy_options();
        bad.sgd.learning_rate = -1;
        CHECK_THROWS_AS(train::train_network(net, p.train, p.validation, bad), config_error);
    }
}

