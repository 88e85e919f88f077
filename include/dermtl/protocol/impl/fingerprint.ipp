// Definitions of protocol/fingerprint.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/fingerprint.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/train/epoch_plan.hpp"
#include "dermtl/train/geometric_warp.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

DERMTL_DECL content_hashes::content_hashes(std::filesystem::path cache_file) : file_(std::move(cache_file)) {
    if (file_.empty() || !std::filesystem::exists(file_)) return;
    try {
        std::ifstream in(file_);
        const auto j = nlohmann::json::parse(in);
        for (const auto& [k, v] : j.items()) known_[k] = v.get<std::string>();
    } catch (const std::exception&) {
        known_.clear();  // a damaged cache is recomputed, never trusted
    }
}

DERMTL_DECL std::string content_hashes::of(const std::filesystem::path& file) {
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

DERMTL_DECL void content_hashes::save() {
    const std::lock_guard lock(mutex_);
    if (file_.empty() || !dirty_) return;
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : known_) j[k] = v;
    io::prepare_folder(file_.parent_path(), "fingerprint cache");
    io::write_file_atomically(file_, j.dump());
    dirty_ = false;
}

DERMTL_DECL fingerprint& fingerprint::set(std::string field, nlohmann::json value) {
    for (auto& [k, v] : fields_)
        if (k == field) {
            v = std::move(value);
            return *this;
        }
    fields_.emplace_back(std::move(field), std::move(value));
    return *this;
}

DERMTL_DECL nlohmann::json fingerprint::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : fields_) j[k] = v;
    return j;
}

DERMTL_DECL std::string fingerprint::hex() const {
    core::hasher h;
    for (const auto& [k, v] : fields_) h.field(k).field(v.dump());
    return h.hex();
}

DERMTL_DECL std::optional<fingerprint::difference> fingerprint::first_difference(const nlohmann::json& stored) const {
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

DERMTL_DECL std::string dataset_hash(const data::dataset& d, content_hashes& hashes) {
    core::hasher h;
    for (const auto& s : d.samples) {
        h.field(s.id).field(std::to_string(int(s.dx))).field(std::to_string(s.label)).field(std::to_string(int(s.level)));
        h.field(s.image.empty() ? std::string("no image") : hashes.of(s.image));
    }
    return h.hex();
}

DERMTL_DECL std::string folds_hash(const data::dataset& d, const data::fold_set& folds) {
    core::hasher h;
    for (const auto& f : folds) {
        h.field(f.name).field("train");
        for (auto i : f.train) h.field(d[i].id);
        h.field("test");
        for (auto i : f.test) h.field(d[i].id);
    }
    return h.hex();
}

DERMTL_DECL nlohmann::json training_json(const train::trainer_options& t) {
    return {{"epochs", t.epochs},
            {"batch_size", t.batch_size},
            {"learning_rate", t.sgd.learning_rate},
            {"momentum", t.sgd.momentum},
            {"l2", t.sgd.l2},
            {"restore_best", t.restore_best}};
}

DERMTL_DECL nlohmann::json augmentation_json(const train::augmentation_options& a) {
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

DERMTL_DECL nlohmann::json balance_json(const train::balance_options& b) {
    nlohmann::json j = {{"balance", b.balance}, {"augment_all", b.augment_all}, {"shuffle", b.shuffle}};
    const train::balance_options paper = train::paper_balance();
    if (b.kind != paper.kind) j["kind"] = train::name_of(b.kind);
    if (b.class_weights != paper.class_weights) j["class_weights"] = b.class_weights;
    return j;
}

DERMTL_DECL nlohmann::json preprocess_json(const io::preprocess_options& p) {
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
