// The disk image cache's checks (io/image_cache.hpp): each entry's checksum, its source's content
// hash and its preprocessing. A damaged or stale entry is recomputed with a warning naming it, and
// the pixels are bit for bit those of a clean cache and of load_preprocessed (the oracle: the
// uncached pipeline). Sources are hashed once per process unless their size or time changes.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/core/log.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using Catch::Contains;
using dermtl::testing::scratch_dir;
namespace fs = std::filesystem;

namespace {

// A skin-toned image with a dark lesion and some texture, different per seed.
cv::Mat lesion(int w, int h, int seed) {
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(205, 150 + seed, 125));
    cv::ellipse(m, cv::Point(w / 2, h / 2), cv::Size(w / 4, h / 5), 15.0 * seed, 0, 360, cv::Scalar(80, 45, 25),
                cv::FILLED);
    cv::Mat noise(h, w, CV_8UC3);
    cv::theRNG().state = 99 + std::uint64_t(seed);
    cv::randu(noise, 0, 30);
    return m + noise;
}

std::vector<fs::path> entries_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".rgb8") out.push_back(e.path());
    return out;
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const fs::path& p, const std::string& b) { std::ofstream(p, std::ios::binary) << b; }

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

io::image_cache_options disk_options(const fs::path& dir) {
    io::image_cache_options o;
    o.storage = io::cache_storage::disk;
    o.disk_dir = dir;
    o.preprocess.width = 24;
    o.preprocess.height = 20;
    return o;
}

}  // namespace

TEST_CASE("image_cache: a damaged disk entry is recomputed with a warning naming it", "[io][cache]") {
    scratch_dir dir("cache-damage");
    const fs::path image = dir / "lesion.png";
    io::write_image(image, lesion(60, 45, 1));
    const auto opt = disk_options(dir / "cache");
    const cv::Mat oracle = io::load_preprocessed(image, opt.preprocess);
    {
        io::image_cache first(opt);
        REQUIRE(same_pixels(first.get(image), oracle));
        CHECK(first.stats().decodes == 1);
    }
    const auto entries = entries_in(opt.disk_dir);
    REQUIRE(entries.size() == 1);
    const fs::path entry = entries.front();
    const std::string clean = file_bytes(entry);

    // Damage of each kind: one pixel byte changed, the checksum changed, cut short, a foreign file,
    // an empty file. Each is reported by name, counted, and the pixels are the clean cache's.
    struct damage {
        std::string name, says;
        std::string bytes;
    };
    std::string pixel = clean;
    pixel[pixel.size() / 2] = char(pixel[pixel.size() / 2] ^ 0x40);
    std::string sum = clean;
    sum.back() = char(sum.back() ^ 1);
    const std::vector<damage> damages = {
        {"a pixel byte", "checksum", pixel},
        {"the checksum", "checksum", sum},
        {"cut short", "holds " + std::to_string(clean.size() - 100) + " bytes, expected " + std::to_string(clean.size()),
         clean.substr(0, clean.size() - 100)},
        {"a foreign file", "not an image cache entry", "RIFF" + clean.substr(4)},
        {"empty", "holds 0 bytes", ""},
    };
    for (const auto& d : damages) {
        INFO(d.name);
        write_bytes(entry, d.bytes);
        std::ostringstream log;
        io::image_cache cache(opt);
        cv::Mat got;
        {
            log::scoped_sink sink(log);
            got = cache.get(image);
        }
        CHECK_THAT(log.str(), Contains("warning") && Contains(entry.string()) && Contains(image.string()) &&
                                  Contains("is damaged") && Contains(d.says) && Contains("recomputing"));
        CHECK(cache.stats().damaged == 1);
        CHECK(cache.stats().decodes == 1);
        CHECK(cache.stats().disk_hits == 0);
        CHECK(same_pixels(got, oracle));
        // Rewritten whole: the next read is a clean hit, silently.
        CHECK(file_bytes(entry) == clean);
        std::ostringstream quiet;
        {
            log::scoped_sink sink(quiet);
            CHECK(same_pixels(cache.get(image), oracle));
        }
        CHECK(quiet.str().empty());
        CHECK(cache.stats().disk_hits == 1);
    }

    // A clean cache elsewhere gives the same bytes (entries do not depend on the history).
    auto elsewhere = opt;
    elsewhere.disk_dir = dir / "clean";
    io::image_cache fresh(elsewhere);
    CHECK(same_pixels(fresh.get(image), oracle));
    const auto fresh_entries = entries_in(elsewhere.disk_dir);
    REQUIRE(fresh_entries.size() == 1);
    CHECK(file_bytes(fresh_entries.front()) == clean);
    CHECK(fresh_entries.front().filename() == entry.filename());
}

TEST_CASE("image_cache: a changed source makes its entry stale; same size and time is not rehashed",
          "[io][cache]") {
    scratch_dir dir("cache-stale");
    const fs::path image = dir / "lesion.bmp";  // BMP: the same size for any content of the same sides
    io::write_image(image, lesion(40, 30, 2));
    const auto opt = disk_options(dir / "cache");
    const cv::Mat before = io::load_preprocessed(image, opt.preprocess);

    io::image_cache a(opt);
    CHECK(same_pixels(a.get(image), before));
    CHECK(a.stats().source_hashes == 1);
    CHECK(same_pixels(a.get(image), before));  // the second read: the memo, not the file
    CHECK(a.stats().source_hashes == 1);
    CHECK(a.stats().disk_hits == 1);
    // Another cache of the same process: the source is known, the entry is read.
    io::image_cache b(opt);
    CHECK(same_pixels(b.get(image), before));
    CHECK(b.stats().source_hashes == 0);
    CHECK(b.stats().disk_hits == 1);

    // New content of the same size with the old modification time: not rehashed (the documented
    // limit), so the entry is used as it is.
    const auto size = fs::file_size(image);
    const auto mtime = fs::last_write_time(image);
    io::write_image(image, lesion(40, 30, 3));
    REQUIRE(fs::file_size(image) == size);
    fs::last_write_time(image, mtime);
    const cv::Mat after = io::load_preprocessed(image, opt.preprocess);
    REQUIRE_FALSE(same_pixels(before, after));
    CHECK(same_pixels(b.get(image), before));
    CHECK(b.stats().source_hashes == 0);

    // The time moves on: hashed again, the entry is stale, recomputed with a warning naming it.
    fs::last_write_time(image, mtime + std::chrono::seconds(5));
    const auto entry = entries_in(opt.disk_dir).at(0);
    std::ostringstream log;
    {
        log::scoped_sink sink(log);
        CHECK(same_pixels(b.get(image), after));
    }
    CHECK(b.stats().source_hashes == 1);
    CHECK(b.stats().stale == 1);
    CHECK(b.stats().damaged == 0);
    CHECK_THAT(log.str(), Contains("warning") && Contains(entry.string()) && Contains(image.string()) &&
                              Contains("is stale") && Contains("content hash"));
    // One entry per source and preprocessing: replaced, not added beside the old one.
    CHECK(entries_in(opt.disk_dir).size() == 1);
    io::image_cache c(opt);
    CHECK(same_pixels(c.get(image), after));
    CHECK(c.stats().disk_hits == 1);
    CHECK(c.stats().source_hashes == 0);

    // Other preprocessing: another entry, never this one's pixels.
    auto other = opt;
    other.preprocess.crop_frame = false;
    io::image_cache d(other);
    CHECK(same_pixels(d.get(image), io::load_preprocessed(image, other.preprocess)));
    CHECK(d.stats().decodes == 1);
    CHECK(entries_in(opt.disk_dir).size() == 2);

    // A source that disappears is the decoder's error, naming it, not a cache hit.
    fs::remove(image);
    CHECK_THROWS_WITH(c.get(image, "labels.csv:3"), Contains(image.string()) && Contains("labels.csv:3"));
}
