#pragma once
// A cache of preprocessed images (decoded, frame-cropped, resized once), so 60 epochs do not
// decode every JPEG 60 times.
//
// Represents: a map image file -> network-ready uint8 RGB image, stored
//   memory: in RAM, least-recently-used entries evicted beyond `memory_budget_bytes` (so a
//           35k-image Retinopathy set streams through a bounded amount of memory; with a
//           budget holding the whole training set, every image is decoded exactly once);
//   disk:   as raw files in `disk_dir` (about 150 kB per 224x224 image), keyed by the source
//           path, size, modification time and the preprocessing options; memory use is one
//           image at a time;
//   none:   no caching (decode every time).
// Requires: get() callers treat the returned image as read-only (clone before modifying; the
// memory cache shares its buffer). Thread-safe (one mutex).
// Ensures: get() returns exactly what load_preprocessed() would; decode errors are the
// io_errors of read_image (naming the file and the manifest line when given).
// The non-template code is defined in impl/image_cache.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/image.hpp"

namespace dermtl::io {

enum class cache_storage { none, memory, disk };

struct image_cache_options {
    preprocess_options preprocess;
    cache_storage storage = cache_storage::memory;
    std::size_t memory_budget_bytes = std::size_t{1} << 30;  // 1 GiB: ~7000 images at 224x224
    std::filesystem::path disk_dir;                          // required for cache_storage::disk
};

struct image_cache_stats {
    std::size_t decodes = 0, memory_hits = 0, disk_hits = 0, evictions = 0;
};

class image_cache {
public:
    DERMTL_DECL explicit image_cache(image_cache_options opt = {});

    const image_cache_options& options() const { return opt_; }

    DERMTL_DECL cv::Mat get(const std::filesystem::path& file, std::string_view listed_at = {});

    image_cache_stats stats() const {
        std::lock_guard lock(mutex_);
        return stats_;
    }
    std::size_t memory_bytes() const {
        std::lock_guard lock(mutex_);
        return bytes_;
    }
    std::size_t memory_entries() const {
        std::lock_guard lock(mutex_);
        return map_.size();
    }
    void clear_memory() {
        std::lock_guard lock(mutex_);
        map_.clear();
        lru_.clear();
        bytes_ = 0;
    }

private:
    using entry = std::pair<std::string, cv::Mat>;

    DERMTL_DECL void insert(const std::string& key, const cv::Mat& img);

    DERMTL_DECL std::filesystem::path disk_path(const std::filesystem::path& file) const;

    // Raw format: "DTLC" magic, int32 width, int32 height, then height*width*3 bytes (RGB).
    static DERMTL_DECL cv::Mat read_raw(const std::filesystem::path& p);
    static DERMTL_DECL void write_raw(const std::filesystem::path& p, const cv::Mat& m);

    image_cache_options opt_;
    mutable std::mutex mutex_;
    std::list<entry> lru_;
    std::unordered_map<std::string, std::list<entry>::iterator> map_;
    std::size_t bytes_ = 0;
    image_cache_stats stats_;
};

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/image_cache.ipp"
#endif
