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
// backend tensor (no allocation per step). train_network itself is a thin template: it puts the
// network, its optimizer and its sources behind trainer_detail::trainee, and the loop, which is not
// a template, is defined in impl/trainer.ipp (compiled once with DERMTL_SEPARATE_COMPILATION).
//
// Determinism: the network's generator (dropout) is seeded with options.seed at the start, and
// every epoch's order and augmentation is a function of (source seed, epoch) only. With
// `checkpoint` set, a checkpoint (weights, velocity, epoch, generator, best weights, history) is
// written atomically after every epoch, with the trainer's record (train/epoch_record.hpp) as its
// `extra` text; a run started again with the same options resumes after
// the last completed epoch and, on the CPU, ends with bitwise the same weights as a run that was
// never interrupted (tests/train/test_trainer_resume.cpp interrupts after epoch k and compares).
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
// and best epoch as an uninterrupted run with the same thread count (tests/train/test_trainer_resume.cpp
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
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
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

namespace trainer_detail {

// What the training loop needs of a network, its optimizer and its two batch sources, behind one
// interface: the loop (trainer_detail::train, impl/trainer.ipp) is compiled once, not once per
// network type and pair of sources. trainee_of (below) is the one implementation.
class trainee {
public:
    virtual ~trainee() = default;
    virtual void seed(std::uint64_t seed) = 0;  // the network's generator (dropout)
    // The checkpoint at `path`, checked against the network's architecture (io::read_checkpoint_for).
    virtual io::checkpoint read_checkpoint(const std::filesystem::path& path) = 0;
    virtual void restore(const io::checkpoint& c, const std::string& where) = 0;  // weights, velocity, generator
    virtual io::checkpoint make_checkpoint(std::size_t epochs_done, std::size_t steps_done) = 0;
    virtual std::vector<host_tensor> weights() = 0;  // every parameter, on the host
    virtual void set_weights(const std::vector<host_tensor>& values, const std::string& where) = 0;
    // Makes the training source's plan of `epoch` (0-based) the current one; returns its size.
    virtual std::size_t plan_epoch(std::size_t epoch) = 0;
    virtual void fill(std::size_t first, std::size_t n) = 0;  // items [first, first + n) of that plan
    // Uploads the filled batch and runs the network in train mode: the batch's mean loss
    // (numeric_error for a NaN/Inf inside the network).
    virtual double forward_loss() = 0;
    virtual void backward_and_step() = 0;  // back-propagates that loss, then one SGD step
    virtual std::pair<double, double> evaluate(std::size_t batch_size) = 0;  // validation loss and AUC
    virtual std::size_t validation_size() = 0;                              // items of its epoch-0 plan
};

// The options train_network refuses (config_error), checked before anything is allocated.
DERMTL_DECL void check_options(const trainer_options& opt);
// The training loop (what train_network does, see the top of this file).
DERMTL_DECL training_result train(trainee& t, const trainer_options& opt, const trainer_callbacks& callbacks);

template <class Network, batch_source Train, batch_source Validation>
class trainee_of final : public trainee {
public:
    trainee_of(Network& net, Train& train, Validation& validation, const sgd_options& sgd)
        : net_(net), train_(train), validation_(validation), sgd_(net, sgd) {}

    void seed(std::uint64_t seed) override { net_.generator().seed(seed); }
    io::checkpoint read_checkpoint(const std::filesystem::path& path) override {
        return io::read_checkpoint_for<typename Network::net_type>(path);
    }
    void restore(const io::checkpoint& c, const std::string& where) override {
        io::restore_checkpoint(c, net_, sgd_, where);
    }
    io::checkpoint make_checkpoint(std::size_t epochs_done, std::size_t steps_done) override {
        return io::make_checkpoint(net_, sgd_, epochs_done, steps_done);
    }
    std::vector<host_tensor> weights() override { return io::parameters_to_host(net_); }
    void set_weights(const std::vector<host_tensor>& values, const std::string& where) override {
        io::parameters_from_host(net_, values, where);
    }
    std::size_t plan_epoch(std::size_t epoch) override {
        plan_ = train_.plan(epoch);
        return plan_.size();
    }
    void fill(std::size_t first, std::size_t n) override { train_.fill(std::span(plan_).subspan(first, n), x_, y_); }
    double forward_loss() override {
        Network::ops::from_host(x_, input_);
        const auto& logits = net_.forward(input_, nn::mode::train);
        return nn::softmax_cross_entropy<typename Network::backend_type>(logits, y_, dlogits_);
    }
    void backward_and_step() override {
        net_.backward(dlogits_);
        sgd_.step();
    }
    std::pair<double, double> evaluate(std::size_t batch_size) override {
        return dermtl::train::evaluate(net_, validation_, batch_size);
    }
    std::size_t validation_size() override {  // the same every epoch: planned once
        if (!validation_size_) validation_size_ = validation_.plan(0).size();
        return *validation_size_;
    }

private:
    Network& net_;
    Train& train_;
    Validation& validation_;
    sgd_nesterov<Network> sgd_;
    std::vector<typename Train::item> plan_;
    host_tensor x_;
    std::vector<int> y_;
    typename Network::tensor input_, dlogits_;  // the batch on the backend, reused every step
    std::optional<std::size_t> validation_size_;
};

}  // namespace trainer_detail

template <class Network, batch_source Train, batch_source Validation>
training_result train_network(Network& net, Train& train, Validation& validation, const trainer_options& opt,
                              const trainer_callbacks& callbacks = {}) {
    trainer_detail::check_options(opt);
    trainer_detail::trainee_of<Network, Train, Validation> trainee(net, train, validation, opt.sgd);
    return trainer_detail::train(trainee, opt, callbacks);
}

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/trainer.ipp"
#endif
