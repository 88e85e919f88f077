// Sizes read from image headers before decoding (io/image_decode.hpp: header_dimensions, and the
// check read_image makes with it for TIFF, BMP and WebP before OpenCV decodes them).
// Two kinds of files: written by OpenCV's own encoders (the header parsers must agree with the size
// OpenCV decodes), and headers written here by hand from the formats' specifications (both TIFF byte
// orders, SHORT and LONG sides, the old BMP core header, top-down BMPs, WebP's three chunks), among
// them headers claiming huge sizes with no pixel data behind them: those are refused by the header,
// naming the file, the size and the limit, and never reach a decoder.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/io/image.hpp"
#include "dermtl/io/image_decode.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using Catch::Contains;
using dermtl::testing::scratch_dir;

namespace {

using bytes_t = std::vector<std::uint8_t>;

bytes_t bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::filesystem::path write_bytes(const std::filesystem::path& p, const bytes_t& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    return p;
}

// Appends integers in a byte order.
struct writer {
    bytes_t b;
    bool little = true;
    writer& u8(unsigned v) {
        b.push_back(std::uint8_t(v));
        return *this;
    }
    writer& u16(unsigned v) {
        return little ? u8(v & 0xff).u8(v >> 8 & 0xff) : u8(v >> 8 & 0xff).u8(v & 0xff);
    }
    writer& u32(std::uint32_t v) {
        return little ? u16(v & 0xffff).u16(v >> 16) : u16(v >> 16).u16(v & 0xffff);
    }
    writer& text(const std::string& s) {
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
};

// An uncompressed RGB TIFF written from the TIFF 6.0 specification (one strip), in either byte
// order, the sides as SHORT or LONG; `pixels` RGB rows. `header_only`: IFD0 and no pixel data.
bytes_t hand_tiff(bool little, bool long_sides, std::uint32_t w, std::uint32_t h, const cv::Mat& rgb,
                  bool header_only = false) {
    writer t{{}, little};
    t.text(little ? "II" : "MM").u16(42).u32(8);
    const int entries = 9;
    const std::uint32_t ifd_size = 2 + 12 * entries + 4, bits_at = 8 + ifd_size, data_at = bits_at + 6;
    t.u16(entries);
    auto entry = [&](unsigned tag, unsigned type, std::uint32_t count, std::uint32_t value) {
        t.u16(tag).u16(type).u32(count);
        if (type == 3 && count == 1) t.u16(value).u16(0);  // a SHORT sits in the first two bytes
        else t.u32(value);
    };
    entry(256, long_sides ? 4 : 3, 1, w);                 // ImageWidth
    entry(257, long_sides ? 4 : 3, 1, h);                 // ImageLength
    entry(258, 3, 3, bits_at);                            // BitsPerSample 8,8,8 (at an offset)
    entry(259, 3, 1, 1);                                  // Compression: none
    entry(262, 3, 1, 2);                                  // PhotometricInterpretation: RGB
    entry(273, 4, 1, data_at);                            // StripOffsets
    entry(277, 3, 1, 3);                                  // SamplesPerPixel
    entry(278, 4, 1, h);                                  // RowsPerStrip
    entry(279, 4, 1, std::uint32_t(std::uint64_t(w) * h * 3));  // StripByteCounts
    t.u32(0);                                             // no next IFD
    t.u16(8).u16(8).u16(8);
    if (!header_only)
        for (int y = 0; y < rgb.rows; ++y)
            for (int x = 0; x < rgb.cols; ++x)
                for (int c = 0; c < 3; ++c) t.u8(rgb.at<cv::Vec3b>(y, x)[c]);
    return t.b;
}

// A BMP's file header and DIB header only (no palette, no pixels).
bytes_t hand_bmp_info(std::int32_t w, std::int32_t h) {
    writer b;
    b.text("BM").u32(54).u32(0).u32(54);
    b.u32(40).u32(std::uint32_t(w)).u32(std::uint32_t(h)).u16(1).u16(24).u32(0).u32(0).u32(2835).u32(2835).u32(0).u32(0);
    return b.b;
}
bytes_t hand_bmp_core(unsigned w, unsigned h) {
    writer b;
    b.text("BM").u32(26).u32(0).u32(26);
    b.u32(12).u16(w).u16(h).u16(1).u16(24);
    return b.b;
}

// WebP headers: RIFF, WEBP, then one chunk whose payload starts as the format says, and padding.
bytes_t hand_webp(const std::string& chunk, const bytes_t& payload) {
    writer b;
    b.text("RIFF").u32(std::uint32_t(4 + 8 + payload.size())).text("WEBP").text(chunk).u32(std::uint32_t(payload.size()));
    b.b.insert(b.b.end(), payload.begin(), payload.end());
    return b.b;
}
bytes_t vp8_payload(unsigned w, unsigned h) {  // frame tag (key frame), start code, 14-bit sides
    writer p;
    p.u8(0x10).u8(0x02).u8(0x00).u8(0x9d).u8(0x01).u8(0x2a).u16(w).u16(h);
    p.b.resize(p.b.size() + 16, 0);
    return p.b;
}
bytes_t vp8l_payload(unsigned w, unsigned h) {  // signature, (w-1) | (h-1) << 14
    writer p;
    p.u8(0x2f).u32((w - 1) | (h - 1) << 14);
    p.b.resize(p.b.size() + 16, 0);
    return p.b;
}
bytes_t vp8x_payload(std::uint32_t w, std::uint32_t h) {  // flags, 24-bit (w-1) and (h-1)
    writer p;
    p.u32(0);
    for (std::uint32_t v : {w - 1, h - 1}) p.u8(v & 0xff).u8(v >> 8 & 0xff).u8(v >> 16 & 0xff);
    return p.b;
}

cv::Mat test_rgb(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = {uchar(7 * x), uchar(11 * y), uchar(200 - 3 * x)};
    return m;
}

}  // namespace

TEST_CASE("header_dimensions: the size in the headers OpenCV writes, before decoding", "[io][image][header]") {
    scratch_dir dir("header");
    const cv::Mat bgr = test_rgb(37, 23);
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat deep;
    bgr.convertTo(deep, CV_16U, 257.0);
    struct file {
        std::string name;
        cv::Mat image;
        std::vector<int> params;
    };
    const std::vector<file> files = {
        {"a.tif", bgr, {}},
        {"grey.tif", grey, {}},
        {"deep.tif", deep, {}},
        {"raw.tif", bgr, {cv::IMWRITE_TIFF_COMPRESSION, 1}},
        {"a.bmp", bgr, {}},
        {"grey.bmp", grey, {}},
        {"lossy.webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 80}},
        {"lossless.webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 101}},
        {"a.png", bgr, {}},
        {"a.jpg", bgr, {}},
    };
    for (const auto& f : files) {
        INFO(f.name);
        REQUIRE(cv::imwrite((dir / f.name).string(), f.image, f.params));
        const auto bytes = bytes_of(dir / f.name);
        std::string problem;
        const auto dims = io::header_dimensions(bytes, &problem);
        INFO(problem);
        REQUIRE(dims);
        // The oracle: OpenCV's own decode of the file.
        const cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
        REQUIRE_FALSE(decoded.empty());
        CHECK(dims->width == std::uint64_t(decoded.cols));
        CHECK(dims->height == std::uint64_t(decoded.rows));
        CHECK(dims->width == 37);
        CHECK(dims->height == 23);
        // read_image reads them under a limit of exactly their size, and refuses them one pixel below.
        io::image_read_options opt;
        opt.max_pixels = 37 * 23;
        CHECK(io::read_image(dir / f.name, opt).size() == cv::Size(37, 23));
        opt.max_pixels = 37 * 23 - 1;
        opt.max_pixels_option = "--max-image-pixels";
        CHECK_THROWS_WITH(io::read_image(dir / f.name, opt),
                          Contains(f.name) && Contains("37x23 = 851 pixels") && Contains("limit of 850") &&
                              Contains("--max-image-pixels"));
    }
}

TEST_CASE("header_dimensions: hand-made TIFFs in both byte orders, sides as SHORT or LONG", "[io][image][header]") {
    scratch_dir dir("header");
    const cv::Mat rgb = test_rgb(13, 9);
    for (const bool little : {true, false})
        for (const bool long_sides : {false, true}) {
            INFO("little-endian " << little << ", LONG sides " << long_sides);
            const auto bytes = hand_tiff(little, long_sides, 13, 9, rgb);
            const auto dims = io::header_dimensions(bytes);
            REQUIRE(dims);
            CHECK(*dims == io::image_dimensions{13, 9});
            // OpenCV (libtiff) reads the same file as the same image: the hand-made file is a valid TIFF.
            const auto f = write_bytes(dir / (std::string(little ? "le" : "be") + (long_sides ? "-long" : "-short") + ".tif"), bytes);
            const cv::Mat read = io::read_image(f);
            REQUIRE(read.size() == cv::Size(13, 9));
            CHECK(cv::norm(read, rgb, cv::NORM_INF) == 0);
        }
}

TEST_CASE("read_image: TIFF, BMP and WebP headers claiming huge sizes are refused without decoding",
          "[io][image][header]") {
    scratch_dir dir("header");
    const cv::Mat none;
    struct claim {
        std::string name;
        bytes_t bytes;
        std::string size;  // as the message says it
    };
    const std::vector<claim> claims = {
        {"short-le.tif", hand_tiff(true, false, 60000, 50000, none, true), "60000x50000"},
        {"short-be.tif", hand_tiff(false, false, 60000, 50000, none, true), "60000x50000"},
        {"long-le.tif", hand_tiff(true, true, 100000, 3000000, none, true), "100000x3000000"},
        {"long-be.tif", hand_tiff(false, true, 4000000000u, 4000000000u, none, true), "4000000000x4000000000"},
        {"info.bmp", hand_bmp_info(30000, 20000), "30000x20000"},
        {"top-down.bmp", hand_bmp_info(30000, -20000), "30000x20000"},
        {"core.bmp", hand_bmp_core(65535, 65535), "65535x65535"},
        {"vp8.webp", hand_webp("VP8 ", vp8_payload(16383, 16383)), "16383x16383"},
        {"vp8l.webp", hand_webp("VP8L", vp8l_payload(16384, 16384)), "16384x16384"},
        {"vp8x.webp", hand_webp("VP8X", vp8x_payload(1u << 24, 1u << 24)), "16777216x16777216"},
    };
    for (const auto& c : claims) {
        INFO(c.name);
        const auto f = write_bytes(dir / c.name, c.bytes);
        io::image_read_options opt;
        opt.max_pixels_option = "--max-image-pixels";
        CHECK_THROWS_AS(io::read_image(f, opt), io_error);
        CHECK_THROWS_WITH(io::read_image(f, opt), Contains(f.string()) && Contains("header claims " + c.size) &&
                                                      Contains("more than the limit of 50000000 (--max-image-pixels") &&
                                                      Contains("not decoded"));
        // These files hold no pixels: a decoder could only have failed on them, so the refusal
        // above came from the header. Under a limit above the claim the bytes do reach OpenCV, and
        // the error says something else (for claims beyond OpenCV's own cap of 2^30 pixels only,
        // which refuses them before allocating: the others would allocate up to 2 GB).
        const auto dims = io::header_dimensions(c.bytes);
        REQUIRE(dims);
        if (dims->width * dims->height > (std::uint64_t{1} << 30)) {
            opt.max_pixels = dims->width * dims->height;
            CHECK_THROWS_WITH(io::read_image(f, opt), Contains(f.string()) && !Contains("header claims"));
        }
    }
}

TEST_CASE("read_image: TIFF, BMP and WebP headers whose size cannot be read are refused, saying why",
          "[io][image][header]") {
    scratch_dir dir("header");
    // A TIFF whose IFD0 lacks ImageLength: the tag renamed to an unknown one (300).
    auto no_length = hand_tiff(true, false, 13, 9, test_rgb(13, 9));
    REQUIRE(no_length[8 + 2 + 12] == 1);  // entry 2's tag, 257 little-endian
    no_length[8 + 2 + 12] = 0x2c;         // 300
    // A TIFF whose first IFD lies beyond the file.
    auto far_ifd = hand_tiff(false, false, 13, 9, test_rgb(13, 9));
    far_ifd[4] = 0x7f;
    // ImageWidth as a RATIONAL (type 5).
    auto rational = hand_tiff(true, false, 13, 9, test_rgb(13, 9));
    rational[8 + 2 + 2] = 5;
    auto bmp_header = hand_bmp_info(20, 20);
    bmp_header[14] = 7;  // DIB header size 7
    struct bad {
        std::string name;
        bytes_t bytes;
        std::string says;
    };
    const std::vector<bad> cases = {
        {"no-length.tif", no_length, "no ImageLength (257) tag"},
        {"far-ifd.tif", far_ifd, "beyond the file's"},
        {"rational.tif", rational, "ImageWidth tag has type 5"},
        {"short.tif", bytes_t{'I', 'I', 42, 0, 8, 0}, "ends (6 bytes) before its header's first IFD offset"},
        {"dib7.bmp", bmp_header, "DIB header size is 7"},
        {"negative-width.bmp", hand_bmp_info(-20, 20), "width of -20"},
        {"zero-height.bmp", hand_bmp_info(20, 0), "size of 20x0"},
        {"vp9.webp", hand_webp("VP9 ", vp8_payload(20, 20)), "first chunk is '56 50 39 20'"},
        {"no-start-code.webp", hand_webp("VP8 ", bytes_t(20, 0)), "lacks the start code"},
        {"short.webp", hand_webp("VP8X", bytes_t{0, 0}), "ends (22 bytes) before its header's VP8X canvas size"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        std::string problem;
        CHECK_FALSE(io::header_dimensions(c.bytes, &problem));
        CHECK_THAT(problem, Contains(c.says));
        const auto f = write_bytes(dir / c.name, c.bytes);
        CHECK_THROWS_WITH(io::read_image(f), Contains(f.string()) && Contains("size from its header") &&
                                                 Contains(c.says) && Contains("not decoded"));
    }
    // JPEG and PNG: the size from SOFn and IHDR (their libraries check it when decoding).
    bytes_t jpeg{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x4e, 0x20, 0x75, 0x30};
    const auto jd = io::header_dimensions(jpeg);
    REQUIRE(jd);
    CHECK(*jd == io::image_dimensions{30000, 20000});
    std::string problem;
    CHECK_FALSE(io::header_dimensions(bytes_t{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, &problem));
    CHECK_THAT(problem, Contains("no SOFn marker"));
    CHECK_FALSE(io::header_dimensions(bytes_t{'G', 'I', 'F', '8', '9', 'a'}, &problem));
    CHECK_THAT(problem, Contains("not a format dermtl reads"));
}
