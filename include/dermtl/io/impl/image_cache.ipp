// Definitions of io/image_cache.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image_cache.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>

namespace dermtl::io {

DERMTL_DECL image_cache::image_cache(image_cache_options opt) : opt_(std::move(opt)) {
    if (opt_.storage == cache_storage::disk) {
        if (opt_.disk_dir.empty()) throw config_error("image_cache: disk storage needs disk_dir");
        std::error_code ec;
        std::filesystem::create_directories(opt_.disk_dir, ec);
        if (!std::filesystem::is_directory(opt_.disk_dir))
            throw io_error("image_cache: cannot create cache folder " + opt_.disk_dir.string());
    }
}

DERMTL_DECL cv::Mat image_cache::get(const std::filesystem::path& file, std::string_view listed_at) {
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

DERMTL_DECL void image_cache::insert(const std::string& key, const cv::Mat& img) {
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

DERMTL_DECL std::filesystem::path image_cache::disk_path(const std::filesystem::path& file) const {
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
DERMTL_DECL cv::Mat image_cache::read_raw(const std::filesystem::path& p) {
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

DERMTL_DECL void image_cache::write_raw(const std::filesystem::path& p, const cv::Mat& m) {
    const std::int32_t w = m.cols, h = m.rows;
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    std::string bytes("DTLC");
    bytes.append(reinterpret_cast<const char*>(&w), 4);
    bytes.append(reinterpret_cast<const char*>(&h), 4);
    bytes.append(reinterpret_cast<const char*>(c.data), c.total() * 3);
    write_file_atomically(p, bytes);  // readers never see half a file
}

}  // namespace dermtl::io
