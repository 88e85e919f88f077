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
// Stop requests (train/stop_request.hpp; how a Slurm task survives preemption and time limits):
// the trainer reads train::stop_requested() after every step (and before an epoch's first one).
// Once it is set, the step in progress is finished, a step-level checkpoint is written atomically
// to `checkpoint` -- the epoch checkpoint's contents plus the number of completed steps of the
// current epoch and that epoch's running loss sum and image count (the dropout generator, the
// velocity and the weights are those after the step; the data order and every augmentation seed
// are functions of (source seed, epoch), so the position in the epoch is all the batch source
// needs) -- and stop_requested_error is thrown, naming the checkpoint, epoch and step. A program
// catches it and exits with requeue_exit_code (85). A run started again resumes at the next step
// of that epoch and ends, like an epoch-level resume, with bitwise the same weights, loss history
// and best epoch as an uninterrupted run with the same thread count (tests/train/test_trainer.cpp
// stops after step 3 of epoch 2 and compares). At most one step is lost: the one in progress when
// the job is killed without warning. Without `checkpoint` the stop is still honoured, and the
// error says that the progress is lost. After the throw the network holds the weights of the last
// step (not the best ones): it is meant to be discarded.
// On Slurm the batch script asks for `--signal=B:USR1@120`, traps USR1 and forwards it to dermtl
// (which runs inside train::stop_on_signals({SIGUSR1, SIGTERM})), and requeues the job on exit code
// 85 (RequeueExit=85, or `scontrol requeue` in the script); see docs/cluster.md, "Preemption".
//
// Progress goes to the log sink (core/log.hpp; default standard error) when print_progress is set.
//
// Failures: a non-finite training loss (or a NaN/Inf inside the network) stops training with a
// numeric_error naming the epoch and step; the last good checkpoint on disk is left untouched and
// the network gets back its best weights so far. A stop request ends training with
// stop_requested_error (above); a step-level checkpoint whose step does not fit the epoch (other
// training data) or whose running sums are missing is damaged: an io_error naming the file, or set
// aside and trained again (trainer_options::on_damaged).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
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
#include "dermtl/train/stop_request.hpp"

namespace dermtl::train {

// What train_network does with a checkpoint it cannot read (truncated, overwritten, inconsistent):
// refuse with an io_error naming the file (the default: the caller's own file), or set the file
// aside as "<checkpoint>.damaged", say so on the log sink naming both, and train from the start
// (what the experiments do with the checkpoints they keep: a damaged one costs its work item's
// training again, nothing else, and the result is the same as an uninterrupted run's).
enum class damaged_checkpoint { refuse, restart };

struct trainer_options {
    std::size_t epochs = 60;            // the paper's
    std::size_t batch_size = 48;        // the reference implementation's
    sgd_options sgd{};                  // lr 1e-3, momentum 0.1 (as printed), L2 5e-3
    std::uint64_t seed = 0;             // seeds the network's generator (dropout) at the start
    std::filesystem::path checkpoint;   // empty: none; else written after every epoch and on a stop request
    bool resume = true;                 // continue from `checkpoint` when it exists
    bool restore_best = true;           // end with the lowest-validation-loss weights
    bool print_progress = true;         // progress_printer on the log sink (log::stream())
    std::string fingerprint;            // recorded in the checkpoint; a checkpoint with another one
                                        // is not resumed (protocol/fingerprint.hpp)
    damaged_checkpoint on_damaged = damaged_checkpoint::refuse;
};

struct trainer_callbacks {
    std::function<train_control(const epoch_report&)> on_epoch;  // may stop training
    // After every step, before the stop request is read: a callback may call request_stop() to
    // stop after this step (as a signal handler would).
    std::function<void(const step_report&)> on_step;
};

struct training_result {
    std::vector<epoch_report> history;      // every completed epoch, resumed ones included
    std::size_t best_epoch = 0;             // 1-based; 0 when there was no validation set
    double best_val_loss = NAN;
    std::size_t resumed_after = 0;          // epochs already completed in the checkpoint (0: fresh)
    std::size_t resumed_at_step = 0;        // steps of the next epoch already completed in it (0: none)
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
    std::size_t start = 0;       // completed epochs
    std::size_t start_step = 0;  // completed steps of epoch start + 1
    trainer_record::partial_epoch partial{};  // that epoch's running sums
    auto describe_position = [](std::size_t epochs_done, std::size_t steps_done) {
        return steps_done == 0 ? "epoch " + std::to_string(epochs_done)
                               : "step " + std::to_string(steps_done) + " of epoch " + std::to_string(epochs_done + 1);
    };
    std::string last_saved;  // the position of the checkpoint on disk, for messages ("" : none)

    const bool checkpointing = !opt.checkpoint.empty();
    // The checkpoint to resume from, read and checked before anything is restored: a damaged one
    // is refused or set aside (damaged_checkpoint) with the network still as given.
    std::optional<std::pair<io::checkpoint, trainer_record>> saved;
    const std::string where = "train_network: resuming from '" + opt.checkpoint.string() + "'";
    if (checkpointing && opt.resume && std::filesystem::exists(opt.checkpoint)) {
        try {
            io::checkpoint c = io::read_checkpoint_for<Net>(opt.checkpoint);
            trainer_record record = read_trainer_record(c.extra, where);
            if ((c.step > 0) != (record.partial.images > 0))
                throw io_error(where + ": corrupted: it records step " + std::to_string(c.step) + " of epoch " +
                               std::to_string(c.epoch + 1) + " but " + std::to_string(record.partial.images) +
                               " images seen in that epoch");
            saved.emplace(std::move(c), std::move(record));
        } catch (const io_error& e) {
            if (opt.on_damaged == damaged_checkpoint::refuse) throw;
            std::filesystem::path aside = opt.checkpoint;
            aside += ".damaged";
            std::error_code ec;
            std::filesystem::rename(opt.checkpoint, aside, ec);
            if (ec)
                throw io_error(std::string(e.what()) + "; and it cannot be set aside as '" + aside.string() +
                               "': " + ec.message());
            log::info("warning: " + std::string(e.what()) + "; set it aside as '" + aside.string() +
                      "' and training this network again from the start");
        }
    }
    if (saved) {
        const io::checkpoint& c = saved->first;
        const trainer_record& record = saved->second;
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
        start_step = c.step;
        partial = record.partial;
        result.resumed_after = start;
        result.resumed_at_step = start_step;
        last_saved = describe_position(start, start_step);
        if (opt.print_progress)
            printer.message("resuming after " + last_saved + " from " + opt.checkpoint.string());
    }

    auto restore_best = [&] {
        if (opt.restore_best && !best_weights.empty())
            io::parameters_from_host(net, best_weights, "train_network: restoring the best weights");
    };

    // Writes the position after `epochs_done` epochs and `steps_done` steps of the next one.
    auto save_position = [&](std::size_t epochs_done, std::size_t steps_done, trainer_record::partial_epoch sums) {
        io::checkpoint c = io::make_checkpoint(net, sgd, epochs_done, steps_done);
        c.best_weights = best_weights;
        c.extra = write_trainer_record({.seed = opt.seed,
                                        .batch_size = opt.batch_size,
                                        .sgd = opt.sgd,
                                        .best_epoch = result.best_epoch,
                                        .best_val_loss = best_val,
                                        .history = result.history,
                                        .fingerprint = opt.fingerprint,
                                        .partial = sums});
        io::write_checkpoint(opt.checkpoint, c);
        last_saved = describe_position(epochs_done, steps_done);
    };

    // Saves the position (when checkpointing) and says where; thrown by the caller.
    auto stopped = [&](std::size_t epoch, std::size_t steps_done, std::size_t steps,
                       trainer_record::partial_epoch sums) {
        if (checkpointing) save_position(epoch - 1, steps_done, sums);
        const int sig = stop_signal();
        const std::string position = describe_position(epoch - 1, steps_done);
        return stop_requested_error(
            "train_network: stopped on request (" + (sig ? "signal " + std::to_string(sig) : std::string("request_stop()")) +
                ") after " + (steps_done ? "step " + std::to_string(steps_done) + " of " + std::to_string(steps) +
                                               " of epoch " + std::to_string(epoch)
                                         : "epoch " + std::to_string(epoch - 1)) +
                (checkpointing ? "; the position (" + position + ") is saved in '" + opt.checkpoint.string() +
                                     "'; run again with the same options to resume there"
                               : "; no checkpoint path is set, so this run's progress is lost"),
            checkpointing ? opt.checkpoint : std::filesystem::path(), epoch - 1, steps_done);
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
        // A mid-epoch resume continues the epoch's sums where the checkpoint left them.
        const bool continued = epoch == start + 1 && start_step > 0;
        const std::size_t steps_done = continued ? start_step : 0;
        double loss_sum = continued ? partial.loss_sum : 0;
        std::size_t seen = continued ? partial.images : 0;
        const double seconds_before = continued ? partial.seconds : 0;
        auto train_seconds_so_far = [&] {
            return seconds_before + std::chrono::duration<double>(clock::now() - epoch_start).count();
        };
        if (steps_done > steps)
            throw io_error("train_network: resuming from '" + opt.checkpoint.string() + "': it records step " +
                           std::to_string(steps_done) + " of epoch " + std::to_string(epoch) + ", which has only " +
                           std::to_string(steps) + " steps of batch size " + std::to_string(opt.batch_size) +
                           "; the training data differ from the run that wrote it");
        if (stop_requested()) throw stopped(epoch, steps_done, steps, {seen, loss_sum, seconds_before});
        for (std::size_t step = steps_done + 1; step <= steps; ++step) {
            const std::size_t first = (step - 1) * opt.batch_size;
            const std::size_t n = std::min(opt.batch_size, plan.size() - first);
            train.fill(std::span(plan).subspan(first, n), x, y);
            auto fail = [&](const std::string& what) {
                restore_best();
                return numeric_error(
                    "train_network: " + what + " at epoch " + std::to_string(epoch) + ", step " +
                    std::to_string(step) + " of " + std::to_string(steps) + " (learning rate " +
                    std::to_string(opt.sgd.learning_rate) + "); training stopped" +
                    (checkpointing && !last_saved.empty()
                         ? "; the last good checkpoint (" + last_saved + ") is kept at '" + opt.checkpoint.string() + "'"
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
            const double elapsed = train_seconds_so_far();
            const step_report sr{epoch, opt.epochs, step, steps, seen, loss_sum / double(seen),
                                 elapsed > 0 ? double(seen) / elapsed : 0};
            if (opt.print_progress) printer.on_step(sr);
            if (callbacks.on_step) callbacks.on_step(sr);
            if (stop_requested()) throw stopped(epoch, step, steps, {seen, loss_sum, elapsed});
        }
        const double train_seconds = train_seconds_so_far();
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
        r.seconds = seconds_before + std::chrono::duration<double>(clock::now() - epoch_start).count();
        seconds_so_far += r.seconds;
        ++epochs_timed;
        r.eta_seconds = seconds_so_far / double(epochs_timed) * double(opt.epochs - epoch);
        result.history.push_back(r);

        if (checkpointing) save_position(epoch, 0, {});
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
