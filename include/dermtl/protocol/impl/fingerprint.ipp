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
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/train/epoch_plan.hpp"
#include "dermtl/train/geometric_warp.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

namespace fingerprint_detail {

// The cache file's checksum: every (key, hash) pair in key order.
DERMTL_DECL std::string cache_checksum(const std::map<std::string, std::string>& known) {
    core::hasher h;
    for (const auto& [k, v] : known) h.field(k).field(v);
    return h.hex();
}

// What is wrong with a cache entry, or "" when it is one content_hashes::of writes:
// "<absolute path>|<size>|<mtime>" -> 16 lower-case hex digits.
DERMTL_DECL std::string bad_cache_entry(const std::string& key, const nlohmann::json& value) {
    auto digits = [](std::string_view s) {
        if (!s.empty() && s.front() == '-') s.remove_prefix(1);
        return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    const auto bar2 = key.rfind('|');
    const auto bar1 = bar2 == std::string::npos || bar2 == 0 ? std::string::npos : key.rfind('|', bar2 - 1);
    if (bar1 == std::string::npos || bar1 == 0 || key.front() != '/' ||
        !digits(std::string_view(key).substr(bar1 + 1, bar2 - bar1 - 1)) || !digits(std::string_view(key).substr(bar2 + 1)))
        return "the key " + quoted_value(key) + ": expected '<absolute path>|<size>|<mtime>'";
    if (!value.is_string() || value.get<std::string>().size() != 16 ||
        value.get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos)
        return "the hash of " + quoted_value(key) + ": expected 16 hex digits, found " + shortened(value.dump());
    return "";
}

}  // namespace fingerprint_detail

// The cache is validated as a whole: a damaged one (not JSON, an entry of the wrong form, a
// checksum that does not match) is dropped with a warning naming the file and what is wrong, and
// every hash it held is computed again from the content.
DERMTL_DECL content_hashes::content_hashes(std::filesystem::path cache_file) : file_(std::move(cache_file)) {
    std::error_code ec;
    if (file_.empty() || !std::filesystem::exists(file_, ec)) return;
    std::string problem;
    try {
        std::ifstream in(file_, std::ios::binary);
        if (!in) throw io_error("cannot open it for reading");
        const auto j = nlohmann::json::parse(in);
        if (!j.is_object()) throw io_error("expected a JSON object, found " + shortened(j.dump()));
        // Written since issue 25: {format, version, checksum, hashes}; before: the hashes alone.
        const bool framed = j.contains("format");
        if (framed && (j.at("format") != "dermtl-content-hashes" || j.value("version", nlohmann::json()) != 1))
            throw io_error("expected format \"dermtl-content-hashes\", version 1, found " + shortened(j.at("format").dump()) +
                           ", version " + shortened(j.value("version", nlohmann::json()).dump()));
        const nlohmann::json& hashes = framed ? j.at("hashes") : j;
        if (!hashes.is_object()) throw io_error("'hashes': expected an object, found " + shortened(hashes.dump()));
        for (const auto& [k, v] : hashes.items()) {
            if (const auto bad = fingerprint_detail::bad_cache_entry(k, v); !bad.empty()) throw io_error(bad);
            known_[k] = v.get<std::string>();
        }
        if (framed) {
            const auto& stored = j.at("checksum");
            if (!stored.is_string() || stored.get<std::string>() != fingerprint_detail::cache_checksum(known_))
                throw io_error("the checksum " + shortened(stored.dump()) + " is not that of its entries (" +
                               fingerprint_detail::cache_checksum(known_) + ")");
        }
        return;
    } catch (const io_error& e) {
        problem = e.what();
    } catch (const std::exception& e) {
        problem = e.what();
    }
    known_.clear();  // a damaged cache is recomputed, never trusted
    dirty_ = true;   // and rewritten at the next save()
    log::info("warning: the content-hash cache '" + file_.string() + "' is damaged (" + problem +
              "); computing the hashes it held again from the files");
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
    nlohmann::json j = {{"format", "dermtl-content-hashes"},
                        {"version", 1},
                        {"checksum", fingerprint_detail::cache_checksum(known_)},
                        {"hashes", nlohmann::json::object()}};
    for (const auto& [k, v] : known_) j["hashes"][k] = v;
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
