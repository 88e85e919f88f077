#pragma once
// The paper's training protocol for any network type on any backend.
//
// Represents: train_network(net, train, validation, options, callbacks): `epochs` epochs of SGD
// with Nesterov momentum (train/sgd.hpp) over mini-batches of `batch_size`; after every epoch the
// validation loss and AUC; the weights with the lowest validation loss are kept and put back at
// the end. Data come from batch sources (train/batch_sources.hpp: tensor_source for images in
// memory, dataset_source for a data::dataset through the image cache with the paper's balancing
// and augmentation; paper_sources() makes both with the 10% stratified validation split); the
// validation measure is train/evaluation.hpp's evaluate(); each batch is uploaded into the same
// backend tensor (no allocation per step).
//
// Determinism: the network's generator (dropout) is seeded with options.seed at the start, and
// every epoch's order and augmentation is a function of (source seed, epoch) only. With
// `checkpoint` set, a checkpoint (weights, velocity, epoch, generator, best weights, history) is
// written atomically after every epoch, with the trainer's record (train/epoch_record.hpp) as its
// `extra` text; a run started again with the same options resumes after
// the last completed epoch and, on the CPU, ends with bitwise the same weights as a run that was
// never interrupted (tests/train/test_trainer.cpp interrupts after epoch k and compares).
// The seed and batch size must match to resume (they fix the data order; a mismatch is an
// error); other options (learning rate, epochs) may change between runs.
//
// Progress goes to the log sink (core/log.hpp; default standard error) when print_progress is set.
//
// Failures: a non-finite training loss (or a NaN/Inf inside the network) stops training with a
// numeric_error naming the epoch and step; the last good checkpoint on disk is left untouched and
// the network gets back its best weights so far.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/train/batch_sources.hpp"
#include "dermtl/train/epoch_record.hpp"
#include "dermtl/train/evaluation.hpp"
#include "dermtl/train/progress.hpp"
#include "dermtl/train/sgd.hpp"

namespace dermtl::train {

struct trainer_options {
    std::size_t epochs = 60;            // the paper's
    std::size_t batch_size = 48;        // the reference implementation's
    sgd_options sgd{};                  // lr 1e-3, momentum 0.1 (as printed), L2 5e-3
    std::uint64_t seed = 0;             // seeds the network's generator (dropout) at the start
    std::filesystem::path checkpoint;   // empty: none; else written after every epoch
    bool resume = true;                 // continue from `checkpoint` when it exists
    bool restore_best = true;           // end with the lowest-validation-loss weights
    bool print_progress = true;         // progress_printer on the log sink (log::stream())
    std::string fingerprint;            // recorded in the checkpoint; a checkpoint with another one
                                        // is not resumed (protocol/fingerprint.hpp)
};

struct trainer_callbacks {
    std::function<train_control(const epoch_report&)> on_epoch;  // may stop training
    std::function<void(const step_report&)> on_step;
};

struct training_result {
    std::vector<epoch_report> history;      // every completed epoch, resumed ones included
    std::size_t best_epoch = 0;             // 1-based; 0 when there was no validation set
    double best_val_loss = NAN;
    std::size_t resumed_after = 0;          // epochs already completed in the checkpoint (0: fresh)
    bool stopped_by_callback = false;
};

template <class Network, batch_source Train, batch_source Validation>
training_result train_network(Network& net, Train& train, Validation& validation, const trainer_options& opt,
                              const trainer_callbacks& callbacks = {}) {
    using ops = typename Network::ops;
    using tensor = typename Network::tensor;
    using Net = typename Network::net_type;
    using clock = std::chrono::steady_clock;
    if (opt.batch_size == 0) throw config_error("train_network: batch_size must be at least 1, got 0");
    if (!(opt.sgd.learning_rate > 0) || !std::isfinite(opt.sgd.learning_rate))
        throw config_error("train_network: the learning rate must be positive and finite, got " +
                           std::to_string(opt.sgd.learning_rate));

    sgd_nesterov<Network> sgd(net, opt.sgd);
    net.generator().seed(opt.seed);
    progress_printer printer(log::stream());

    training_result result;
    std::vector<host_tensor> best_weights;
    double best_val = std::numeric_limits<double>::infinity();
    std::size_t start = 0;

    const bool checkpointing = !opt.checkpoint.empty();
    if (checkpointing && opt.resume && std::filesystem::exists(opt.checkpoint)) {
        const io::checkpoint c = io::read_checkpoint_for<Net>(opt.checkpoint);
        const std::string where = "train_network: resuming from '" + opt.checkpoint.string() + "'";
        const trainer_record record = read_trainer_record(c.extra, where);
        if (record.seed != opt.seed || record.batch_size != opt.batch_size)
            throw config_error(where + ": it was written with seed " + std::to_string(record.seed) + " and batch size " +
                               std::to_string(record.batch_size) + ", this run has seed " + std::to_string(opt.seed) +
                               " and batch size " + std::to_string(opt.batch_size) +
                               "; use the same to resume, or another checkpoint path");
        if (record.fingerprint != opt.fingerprint)
            throw config_error(where + ": it was written by another experiment (fingerprint " +
                               (record.fingerprint.empty() ? std::string("none") : record.fingerprint) + ", this run " +
                               (opt.fingerprint.empty() ? std::string("none") : opt.fingerprint) +
                               "); delete it to train afresh, or use another checkpoint path");
        result.history = record.history;
        result.best_epoch = record.best_epoch;
        if (!std::isnan(record.best_val_loss)) best_val = record.best_val_loss;
        io::restore_checkpoint(c, net, sgd, where);
        best_weights = c.best_weights;
        start = c.epoch;
        result.resumed_after = start;
        if (opt.print_progress)
            printer.message("resuming after epoch " + std::to_string(start) + " from " + opt.checkpoint.string());
    }

    auto restore_best = [&] {
        if (opt.restore_best && !best_weights.empty())
            io::parameters_from_host(net, best_weights, "train_network: restoring the best weights");
    };

    double seconds_so_far = 0;
    std::size_t epochs_timed = 0;
    host_tensor x;
    std::vector<int> y;
    tensor input, dlogits;  // the batch on the backend, reused every step
    for (std::size_t epoch = start + 1; epoch <= opt.epochs; ++epoch) {
        const auto epoch_start = clock::now();
        const auto plan = train.plan(epoch - 1);
        const std::size_t steps = (plan.size() + opt.batch_size - 1) / opt.batch_size;
        double loss_sum = 0;
        std::size_t seen = 0;
        for (std::size_t step = 1; step <= steps; ++step) {
            const std::size_t first = (step - 1) * opt.batch_size;
            const std::size_t n = std::min(opt.batch_size, plan.size() - first);
            train.fill(std::span(plan).subspan(first, n), x, y);
            auto fail = [&](const std::string& what) {
                restore_best();
                return numeric_error(
                    "train_network: " + what + " at epoch " + std::to_string(epoch) + ", step " +
                    std::to_string(step) + " of " + std::to_string(steps) + " (learning rate " +
                    std::to_string(opt.sgd.learning_rate) + "); training stopped" +
                    (checkpointing && epoch > 1 ? "; the last good checkpoint (epoch " + std::to_string(epoch - 1) +
                                                      ") is kept at '" + opt.checkpoint.string() + "'"
                                                : "") +
                    (opt.restore_best && !best_weights.empty()
                         ? "; the network holds the best weights so far (epoch " + std::to_string(result.best_epoch) + ")"
                         : "") +
                    "; try a lower learning rate");
            };
            double loss;
            try {
                ops::from_host(x, input);
                const tensor& logits = net.forward(input, nn::mode::train);
                loss = nn::softmax_cross_entropy<typename Network::backend_type>(logits, y, dlogits);
            } catch (const numeric_error& e) {
                throw fail(std::string("the loss became NaN/Inf (") + e.what() + ")");
            }
            if (!std::isfinite(loss)) throw fail("the training loss became " + std::to_string(loss));
            net.backward(dlogits);
            sgd.step();
            loss_sum += loss * double(n);
            seen += n;
            const double elapsed = std::chrono::duration<double>(clock::now() - epoch_start).count();
            const step_report sr{epoch, opt.epochs, step, steps, seen, loss_sum / double(seen),
                                 elapsed > 0 ? double(seen) / elapsed : 0};
            if (opt.print_progress) printer.on_step(sr);
            if (callbacks.on_step) callbacks.on_step(sr);
        }
        const double train_seconds = std::chrono::duration<double>(clock::now() - epoch_start).count();
        epoch_report r;
        r.epoch = epoch;
        r.epochs = opt.epochs;
        r.train_images = seen;
        r.train_loss = seen ? loss_sum / double(seen) : NAN;
        r.images_per_second = train_seconds > 0 ? double(seen) / train_seconds : 0;
        std::tie(r.val_loss, r.val_auc) = evaluate(net, validation, opt.batch_size);
        r.val_images = validation.plan(0).size();
        if (std::isfinite(r.val_loss) && r.val_loss < best_val) {
            best_val = r.val_loss;
            result.best_epoch = epoch;
            best_weights = io::parameters_to_host(net);
            r.best = true;
        }
        r.seconds = std::chrono::duration<double>(clock::now() - epoch_start).count();
        seconds_so_far += r.seconds;
        ++epochs_timed;
        r.eta_seconds = seconds_so_far / double(epochs_timed) * double(opt.epochs - epoch);
        result.history.push_back(r);

        if (checkpointing) {
            io::checkpoint c = io::make_checkpoint(net, sgd, epoch);
            c.best_weights = best_weights;
            c.extra = write_trainer_record({.seed = opt.seed,
                                            .batch_size = opt.batch_size,
                                            .sgd = opt.sgd,
                                            .best_epoch = result.best_epoch,
                                            .best_val_loss = best_val,
                                            .history = result.history,
                                            .fingerprint = opt.fingerprint});
            io::write_checkpoint(opt.checkpoint, c);
        }
        if (opt.print_progress) printer.on_epoch(r);
        if (callbacks.on_epoch && callbacks.on_epoch(r) == train_control::stop) {
            result.stopped_by_callback = true;
            break;
        }
    }
    result.best_val_loss = std::isfinite(best_val) ? best_val : NAN;
    restore_best();
    return result;
}

}  // namespace dermtl::train
