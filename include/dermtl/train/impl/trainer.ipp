// Definitions of train/trainer.hpp (see core/config.hpp): inline in header-only use, compiled once
// into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION. The training loop over a trainee (the
// network, its optimizer and its batch sources behind one interface); train_network (the header)
// makes the trainee of its types.
#include "dermtl/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/train/epoch_record.hpp"
#include "dermtl/train/progress.hpp"
#include "dermtl/train/stop_request.hpp"

namespace dermtl::train {

namespace trainer_detail {

DERMTL_DECL void check_options(const trainer_options& opt) {
    if (opt.batch_size == 0) throw config_error("train_network: batch_size must be at least 1, got 0");
    if (!(opt.sgd.learning_rate > 0) || !std::isfinite(opt.sgd.learning_rate))
        throw config_error("train_network: the learning rate must be positive and finite, got " +
                           std::to_string(opt.sgd.learning_rate));
}

DERMTL_DECL training_result train(trainee& t, const trainer_options& opt, const trainer_callbacks& callbacks) {
    using clock = std::chrono::steady_clock;
    t.seed(opt.seed);
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
            io::checkpoint c = t.read_checkpoint(opt.checkpoint);
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
        t.restore(c, where);
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
            t.set_weights(best_weights, "train_network: restoring the best weights");
    };

    // Writes the position after `epochs_done` epochs and `steps_done` steps of the next one.
    auto save_position = [&](std::size_t epochs_done, std::size_t steps_done, trainer_record::partial_epoch sums) {
        io::checkpoint c = t.make_checkpoint(epochs_done, steps_done);
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
    for (std::size_t epoch = start + 1; epoch <= opt.epochs; ++epoch) {
        const auto epoch_start = clock::now();
        const std::size_t planned = t.plan_epoch(epoch - 1);
        const std::size_t steps = (planned + opt.batch_size - 1) / opt.batch_size;
        // A mid-epoch resume continues the epoch's sums where the checkpoint left them.
        const bool continued = epoch == start + 1 && start_step > 0;
        const std::size_t steps_done = continued ? start_step : 0;
        double loss_sum = continued ? partial.loss_sum : 0;
        std::size_t seen = continued ? partial.images : 0;
        const double seconds_before = continued ? partial.seconds : 0;
        // Seconds of this epoch so far, a resumed epoch's earlier part included.
        auto epoch_seconds = [&] {
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
            const std::size_t n = std::min(opt.batch_size, planned - first);
            t.fill(first, n);
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
                loss = t.forward_loss();
            } catch (const numeric_error& e) {
                throw fail(std::string("the loss became NaN/Inf (") + e.what() + ")");
            }
            if (!std::isfinite(loss)) throw fail("the training loss became " + std::to_string(loss));
            t.backward_and_step();
            loss_sum += loss * double(n);
            seen += n;
            const double elapsed = epoch_seconds();
            const step_report sr{epoch, opt.epochs, step, steps, seen, loss_sum / double(seen),
                                 elapsed > 0 ? double(seen) / elapsed : 0};
            if (opt.print_progress) printer.on_step(sr);
            if (callbacks.on_step) callbacks.on_step(sr);
            if (stop_requested()) throw stopped(epoch, step, steps, {seen, loss_sum, elapsed});
        }
        const double train_seconds = epoch_seconds();
        epoch_report r;
        r.epoch = epoch;
        r.epochs = opt.epochs;
        r.train_images = seen;
        r.train_loss = seen ? loss_sum / double(seen) : NAN;
        r.images_per_second = train_seconds > 0 ? double(seen) / train_seconds : 0;
        std::tie(r.val_loss, r.val_auc) = t.evaluate(opt.batch_size);
        r.val_images = t.validation_size();
        if (std::isfinite(r.val_loss) && r.val_loss < best_val) {
            best_val = r.val_loss;
            result.best_epoch = epoch;
            best_weights = t.weights();
            r.best = true;
        }
        r.seconds = epoch_seconds();  // training and validation
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

}  // namespace trainer_detail

}  // namespace dermtl::train
