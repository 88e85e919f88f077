// Definitions of io/image_cache.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "dermtl/core/log.hpp"

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
    std::string description;
    std::filesystem::path entry;
    std::optional<std::uint64_t> source_hash;
    if (opt_.storage == cache_storage::disk) {
        description = description_of(file);
        entry = disk_path(description);
        bool hashed = false;
        source_hash = cache_detail::source_content_hash(file, hashed);  // nullopt: the decoder says why
        if (hashed) {
            std::lock_guard lock(mutex_);
            ++stats_.source_hashes;
        }
        if (source_hash)
            if (cv::Mat m = read_entry(entry, file, *source_hash, description); !m.empty()) {
                std::lock_guard lock(mutex_);
                ++stats_.disk_hits;
                return m;
            }
    }
    cv::Mat img = load_preprocessed(file, opt_.preprocess, listed_at);
    {
        std::lock_guard lock(mutex_);
        ++stats_.decodes;
        if (opt_.storage == cache_storage::memory) insert(key, img);
    }
    // Written with the hash taken before decoding: a source changed in between makes the entry
    // stale at the next read (its size or time changed, so it is hashed again), never wrong.
    if (opt_.storage == cache_storage::disk && source_hash) write_entry(entry, img, *source_hash, description);
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

namespace cache_detail {

DERMTL_DECL std::optional<std::uint64_t> source_content_hash(const std::filesystem::path& file, bool& hashed) {
    struct known_hash {
        std::uintmax_t size;
        std::filesystem::file_time_type mtime;
        std::uint64_t hash;
    };
    static std::mutex mutex;
    static std::unordered_map<std::string, known_hash> known;  // by absolute path
    hashed = false;
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return std::nullopt;
    const auto mtime = std::filesystem::last_write_time(file, ec);
    if (ec) return std::nullopt;
    const std::string key = std::filesystem::absolute(file, ec).lexically_normal().string();
    if (ec) return std::nullopt;
    {
        std::lock_guard lock(mutex);
        if (auto it = known.find(key); it != known.end() && it->second.size == size && it->second.mtime == mtime)
            return it->second.hash;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::uint64_t h = core::fnv1a_offset;
    std::vector<char> buffer(std::size_t{1} << 16);
    while (in) {
        in.read(buffer.data(), std::streamsize(buffer.size()));
        h = core::fnv1a64(buffer.data(), std::size_t(in.gcount()), h);
    }
    if (in.bad()) return std::nullopt;
    hashed = true;
    std::lock_guard lock(mutex);
    known[key] = {size, mtime, h};
    return h;
}

// A double with every digit it has (17 significant), so options differing anywhere differ here.
DERMTL_DECL std::string exact(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", v);
    return text;
}

// Entry layout (native byte order; the cache is a machine's own):
//   8 bytes  magic "DTLCIMG2"
//   uint32   width, uint32 height (the preprocessed image's)
//   uint64   the source image's content hash (source_content_hash)
//   uint32   n, then n bytes: the description (image_cache::description_of)
//   width*height*3 bytes: the pixels, RGB rows
//   uint64   checksum: FNV-1a of every byte before it
inline constexpr std::string_view entry_magic = "DTLCIMG2";
inline constexpr std::size_t entry_fixed_bytes = 8 + 4 + 4 + 8 + 4 + 8;

template <class T>
T load(const std::string& bytes, std::size_t at) {
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
}
template <class T>
void store(std::string& bytes, T v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace cache_detail

DERMTL_DECL std::string image_cache::description_of(const std::filesystem::path& file) const {
    using cache_detail::exact;
    std::error_code ec;
    const auto& p = opt_.preprocess;
    return "source=" + std::filesystem::absolute(file, ec).lexically_normal().string() +
           "; size=" + std::to_string(p.width) + "x" + std::to_string(p.height) +
           "; crop_frame=" + std::to_string(p.crop_frame) + "; dark_threshold=" + std::to_string(p.frame.dark_threshold) +
           "; dark_fraction=" + exact(p.frame.dark_fraction) +
           "; max_crop_fraction=" + exact(p.frame.max_crop_fraction) +
           "; max_pixels=" + std::to_string(p.read.max_pixels) + "; min_side=" + std::to_string(p.read.min_side) +
           "; transpose=" + std::to_string(p.transpose);
}

DERMTL_DECL std::filesystem::path image_cache::disk_path(const std::string& description) const {
    return opt_.disk_dir / (core::to_hex(core::fnv1a64(description)) + ".rgb8");
}

DERMTL_DECL cv::Mat image_cache::read_entry(const std::filesystem::path& p, const std::filesystem::path& file,
                                            std::uint64_t source_hash, const std::string& description) {
    namespace d = cache_detail;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) return {};  // not cached yet
    const std::string named = "image cache entry '" + p.string() + "' (of '" + file.string() + "')";
    auto damaged = [&](const std::string& why) {
        log::info("warning: " + named + " is damaged: " + why + "; recomputing it from the source image");
        std::lock_guard lock(mutex_);
        ++stats_.damaged;
        return cv::Mat();
    };
    auto stale = [&](const std::string& why) {
        log::info("warning: " + named + " is stale: " + why + "; recomputing it from the source image");
        std::lock_guard lock(mutex_);
        ++stats_.stale;
        return cv::Mat();
    };
    // Its size is known from the options: nothing larger is ever read.
    const auto& o = opt_.preprocess;
    const std::uint32_t width = std::uint32_t(o.transpose ? o.height : o.width);
    const std::uint32_t height = std::uint32_t(o.transpose ? o.width : o.height);
    const std::size_t pixels = std::size_t(width) * height * 3;
    const std::size_t expected = d::entry_fixed_bytes + description.size() + pixels;
    const auto size = std::filesystem::file_size(p, ec);
    if (ec) return damaged("cannot read its size (" + ec.message() + ")");
    if (size != expected)
        return damaged("it holds " + std::to_string(size) + " bytes, expected " + std::to_string(expected) + " for a " +
                       std::to_string(width) + "x" + std::to_string(height) + " image");
    std::string bytes(expected, '\0');
    {
        std::ifstream in(p, std::ios::binary);
        in.read(bytes.data(), std::streamsize(bytes.size()));
        if (!in || std::size_t(in.gcount()) != bytes.size()) return damaged("cannot read its " + std::to_string(size) + " bytes");
    }
    if (std::string_view(bytes.data(), 8) != d::entry_magic)
        return damaged("it does not start with '" + std::string(d::entry_magic) +
                       "' (not an image cache entry of this version)");
    const auto stored_sum = d::load<std::uint64_t>(bytes, expected - 8);
    const auto sum = core::fnv1a64(bytes.data(), expected - 8);
    if (stored_sum != sum)
        return damaged("its checksum is " + core::to_hex(stored_sum) + " but its bytes hash to " + core::to_hex(sum) +
                       " (changed on disk)");
    const auto w = d::load<std::uint32_t>(bytes, 8), h = d::load<std::uint32_t>(bytes, 12);
    const auto n = d::load<std::uint32_t>(bytes, 24);
    const std::string_view stored_description(bytes.data() + 28, std::min<std::size_t>(n, description.size()));
    if (w != width || h != height || n != description.size() || stored_description != description)
        return stale("made with other preprocessing ('" + std::string(stored_description) + "', " + std::to_string(w) +
                     "x" + std::to_string(h) + "), expected '" + description + "'");
    if (const auto made_from = d::load<std::uint64_t>(bytes, 16); made_from != source_hash)
        return stale("made from a source with content hash " + core::to_hex(made_from) + ", which now hashes to " +
                     core::to_hex(source_hash));
    cv::Mat m(int(height), int(width), CV_8UC3);
    std::memcpy(m.data, bytes.data() + 28 + n, pixels);
    return m;
}

DERMTL_DECL void image_cache::write_entry(const std::filesystem::path& p, const cv::Mat& m, std::uint64_t source_hash,
                                          const std::string& description) const {
    namespace d = cache_detail;
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    std::string bytes(d::entry_magic);
    bytes.reserve(d::entry_fixed_bytes + description.size() + c.total() * 3);
    d::store(bytes, std::uint32_t(c.cols));
    d::store(bytes, std::uint32_t(c.rows));
    d::store(bytes, source_hash);
    d::store(bytes, std::uint32_t(description.size()));
    bytes += description;
    bytes.append(reinterpret_cast<const char*>(c.data), c.total() * 3);
    d::store(bytes, core::fnv1a64(bytes.data(), bytes.size()));
    write_file_atomically(p, bytes);  // readers never see half a file
}

}  // namespace dermtl::io
