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
// Not templates: defined in impl/fingerprint.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise). A fingerprint holds JSON values, so this header
// includes <nlohmann/json.hpp>; the training, augmentation and preprocessing options are only
// named here (their headers: the .ipp).
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"

// The option structs the *_json functions describe, by reference only.
namespace dermtl::train {
struct trainer_options;       // train/trainer.hpp
struct augmentation_options;  // train/geometric_warp.hpp
struct balance_options;       // train/epoch_plan.hpp
}  // namespace dermtl::train
namespace dermtl::io {
struct preprocess_options;  // io/image.hpp
}  // namespace dermtl::io

namespace dermtl::protocol {

// Content hashes of files (16 hex digits of FNV-1a over the bytes), remembered by (absolute path,
// size, mtime) in a JSON file so a rerun stats the images instead of reading them. The cache
// file only saves time: a hash is always of the content. The file carries a checksum of its
// entries; one that is damaged (not JSON, an entry of the wrong form, a checksum that does not
// match) is dropped with a warning (log::info) naming it and what is wrong, and its hashes are
// computed again.
class content_hashes {
public:
    content_hashes() = default;
    explicit content_hashes(std::filesystem::path cache_file);

    // The content hash of `file` (remembered, or computed and remembered).
    std::string of(const std::filesystem::path& file);

    // Writes the remembered hashes back (atomically); a no-op without a cache file.
    void save();

private:
    std::filesystem::path file_;
    std::map<std::string, std::string> known_;
    std::mutex mutex_;
    bool dirty_ = false;
};

class fingerprint {
public:
    fingerprint& set(std::string field, nlohmann::json value);

    const std::vector<std::pair<std::string, nlohmann::json>>& fields() const { return fields_; }

    // As stored: a JSON object (field order is kept in fields(), not in the object).
    nlohmann::json to_json() const;

    // 16 hex digits of everything: for file names (checkpoints, source models).
    std::string hex() const;

    // The first field, in this fingerprint's order, whose value differs in `stored` (a field
    // missing there counts): {field, stored value, this value}; nullopt when all agree.
    struct difference {
        std::string field, stored, current;
    };
    std::optional<difference> first_difference(const nlohmann::json& stored) const;

private:
    std::vector<std::pair<std::string, nlohmann::json>> fields_;
};

// A dataset as an experiment sees it: ids, diagnoses, labels, strata and image contents, in order.
DERMTL_DECL std::string dataset_hash(const data::dataset& d, content_hashes& hashes);

// Folds by name and by the ids of their samples (not indices, which a reordering would change).
DERMTL_DECL std::string folds_hash(const data::dataset& d, const data::fold_set& folds);

DERMTL_DECL nlohmann::json training_json(const train::trainer_options& t);

// The options added for the reference protocol enter only when not at the paper's defaults, so
// results stored before they existed keep their fingerprints.
DERMTL_DECL nlohmann::json augmentation_json(const train::augmentation_options& a);

DERMTL_DECL nlohmann::json balance_json(const train::balance_options& b);

DERMTL_DECL nlohmann::json preprocess_json(const io::preprocess_options& p);

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/fingerprint.ipp"
#endif
