// Definitions of train/epoch_record.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/epoch_record.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"

namespace dermtl::train {

namespace epoch_record_detail {

DERMTL_DECL nlohmann::json number_or_null(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
DERMTL_DECL double number_or_nan(const nlohmann::json& v) { return v.is_null() ? double(NAN) : v.get<double>(); }

}  // namespace epoch_record_detail

DERMTL_DECL nlohmann::json epoch_report_to_json(const epoch_report& r) {
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

DERMTL_DECL epoch_report epoch_report_from_json(const nlohmann::json& j) {
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

DERMTL_DECL std::string write_trainer_record(const trainer_record& r) {
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

DERMTL_DECL trainer_record read_trainer_record(const std::string& text, const std::string& where) {
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
