#pragma once
// fingerprint: everything that determines a stored result, so a result, a cached source model or
// a checkpoint is reused only by the same experiment.
//
// Represents: an ordered list of named fields --
//   cell            the cell_id's string form (model, backend, transfer, fine-tuning, labeling,
//                   classifier, training protocol, target)
//   format          the results format version
//   data, data_samples
//                   the target dataset as given: every sample's id, diagnosis, label, stratum and
//                   a hash of its image's content
//   target, target_samples, fold
//                   the same as the design labels it (samples it drops removed), and the fold by
//                   name and sample ids
//   seed, target_training, augmentation, balance, validation_fraction, preprocess, mean, svm
//                   every training, augmentation, preprocessing and SVM parameter
//   source_*        what the transfer policy starts from (transfer_source<T>::describe): the
//                   content hash of the ImageNet weights, the source dataset, its training
// Ensures: no field depends on an absolute path or a modification time, so a run folder copied
// to another node still matches; dermtl's version is not a field (an upgrade keeps results unless
// the format changes). Content hashes are cached by (path, size, mtime) for speed only.
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/train/augmentation.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

// Content hashes of files (16 hex digits of FNV-1a over the bytes), remembered by (absolute path,
// size, mtime) in a JSON file so a rerun stats the images instead of reading them. The cache
// file only saves time: a hash is always of the content.
class content_hashes {
public:
    content_hashes() = default;
    explicit content_hashes(std::filesystem::path cache_file) : file_(std::move(cache_file)) {
        if (file_.empty() || !std::filesystem::exists(file_)) return;
        try {
            std::ifstream in(file_);
            const auto j = nlohmann::json::parse(in);
            for (const auto& [k, v] : j.items()) known_[k] = v.get<std::string>();
        } catch (const std::exception&) {
            known_.clear();  // a damaged cache is recomputed, never trusted
        }
    }

    std::string of(const std::filesystem::path& file) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) throw io_error("fingerprint: cannot read '" + file.string() + "' to hash it: " + ec.message());
        const auto mtime = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
        const std::string key = std::filesystem::absolute(file).lexically_normal().string() + "|" +
                                std::to_string(size) + "|" + std::to_string(mtime);
        {
            const std::lock_guard lock(mutex_);
            if (auto it = known_.find(key); it != known_.end()) return it->second;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) throw io_error("fingerprint: cannot open '" + file.string() + "' to hash it");
        std::uint64_t h = core::fnv1a_offset;
        std::vector<char> buf(1 << 16);
        while (in) {
            in.read(buf.data(), std::streamsize(buf.size()));
            h = core::fnv1a64(buf.data(), std::size_t(in.gcount()), h);
        }
        const std::string hex = core::to_hex(h);
        const std::lock_guard lock(mutex_);
        known_[key] = hex;
        dirty_ = true;
        return hex;
    }

    // Writes the remembered hashes back (atomically); a no-op without a cache file.
    void save() {
        const std::lock_guard lock(mutex_);
        if (file_.empty() || !dirty_) return;
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [k, v] : known_) j[k] = v;
        io::prepare_folder(file_.parent_path(), "fingerprint cache");
        io::write_file_atomically(file_, j.dump());
        dirty_ = false;
    }

private:
    std::filesystem::path file_;
    std::map<std::string, std::string> known_;
    std::mutex mutex_;
    bool dirty_ = false;
};

class fingerprint {
public:
    fingerprint& set(std::string field, nlohmann::json value) {
        for (auto& [k, v] : fields_)
            if (k == field) {
                v = std::move(value);
                return *this;
            }
        fields_.emplace_back(std::move(field), std::move(value));
        return *this;
    }

    const std::vector<std::pair<std::string, nlohmann::json>>& fields() const { return fields_; }

    // As stored: a JSON object (field order is kept in fields(), not in the object).
    nlohmann::json to_json() const {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [k, v] : fields_) j[k] = v;
        return j;
    }

    // 16 hex digits of everything: for file names (checkpoints, source models).
    std::string hex() const {
        core::hasher h;
        for (const auto& [k, v] : fields_) h.field(k).field(v.dump());
        return h.hex();
    }

    // The first field, in this fingerprint's order, whose value differs in `stored` (a field
    // missing there counts): {field, stored value, this value}; nullopt when all agree.
    struct difference {
        std::string field, stored, current;
    };
    std::optional<difference> first_difference(const nlohmann::json& stored) const {
        if (!stored.is_object()) return difference{"(all)", shortened(stored.dump()), "a fingerprint object"};
        for (const auto& [k, v] : fields_) {
            if (!stored.contains(k)) return difference{k, "(none)", shortened(v.dump())};
            if (stored.at(k) != v) return difference{k, shortened(stored.at(k).dump()), shortened(v.dump())};
        }
        for (const auto& [k, v] : stored.items()) {
            bool known = false;
            for (const auto& f : fields_) known |= f.first == k;
            if (!known) return difference{k, shortened(v.dump()), "(none)"};
        }
        return std::nullopt;
    }

private:
    std::vector<std::pair<std::string, nlohmann::json>> fields_;
};

// A dataset as an experiment sees it: ids, diagnoses, labels, strata and image contents, in order.
inline std::string dataset_hash(const data::dataset& d, content_hashes& hashes) {
    core::hasher h;
    for (const auto& s : d.samples) {
        h.field(s.id).field(std::to_string(int(s.dx))).field(std::to_string(s.label)).field(std::to_string(int(s.level)));
        h.field(s.image.empty() ? std::string("no image") : hashes.of(s.image));
    }
    return h.hex();
}

// Folds by name and by the ids of their samples (not indices, which a reordering would change).
inline std::string folds_hash(const data::dataset& d, const data::fold_set& folds) {
    core::hasher h;
    for (const auto& f : folds) {
        h.field(f.name).field("train");
        for (auto i : f.train) h.field(d[i].id);
        h.field("test");
        for (auto i : f.test) h.field(d[i].id);
    }
    return h.hex();
}

inline nlohmann::json training_json(const train::trainer_options& t) {
    return {{"epochs", t.epochs},
            {"batch_size", t.batch_size},
            {"learning_rate", t.sgd.learning_rate},
            {"momentum", t.sgd.momentum},
            {"l2", t.sgd.l2},
            {"restore_best", t.restore_best}};
}

// The options added for the reference protocol enter only when not at the paper's defaults, so
// results stored before they existed keep their fingerprints.
inline nlohmann::json augmentation_json(const train::augmentation_options& a) {
    nlohmann::json j = {{"max_scale", a.max_scale},       {"max_rotation_deg", a.max_rotation_deg},
                        {"horizontal_flip", a.horizontal_flip}, {"vertical_flip", a.vertical_flip},
                        {"max_shear_deg", a.max_shear_deg}, {"max_translation", a.max_translation},
                        {"border_mode", a.border_mode}};
    const train::augmentation_options paper = train::paper_augmentation();
    if (a.independent_zoom != paper.independent_zoom) j["independent_zoom"] = a.independent_zoom;
    if (a.max_stretch != paper.max_stretch) j["max_stretch"] = a.max_stretch;
    if (a.interp != paper.interp) j["interpolation"] = train::name_of(a.interp);
    if (a.model != paper.model) j["warp_model"] = train::name_of(a.model);
    return j;
}

inline nlohmann::json balance_json(const train::balance_options& b) {
    nlohmann::json j = {{"balance", b.balance}, {"augment_all", b.augment_all}, {"shuffle", b.shuffle}};
    const train::balance_options paper = train::paper_balance();
    if (b.kind != paper.kind) j["kind"] = train::name_of(b.kind);
    if (b.class_weights != paper.class_weights) j["class_weights"] = b.class_weights;
    return j;
}

inline nlohmann::json preprocess_json(const io::preprocess_options& p) {
    nlohmann::json j = {{"width", p.width},
                        {"height", p.height},
                        {"crop_frame", p.crop_frame},
                        {"dark_threshold", p.frame.dark_threshold},
                        {"dark_fraction", p.frame.dark_fraction},
                        {"max_crop_fraction", p.frame.max_crop_fraction}};
    if (p.transpose) j["transpose"] = true;  // only when on: older results keep their fingerprints
    return j;
}

}  // namespace dermtl::protocol
