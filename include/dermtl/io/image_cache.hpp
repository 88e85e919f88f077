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
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <opencv2/core.hpp>

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
    explicit image_cache(image_cache_options opt = {}) : opt_(std::move(opt)) {
        if (opt_.storage == cache_storage::disk) {
            if (opt_.disk_dir.empty()) throw config_error("image_cache: disk storage needs disk_dir");
            std::error_code ec;
            std::filesystem::create_directories(opt_.disk_dir, ec);
            if (!std::filesystem::is_directory(opt_.disk_dir))
                throw io_error("image_cache: cannot create cache folder " + opt_.disk_dir.string());
        }
    }

    const image_cache_options& options() const { return opt_; }

    cv::Mat get(const std::filesystem::path& file, std::string_view listed_at = {}) {
        const std::string key = file.lexically_normal().string();
        if (opt_.storage == cache_storage::memory) {
            std::lock_guard lock(mutex_);
            if (auto it = map_.find(key); it != map_.end()) {
                lru_.splice(lru_.begin(), lru_, it->second);
                ++stats_.memory_hits;
                return it->second->second;
            }
        }
        if (opt_.storage == cache_storage::disk) {
            const auto cached = disk_path(file);
            if (cv::Mat m = read_raw(cached); !m.empty()) {
                std::lock_guard lock(mutex_);
                ++stats_.disk_hits;
                return m;
            }
        }
        cv::Mat img = load_preprocessed(file, opt_.preprocess, listed_at);
        std::lock_guard lock(mutex_);
        ++stats_.decodes;
        if (opt_.storage == cache_storage::memory) insert(key, img);
        if (opt_.storage == cache_storage::disk) write_raw(disk_path(file), img);
        return img;
    }

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

    void insert(const std::string& key, const cv::Mat& img) {
        const std::size_t b = img.total() * img.elemSize();
        if (b > opt_.memory_budget_bytes || map_.count(key)) return;  // too large, or another thread was first  // larger than the whole budget: do not cache
        lru_.emplace_front(key, img);
        map_[key] = lru_.begin();
        bytes_ += b;
        while (bytes_ > opt_.memory_budget_bytes && !lru_.empty()) {
            auto& last = lru_.back();
            bytes_ -= last.second.total() * last.second.elemSize();
            map_.erase(last.first);
            lru_.pop_back();
            ++stats_.evictions;
        }
    }

    std::filesystem::path disk_path(const std::filesystem::path& file) const {
        std::error_code ec;
        const auto abs = std::filesystem::absolute(file, ec).lexically_normal().string();
        const auto size = std::filesystem::file_size(file, ec);
        const auto mtime = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
        const auto& p = opt_.preprocess;
        const std::string key = abs + "|" + std::to_string(size) + "|" + std::to_string(mtime) + "|" +
                                std::to_string(p.width) + "x" + std::to_string(p.height) + "|" +
                                std::to_string(p.crop_frame) + "|" + std::to_string(p.frame.dark_threshold) + "|" +
                                std::to_string(p.frame.dark_fraction) + "|" + std::to_string(p.frame.max_crop_fraction) + "|" +
                                std::to_string(p.read.max_pixels) + "|" + std::to_string(p.read.min_side) +
                                (p.transpose ? "|transposed" : "");
        return opt_.disk_dir / (core::to_hex(core::fnv1a64(key)) + ".rgb8");
    }

    // Raw format: "DTLC" magic, int32 width, int32 height, then height*width*3 bytes (RGB).
    static cv::Mat read_raw(const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        if (!in) return {};
        char magic[4];
        std::int32_t w = 0, h = 0;
        in.read(magic, 4);
        in.read(reinterpret_cast<char*>(&w), 4);
        in.read(reinterpret_cast<char*>(&h), 4);
        if (!in || std::string_view(magic, 4) != "DTLC" || w <= 0 || h <= 0 || w > 1 << 15 || h > 1 << 15) return {};
        cv::Mat m(h, w, CV_8UC3);
        in.read(reinterpret_cast<char*>(m.data), static_cast<std::streamsize>(m.total() * 3));
        if (!in) return {};  // a partial file (interrupted write): decode again
        return m;
    }
    static void write_raw(const std::filesystem::path& p, const cv::Mat& m) {
        const std::int32_t w = m.cols, h = m.rows;
        const cv::Mat c = m.isContinuous() ? m : m.clone();
        std::string bytes("DTLC");
        bytes.append(reinterpret_cast<const char*>(&w), 4);
        bytes.append(reinterpret_cast<const char*>(&h), 4);
        bytes.append(reinterpret_cast<const char*>(c.data), c.total() * 3);
        write_file_atomically(p, bytes);  // readers never see half a file
    }

    image_cache_options opt_;
    mutable std::mutex mutex_;
    std::list<entry> lru_;
    std::unordered_map<std::string, std::list<entry>::iterator> map_;
    std::size_t bytes_ = 0;
    image_cache_stats stats_;
};

}  // namespace dermtl::io
