#pragma once
// A cache of preprocessed images (decoded, frame-cropped, resized once), so 60 epochs do not
// decode every JPEG 60 times.
//
// Represents: a map image file -> network-ready uint8 RGB image, stored
//   memory: in RAM, least-recently-used entries evicted beyond `memory_budget_bytes` (so a
//           35k-image Retinopathy set streams through a bounded amount of memory; with a
//           budget holding the whole training set, every image is decoded exactly once);
//   disk:   as files in `disk_dir` (about 150 kB per 224x224 image), one per source path and
//           preprocessing; memory use is one image at a time. Each entry carries the source image's
//           content hash, a description of the preprocessing it was made with and a checksum of its
//           own bytes (entry layout at read_entry). A damaged entry (its bytes changed on disk, cut
//           short, not an entry) or a stale one (the source's content changed, or other
//           preprocessing) is recomputed and rewritten, with a warning naming it on the log
//           (core/log.hpp). Sources are hashed once per process, and again only when their size or
//           modification time changes (a process-wide memo; stats().source_hashes counts the
//           hashings a cache caused). Entries are written atomically (io/atomic_file.hpp);
//   none:   no caching (decode every time).
// Requires: get() callers treat the returned image as read-only (clone before modifying; the
// memory cache shares its buffer). Thread-safe (one mutex for the cache, one for the memo).
// Ensures: get() returns exactly what load_preprocessed() would, bit for bit, whatever the disk
// cache's folder holds; decode errors are the io_errors of read_image (naming the file and the
// manifest line when given). A change of a source image that keeps its size and modification time
// is not seen (as by make, rsync and the protocol's content_hashes).
// The non-template code is defined in impl/image_cache.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
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

namespace cache_detail {
// The content hash of a source image (FNV-1a over its bytes, core/hash.hpp), remembered for the
// process by absolute path, size and modification time; `hashed` is set when the file was read for
// it. nullopt when the file cannot be stat'ed or read (the decoder then says why).
DERMTL_DECL std::optional<std::uint64_t> source_content_hash(const std::filesystem::path& file, bool& hashed);
}  // namespace cache_detail

struct image_cache_options {
    preprocess_options preprocess;
    cache_storage storage = cache_storage::memory;
    std::size_t memory_budget_bytes = std::size_t{1} << 30;  // 1 GiB: ~7000 images at 224x224
    std::filesystem::path disk_dir;                          // required for cache_storage::disk
};

struct image_cache_stats {
    std::size_t decodes = 0, memory_hits = 0, disk_hits = 0, evictions = 0;
    // Disk storage: entries recomputed because they were damaged, or stale (their source's content
    // or their preprocessing differs); source images read to hash them (not counting those the
    // process-wide memo already knew at the same size and modification time).
    std::size_t damaged = 0, stale = 0, source_hashes = 0;
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

    // What an entry of `file` is made with: the source's absolute path and every preprocessing
    // option that changes the pixels or what is accepted; stored in the entry, hashed for its name.
    DERMTL_DECL std::string description_of(const std::filesystem::path& file) const;
    DERMTL_DECL std::filesystem::path disk_path(const std::string& description) const;

    // The entry at `p` made from a source with content hash `source_hash` by `description`; empty
    // when there is none, or (with a warning naming it, counted in stats_) when it is damaged or stale.
    DERMTL_DECL cv::Mat read_entry(const std::filesystem::path& p, const std::filesystem::path& file,
                                   std::uint64_t source_hash, const std::string& description);
    DERMTL_DECL void write_entry(const std::filesystem::path& p, const cv::Mat& m, std::uint64_t source_hash,
                                 const std::string& description) const;

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
