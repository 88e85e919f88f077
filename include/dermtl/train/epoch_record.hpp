#pragma once
// The trainer's record inside a checkpoint: what a resumed run needs besides the weights.
//
// Represents: trainer_record -- the seed and batch size that fixed the data order, the SGD
// options, the best epoch and its validation loss, and every completed epoch's report -- and its
// text form, the JSON object stored as io::checkpoint::extra:
//   {"batch_size": 48, "best_epoch": 3, "best_val_loss": 0.61, "history": [{"epoch": 1, ...}, ...],
//    "l2": 0.005, "learning_rate": 0.001, "momentum": 0.1, "seed": 7}
// Non-finite numbers (a loss with no validation set, no best epoch yet) are stored as null and
// read back as NaN. An epoch report's ETA is not stored (it is recomputed by the resumed run).
// A checkpoint written mid-epoch (train/stop_request.hpp) also carries the unfinished epoch's
// running sums, so that its mean training loss comes out bitwise as in an uninterrupted run:
//   "partial_epoch": {"images": 24, "loss_sum_bits": 4612..., "seconds": 1.9}
// The loss sum is stored as the bit pattern of the double, not as a decimal, so that the value
// read back is the value written without relying on the JSON library's number formatting.
// Errors: read_trainer_record throws io_error naming `where` when the text is not such a record.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/train/progress.hpp"
#include "dermtl/train/sgd.hpp"

namespace dermtl::train {

struct trainer_record {
    std::uint64_t seed = 0;
    std::size_t batch_size = 0;
    sgd_options sgd{};
    std::size_t best_epoch = 0;      // 1-based; 0: none yet
    double best_val_loss = NAN;      // NaN: none yet
    std::vector<epoch_report> history;
    std::string fingerprint;         // what the caller says determines this training run ("" : none)
    // The unfinished epoch of a mid-epoch checkpoint; all zero at an epoch boundary.
    struct partial_epoch {
        std::size_t images = 0;      // training images seen in it so far
        double loss_sum = 0;         // sum over them of the batch loss times the batch size
        double seconds = 0;          // training time spent in it so far (for images per second)
    } partial{};
};

namespace epoch_record_detail {

inline nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
inline double number_or_nan(const nlohmann::json& v) { return v.is_null() ? double(NAN) : v.get<double>(); }

}  // namespace epoch_record_detail

inline nlohmann::json epoch_report_to_json(const epoch_report& r) {
    using epoch_record_detail::number_or_null;
    return {{"epoch", r.epoch},
            {"epochs", r.epochs},
            {"train_loss", number_or_null(r.train_loss)},
            {"val_loss", number_or_null(r.val_loss)},
            {"val_auc", number_or_null(r.val_auc)},
            {"images_per_second", r.images_per_second},
            {"seconds", r.seconds},
            {"train_images", r.train_images},
            {"val_images", r.val_images},
            {"best", r.best}};
}

// Throws nlohmann::json::exception when a field is missing or of the wrong type.
inline epoch_report epoch_report_from_json(const nlohmann::json& j) {
    using epoch_record_detail::number_or_nan;
    epoch_report r;
    r.epoch = j.at("epoch");
    r.epochs = j.at("epochs");
    r.train_loss = number_or_nan(j.at("train_loss"));
    r.val_loss = number_or_nan(j.at("val_loss"));
    r.val_auc = number_or_nan(j.at("val_auc"));
    r.images_per_second = j.at("images_per_second");
    r.seconds = j.at("seconds");
    r.train_images = j.at("train_images");
    r.val_images = j.at("val_images");
    r.best = j.at("best");
    return r;
}

inline std::string write_trainer_record(const trainer_record& r) {
    nlohmann::json j = {{"seed", r.seed},
                        {"batch_size", r.batch_size},
                        {"learning_rate", r.sgd.learning_rate},
                        {"momentum", r.sgd.momentum},
                        {"l2", r.sgd.l2},
                        {"best_epoch", r.best_epoch},
                        {"best_val_loss", epoch_record_detail::number_or_null(r.best_val_loss)},
                        {"history", nlohmann::json::array()}};
    if (!r.fingerprint.empty()) j["fingerprint"] = r.fingerprint;
    if (r.partial.images > 0)
        j["partial_epoch"] = {{"images", r.partial.images},
                              {"loss_sum_bits", std::bit_cast<std::uint64_t>(r.partial.loss_sum)},
                              {"seconds", r.partial.seconds}};
    for (const auto& h : r.history) j["history"].push_back(epoch_report_to_json(h));
    return j.dump();
}

// `where` names the operation and the file, e.g. "train_network: resuming from 'run.ckpt'".
inline trainer_record read_trainer_record(const std::string& text, const std::string& where) {
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        trainer_record r;
        r.seed = j.at("seed").get<std::uint64_t>();
        r.batch_size = j.at("batch_size").get<std::size_t>();
        r.sgd.learning_rate = j.value("learning_rate", r.sgd.learning_rate);
        r.sgd.momentum = j.value("momentum", r.sgd.momentum);
        r.sgd.l2 = j.value("l2", r.sgd.l2);
        for (const auto& h : j.at("history")) r.history.push_back(epoch_report_from_json(h));
        r.best_epoch = j.at("best_epoch");
        r.best_val_loss = epoch_record_detail::number_or_nan(j.at("best_val_loss"));
        r.fingerprint = j.value("fingerprint", std::string());
        if (j.contains("partial_epoch")) {
            const nlohmann::json& p = j.at("partial_epoch");
            r.partial.images = p.at("images").get<std::size_t>();
            r.partial.loss_sum = std::bit_cast<double>(p.at("loss_sum_bits").get<std::uint64_t>());
            r.partial.seconds = p.at("seconds").get<double>();
        }
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw io_error(where + ": the trainer's record in it is unreadable: " + e.what());
    }
}

}  // namespace dermtl::train
