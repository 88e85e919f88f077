#pragma once
// The paper's training protocol for any network type on any backend.
//
// Represents: train_network(net, train, validation, options, callbacks): `epochs` epochs of SGD
// with Nesterov momentum (train/sgd.hpp) over mini-batches of `batch_size`; after every epoch the
// validation loss and AUC; the weights with the lowest validation loss are kept and put back at
// the end. Data come from batch sources (see the concept below): tensor_source for images in
// memory, dataset_source for a data::dataset through the image cache with the paper's balancing
// and augmentation; paper_sources() makes both with the 10% stratified validation split.
//
// Determinism: the network's generator (dropout) is seeded with options.seed at the start, and
// every epoch's order and augmentation is a function of (source seed, epoch) only. With
// `checkpoint` set, a checkpoint (weights, velocity, epoch, generator, best weights, history) is
// written atomically after every epoch; a run started again with the same options resumes after
// the last completed epoch and, on the CPU, ends with bitwise the same weights as a run that was
// never interrupted (tests/train/test_trainer.cpp interrupts after epoch k and compares).
// The seed and batch size must match to resume (they fix the data order; a mismatch is an
// error); other options (learning rate, epochs) may change between runs.
//
// Failures: a non-finite training loss (or a NaN/Inf inside the network) stops training with a
// numeric_error naming the epoch and step; the last good checkpoint on disk is left untouched and
// the network gets back its best weights so far.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/train/augmentation.hpp"
#include "dermtl/train/progress.hpp"
#include "dermtl/train/sgd.hpp"

namespace dermtl::train {

// A batch source: the items of one epoch (deterministic given the epoch) and how to turn a run
// of items into an N x C x H x W batch with labels.
template <class S>
concept batch_source = requires(S& s, std::size_t epoch, std::span<const typename S::item> items, host_tensor& x,
                                std::vector<int>& y) {
    typename S::item;
    { s.plan(epoch) } -> std::same_as<std::vector<typename S::item>>;
    s.fill(items, x, y);
};

// Images already in memory (N x C x H x W) with labels; a subset by indices. Training sources
// shuffle every epoch with rng(epoch_seed(seed, epoch)); validation sources keep their order.
class tensor_source {
public:
    using item = std::size_t;

    tensor_source(std::shared_ptr<const host_tensor> images, std::vector<int> labels,
                  std::vector<std::size_t> indices, bool shuffle, std::uint64_t seed = 0)
        : images_(std::move(images)), labels_(std::move(labels)), indices_(std::move(indices)), shuffle_(shuffle),
          seed_(seed) {
        if (!images_) throw config_error("tensor_source: no images");
        if (labels_.size() != dims_of(*images_)[0])
            throw shape_error("tensor_source: expected one label per image (" + std::to_string(dims_of(*images_)[0]) +
                              "), found " + std::to_string(labels_.size()));
        for (auto i : indices_)
            if (i >= labels_.size())
                throw config_error("tensor_source: index " + std::to_string(i) + " out of range (" +
                                   std::to_string(labels_.size()) + " images)");
    }

    std::size_t size() const { return indices_.size(); }

    std::vector<item> plan(std::size_t epoch) const {
        std::vector<item> order = indices_;
        if (shuffle_) {
            rng r(epoch_seed(seed_, epoch));
            r.shuffle(order.begin(), order.end());
        }
        return order;
    }

    void fill(std::span<const item> items, host_tensor& x, std::vector<int>& y) const {
        const dims4 d = dims_of(*images_);
        const std::size_t per = d[1] * d[2] * d[3];
        ensure_shape(x, {items.size(), d[1], d[2], d[3]});
        y.resize(items.size());
        for (std::size_t k = 0; k < items.size(); ++k) {
            std::copy_n(images_->data() + items[k] * per, per, x.data() + k * per);
            y[k] = labels_[items[k]];
        }
    }

private:
    std::shared_ptr<const host_tensor> images_;
    std::vector<int> labels_;
    std::vector<std::size_t> indices_;
    bool shuffle_;
    std::uint64_t seed_;
};

// A data::dataset's samples through the image cache. Training sources follow the paper: each
// epoch is balanced_epoch() (minority classes oversampled with augmented copies, shuffled);
// validation sources keep their order and are never augmented.
class dataset_source {
public:
    using item = plan_item;

    dataset_source(const data::dataset& d, std::vector<std::size_t> indices, io::image_cache& cache,
                   io::mean_image mean, bool training, std::uint64_t seed = 0, augmentation_options aug = {},
                   balance_options balance = {})
        : d_(&d), indices_(std::move(indices)), cache_(&cache), mean_(std::move(mean)), training_(training),
          seed_(seed), aug_(aug), balance_(balance) {}

    std::size_t size() const { return indices_.size(); }

    std::vector<item> plan(std::size_t epoch) const {
        if (training_) return balanced_epoch(*d_, indices_, seed_, epoch, balance_);
        std::vector<item> out;
        out.reserve(indices_.size());
        for (auto i : indices_) out.push_back({i, false, 0});
        return out;
    }

    void fill(std::span<const item> items, host_tensor& x, std::vector<int>& y) const {
        fill_augmented_batch(*d_, items, *cache_, mean_, aug_, x, y);
    }

private:
    const data::dataset* d_;
    std::vector<std::size_t> indices_;
    io::image_cache* cache_;
    io::mean_image mean_;
    bool training_;
    std::uint64_t seed_;
    augmentation_options aug_;
    balance_options balance_;
};

// The paper's sources for one fold: its training part split 90/10, stratified by label, into
// a balanced, augmented training source and a plain validation source.
struct source_pair {
    dataset_source train, validation;
};
inline source_pair paper_sources(const data::dataset& d, std::span<const std::size_t> train_indices,
                                 io::image_cache& cache, const io::mean_image& mean, std::uint64_t seed,
                                 double validation_fraction = 0.1, augmentation_options aug = {},
                                 balance_options balance = {}) {
    const data::split s = data::stratified_validation_split(d, train_indices, validation_fraction, seed);
    return {dataset_source(d, s.train, cache, mean, true, seed, aug, balance),
            dataset_source(d, s.validation, cache, mean, false, seed, aug, balance)};
}

struct trainer_options {
    std::size_t epochs = 60;            // the paper's
    std::size_t batch_size = 48;        // the reference implementation's
    sgd_options sgd{};                  // lr 1e-3, momentum 0.1 (as printed), L2 5e-3
    std::uint64_t seed = 0;             // seeds the network's generator (dropout) at the start
    std::filesystem::path checkpoint;   // empty: none; else written after every epoch
    bool resume = true;                 // continue from `checkpoint` when it exists
    bool restore_best = true;           // end with the lowest-validation-loss weights
    bool print_progress = true;         // progress_printer on std::cerr
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

namespace trainer_detail {

inline nlohmann::json to_json(const epoch_report& r) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    return {{"epoch", r.epoch},         {"epochs", r.epochs},     {"train_loss", num(r.train_loss)},
            {"val_loss", num(r.val_loss)}, {"val_auc", num(r.val_auc)}, {"images_per_second", r.images_per_second},
            {"seconds", r.seconds},     {"train_images", r.train_images}, {"val_images", r.val_images},
            {"best", r.best}};
}
inline epoch_report from_json(const nlohmann::json& j) {
    auto num = [](const nlohmann::json& v) { return v.is_null() ? double(NAN) : v.get<double>(); };
    epoch_report r;
    r.epoch = j.at("epoch");
    r.epochs = j.at("epochs");
    r.train_loss = num(j.at("train_loss"));
    r.val_loss = num(j.at("val_loss"));
    r.val_auc = num(j.at("val_auc"));
    r.images_per_second = j.at("images_per_second");
    r.seconds = j.at("seconds");
    r.train_images = j.at("train_images");
    r.val_images = j.at("val_images");
    r.best = j.at("best");
    return r;
}

// AUC of softmax scores: binary -> roc_auc of class 1; K > 2 -> mean one-vs-one AUC. NaN when
// undefined (a class missing from the validation set).
inline double auc_of(const std::vector<int>& labels, const std::vector<float>& probs, std::size_t classes) {
    try {
        if (classes == 2) {
            std::vector<double> s(labels.size());
            for (std::size_t i = 0; i < labels.size(); ++i) s[i] = probs[i * 2 + 1];
            return metrics::roc_auc(labels, s);
        }
        metrics::score_matrix m(Eigen::Index(labels.size()), Eigen::Index(classes));
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t k = 0; k < classes; ++k) m(Eigen::Index(i), Eigen::Index(k)) = probs[i * classes + k];
        return metrics::one_vs_one_auc(labels, m);
    } catch (const error&) {
        return NAN;
    }
}

}  // namespace trainer_detail

// Mean loss and AUC of `net` (eval mode) over a source's epoch-0 plan.
template <class Network, batch_source Source>
std::pair<double, double> evaluate(Network& net, Source& source, std::size_t batch_size) {
    using ops = typename Network::ops;
    using tensor = typename Network::tensor;
    constexpr std::size_t classes = Network::net_type::classes;
    const auto items = source.plan(0);
    if (items.empty()) return {NAN, NAN};
    host_tensor x;
    std::vector<int> y, labels;
    std::vector<float> probs;
    tensor dlogits, p;
    double total = 0;
    for (std::size_t first = 0; first < items.size(); first += batch_size) {
        const std::size_t n = std::min(batch_size, items.size() - first);
        source.fill(std::span(items).subspan(first, n), x, y);
        const tensor& logits = net.forward(ops::from_host(x), nn::mode::eval);
        total += nn::softmax_cross_entropy<typename Network::backend_type>(logits, y, dlogits) * double(n);
        ops::softmax(logits, p);
        const host_tensor hp = ops::to_host(p);
        probs.insert(probs.end(), hp.data(), hp.data() + hp.size());
        labels.insert(labels.end(), y.begin(), y.end());
    }
    return {total / double(items.size()), trainer_detail::auc_of(labels, probs, classes)};
}

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
    progress_printer printer(std::cerr);

    training_result result;
    std::vector<host_tensor> best_weights;
    double best_val = std::numeric_limits<double>::infinity();
    std::size_t start = 0;

    const bool checkpointing = !opt.checkpoint.empty();
    if (checkpointing && opt.resume && std::filesystem::exists(opt.checkpoint)) {
        const io::checkpoint c = io::read_checkpoint_for<Net>(opt.checkpoint);
        const std::string where = "train_network: resuming from '" + opt.checkpoint.string() + "'";
        nlohmann::json extra;
        try {
            extra = nlohmann::json::parse(c.extra);
            if (extra.at("seed").get<std::uint64_t>() != opt.seed || extra.at("batch_size").get<std::size_t>() != opt.batch_size)
                throw config_error(where + ": it was written with seed " + std::to_string(extra.at("seed").get<std::uint64_t>()) +
                                   " and batch size " + std::to_string(extra.at("batch_size").get<std::size_t>()) +
                                   ", this run has seed " + std::to_string(opt.seed) + " and batch size " +
                                   std::to_string(opt.batch_size) + "; use the same to resume, or another checkpoint path");
            for (const auto& h : extra.at("history")) result.history.push_back(trainer_detail::from_json(h));
            result.best_epoch = extra.at("best_epoch");
            if (!extra.at("best_val_loss").is_null()) best_val = extra.at("best_val_loss");
        } catch (const nlohmann::json::exception& e) {
            throw io_error(where + ": the trainer's record in it is unreadable: " + e.what());
        }
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
    tensor dlogits;
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
                const tensor& logits = net.forward(ops::from_host(x), nn::mode::train);
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
            nlohmann::json extra = {{"seed", opt.seed},
                                    {"batch_size", opt.batch_size},
                                    {"learning_rate", opt.sgd.learning_rate},
                                    {"momentum", opt.sgd.momentum},
                                    {"l2", opt.sgd.l2},
                                    {"best_epoch", result.best_epoch},
                                    {"best_val_loss", std::isfinite(best_val) ? nlohmann::json(best_val) : nlohmann::json(nullptr)},
                                    {"history", nlohmann::json::array()}};
            for (const auto& h : result.history) extra["history"].push_back(trainer_detail::to_json(h));
            c.extra = extra.dump();
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
