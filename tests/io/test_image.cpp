// Decoding image files (read_image, io/image_decode.hpp): RGB order in every format; libjpeg and
// libpng give the OpenCV path's pixels bit for bit; missing, empty, truncated, undecodable and
// oversized files, decoder warnings and too-small images are refused, naming the file. What is
// done with the decoded image (crop, resize, mean, cache, batches): test_image_preprocess.cpp.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <zlib.h>

#include <cstdio>
#include <jpeglib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/io/image.hpp"
#include "lesion_images.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using Catch::Contains;
using dermtl::testing::lesion_rgb;
using dermtl::testing::scratch_dir;
using dermtl::testing::truncate_file;

namespace {

// lesion_rgb with noise, so a JPEG's scan data exercises every coefficient.
cv::Mat textured_rgb(int w, int h, int seed = 0) {
    cv::Mat m = lesion_rgb(w, h, seed), noise(h, w, CV_8UC3);
    cv::theRNG().state = 1234 + std::uint64_t(seed);
    cv::randu(noise, 0, 40);
    return m + noise;
}

std::vector<std::uint8_t> bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// OpenCV-encoded file `name` (BGR or gray `m`, with `params`) in `dir`.
std::filesystem::path encode(const scratch_dir& dir, const std::string& name, const cv::Mat& m,
                             std::vector<int> params = {}) {
    REQUIRE(cv::imwrite((dir / name).string(), m, params));
    return dir / name;
}

// The decoding path read_image had before it used libjpeg/libpng directly (cv::imdecode).
cv::Mat opencv_read(const std::filesystem::path& f) {
    cv::Mat d = cv::imdecode(bytes_of(f), cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
    REQUIRE_FALSE(d.empty());
    if (d.depth() == CV_16U) d.convertTo(d, CV_8U, 1.0 / 257.0);
    cv::Mat rgb;
    cv::cvtColor(d, rgb, d.channels() == 1 ? cv::COLOR_GRAY2RGB : d.channels() == 3 ? cv::COLOR_BGR2RGB : cv::COLOR_BGRA2RGB);
    return rgb;
}

// Offset of a JPEG's start-of-frame segment (its marker's 0xFF).
std::size_t jpeg_sof(const std::vector<std::uint8_t>& b) {
    std::size_t at = 2;
    while (at + 4 <= b.size() && b[at] == 0xFF) {
        const std::uint8_t m = b[at + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) return at;
        at += 2 + std::size_t(b[at + 2] << 8 | b[at + 3]);
    }
    FAIL("no SOF marker");
    return 0;
}
// Offset of a JPEG's first scan data byte (after the start-of-scan segment).
std::size_t jpeg_scan_data(const std::vector<std::uint8_t>& b) {
    std::size_t at = 2;
    while (at + 4 <= b.size() && b[at] == 0xFF) {
        const std::size_t len = std::size_t(b[at + 2] << 8 | b[at + 3]);
        if (b[at + 1] == 0xDA) return at + 2 + len;
        at += 2 + len;
    }
    FAIL("no SOS marker");
    return 0;
}
void put_be16(std::vector<std::uint8_t>& b, std::size_t at, unsigned v) {
    b[at] = std::uint8_t(v >> 8);
    b[at + 1] = std::uint8_t(v);
}
void put_be32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + std::size_t(i)] = std::uint8_t(v >> (24 - 8 * i));
}
// A PNG chunk: length, type, data, CRC.
std::vector<std::uint8_t> png_chunk(const char* type, const std::string& data) {
    std::vector<std::uint8_t> c(12 + data.size());
    put_be32(c, 0, std::uint32_t(data.size()));
    std::copy_n(type, 4, c.begin() + 4);
    std::copy(data.begin(), data.end(), c.begin() + 8);
    put_be32(c, 8 + data.size(), std::uint32_t(crc32(0, c.data() + 4, uInt(4 + data.size()))));
    return c;
}
// A CMYK JPEG (OpenCV cannot write one), through libjpeg's compressor with its default error
// manager (which exits on error: fine for a test fixture).
void write_cmyk_jpeg(const std::filesystem::path& p, int w, int h) {
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* out = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &out, &size);
    c.image_width = JDIMENSION(w);
    c.image_height = JDIMENSION(h);
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    std::vector<unsigned char> row(std::size_t(w) * 4);
    while (c.next_scanline < c.image_height) {
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < 4; ++k) row[std::size_t(x) * 4 + std::size_t(k)] = std::uint8_t((x * 9 + int(c.next_scanline) * 5 + k * 60) % 256);
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    write_bytes(p, std::vector<std::uint8_t>(out, out + size));
    std::free(out);
}
long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}
}  // namespace

TEST_CASE("read_image: RGB order, any supported format", "[io][image]") {
    scratch_dir dir("img");
    cv::Mat bgr(8, 10, CV_8UC3, cv::Scalar(10, 20, 200));  // red in BGR
    for (const char* name : {"a.png", "b.tif", "c.TIFF", "d.bmp", "e.webp"}) {
        INFO(name);
        // WebP above quality 100 is lossless (OpenCV's rule), so the pixel is exact.
        REQUIRE(cv::imwrite((dir / name).string(), bgr, {cv::IMWRITE_WEBP_QUALITY, 101}));
        const cv::Mat rgb = io::read_image(dir / name);
        REQUIRE(rgb.type() == CV_8UC3);
        CHECK(rgb.at<cv::Vec3b>(0, 0) == cv::Vec3b(200, 20, 10));
    }
    cv::Mat gray(9, 9, CV_8UC1, cv::Scalar(77));
    REQUIRE(cv::imwrite((dir / "g.png").string(), gray));
    CHECK(io::read_image(dir / "g.png").at<cv::Vec3b>(1, 1) == cv::Vec3b(77, 77, 77));
    io::write_image(dir / "w.jpg", lesion_rgb(32, 24));
    CHECK(io::read_image(dir / "w.jpg").size() == cv::Size(32, 24));
}

TEST_CASE("read_image: missing, empty, truncated and undecodable files are named", "[io][image][bad_input]") {
    scratch_dir dir("img");
    CHECK_THROWS_WITH(io::read_image(dir / "none.jpg", "labels.csv:4"),
                      Contains("none.jpg") && Contains("labels.csv:4") && Contains("not found"));
    std::ofstream(dir / "empty.jpg").close();
    CHECK_THROWS_WITH(io::read_image(dir / "empty.jpg"), Contains("empty.jpg") && Contains("empty"));
    io::write_image(dir / "t.jpg", lesion_rgb(64, 48));
    truncate_file(dir / "t.jpg", 0.6);
    CHECK_THROWS_WITH(io::read_image(dir / "t.jpg", "meta.csv:9"),
                      Contains("t.jpg") && Contains("meta.csv:9") && Contains("truncated JPEG") &&
                          Contains("premature end of data"));
    io::write_image(dir / "t.png", lesion_rgb(64, 48));
    truncate_file(dir / "t.png", 0.7);
    CHECK_THROWS_WITH(io::read_image(dir / "t.png"), Contains("t.png") && Contains("truncated PNG"));
    std::ofstream(dir / "junk.png") << "this is not an image at all";
    CHECK_THROWS_AS(io::read_image(dir / "junk.png"), io_error);
    CHECK_THROWS_WITH(io::read_image(dir / "junk.png"), Contains("junk.png") && Contains("cannot decode"));
    // Only JPEG, PNG, TIFF, BMP and WebP reach a decoder: a PPM, which cv::imdecode would read, is
    // refused by its first bytes ("P6" = 50 36), naming the formats dermtl reads.
    REQUIRE(cv::imwrite((dir / "p.ppm").string(), lesion_rgb(16, 16)));
    CHECK_THROWS_WITH(io::read_image(dir / "p.ppm"),
                      Contains("p.ppm") && Contains("not a format dermtl reads") && Contains("starting 50 36") &&
                          Contains("JPEG, PNG, TIFF, BMP or WebP"));
    // A TIFF that also carries DICOM's signature would go to OpenCV's DICOM reader (GDCM), which
    // aborts the process on a damaged file (tests/fuzz/findings/image/): refused before decoding.
    REQUIRE(cv::imwrite((dir / "dual.tif").string(), lesion_rgb(64, 48)));
    {
        std::fstream f(dir / "dual.tif", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(128);
        f.write("DICM", 4);
    }
    CHECK_THROWS_WITH(io::read_image(dir / "dual.tif"),
                      Contains("dual.tif") && Contains("TIFF") && Contains("DICOM signature"));
    // The fuzzer's finding itself (a J2K codestream start, JFIF text and 'DICM' at byte 128).
    const auto finding = dermtl::testing::tests_dir() / "fuzz" / "findings" / "image" / "gdcm-asserts-on-dicm-at-128.bin";
    CHECK_THROWS_WITH(io::read_image(finding), Contains("gdcm-asserts-on-dicm-at-128.bin") && Contains("not a format dermtl reads"));
}

TEST_CASE("read_image: JPEG and PNG through libjpeg/libpng give the OpenCV path's pixels bit for bit",
          "[io][image]") {
    // Same libjpeg-turbo and libpng as OpenCV links (Debian's), same settings (islow DCT, fancy
    // upsampling; no gamma), same conversions after: so no tolerance is needed, and none is given.
    scratch_dir dir("img-parity");
    const cv::Mat bgr = textured_rgb(40, 24, 3);  // not square: orientation shows
    cv::Mat gray, bgra, bgr16, gray16;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
    bgra.forEach<cv::Vec4b>([](cv::Vec4b& p, const int* pos) { p[3] = std::uint8_t(pos[1] * 6); });
    bgr.convertTo(bgr16, CV_16U, 257.0 * 0.9, 1000);
    gray.convertTo(gray16, CV_16U, 200.0);
    std::vector<std::filesystem::path> files{
        encode(dir, "q92.jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 92}),
        encode(dir, "q50.jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 50}),
        encode(dir, "progressive.jpg", bgr, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}),
        encode(dir, "gray.jpg", gray),
        encode(dir, "rgb.png", bgr),
        encode(dir, "gray.png", gray),
        encode(dir, "rgba.png", bgra),
        encode(dir, "rgb16.png", bgr16),
        encode(dir, "gray16.png", gray16),
        encode(dir, "bilevel.png", gray > 128, {cv::IMWRITE_PNG_BILEVEL, 1}),
    };
    // EXIF orientation 6 (rotate 90 degrees clockwise), which OpenCV applies: an APP1 segment
    // inserted after SOI.
    {
        auto b = bytes_of(files[0]);
        const std::vector<std::uint8_t> app1{0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0,
                                             8,    0,    0,    0,    1,   0,   0x12, 0x01, 3, 0, 1,   0,   0,    0,
                                             6,    0,    0,    0,    0,   0,   0,   0};
        b.insert(b.begin() + 2, app1.begin(), app1.end());
        write_bytes(dir / "rotated.jpg", b);
        files.push_back(dir / "rotated.jpg");
    }
    write_cmyk_jpeg(dir / "cmyk.jpg", 33, 20);
    files.push_back(dir / "cmyk.jpg");
    for (const auto& f : files) {
        INFO(f.filename().string());
        const cv::Mat ours = io::read_image(f), theirs = opencv_read(f);
        REQUIRE(ours.type() == CV_8UC3);
        REQUIRE(ours.size() == theirs.size());
        CHECK(cv::norm(ours, theirs, cv::NORM_INF) == 0);
    }
    CHECK(io::read_image(dir / "rotated.jpg").size() == cv::Size(24, 40));
}

TEST_CASE("read_image: the pixel count is capped from the header, before decoding", "[io][image][bad_input]") {
    scratch_dir dir("img-bomb");
    const auto small = encode(dir, "small.jpg", textured_rgb(16, 16));
    SECTION("a small JPEG claiming 20000x20000") {
        auto b = bytes_of(small);
        REQUIRE(b.size() < 2000);
        const std::size_t sof = jpeg_sof(b);
        put_be16(b, sof + 5, 20000);  // height
        put_be16(b, sof + 7, 20000);  // width
        write_bytes(dir / "bomb.jpg", b);
        const long rss_before = peak_rss_kib();
        CHECK_THROWS_AS(io::read_image(dir / "bomb.jpg"), io_error);
        CHECK_THROWS_WITH(io::read_image(dir / "bomb.jpg", "labels.csv:7"),
                          Contains("bomb.jpg") && Contains("labels.csv:7") && Contains("20000x20000") &&
                              Contains("400000000 pixels") && Contains("image_read_options::max_pixels"));
        // Decoding would have needed 1.2 GB for the pixels alone.
        CHECK(peak_rss_kib() - rss_before < 100 * 1024);
    }
    SECTION("a small PNG claiming 20000x20000 (IHDR rewritten, its CRC fixed)") {
        auto b = bytes_of(encode(dir, "small.png", textured_rgb(16, 16)));
        put_be32(b, 16, 20000);
        put_be32(b, 20, 20000);
        put_be32(b, 29, std::uint32_t(crc32(0, b.data() + 12, 17)));
        write_bytes(dir / "bomb.png", b);
        const long rss_before = peak_rss_kib();
        CHECK_THROWS_WITH(io::read_image(dir / "bomb.png"), Contains("bomb.png") && Contains("PNG header") &&
                                                                Contains("20000x20000") && Contains("max_pixels"));
        CHECK(peak_rss_kib() - rss_before < 100 * 1024);
    }
    SECTION("the cap is an option; the default takes the paper's largest images") {
        io::image_read_options opt;
        opt.max_pixels = 255;
        CHECK_THROWS_WITH(io::read_image(small, opt), Contains("small.jpg") && Contains("16x16 = 256 pixels") &&
                                                          Contains("limit of 255"));
        opt.max_pixels = 256;
        CHECK(io::read_image(small, opt).size() == cv::Size(16, 16));
        // ISIC's ~4000x3000 (Kaggle DR's ~3500x2300 is smaller), decoded with the defaults.
        const auto isic = encode(dir, "isic.jpg", cv::Mat(3000, 4000, CV_8UC3, cv::Scalar(120, 140, 200)));
        CHECK(io::read_image(isic).size() == cv::Size(4000, 3000));
        // The preprocessing options carry it to the cache's decodes.
        io::preprocess_options pre;
        pre.read.max_pixels = 100;
        CHECK_THROWS_WITH(io::load_preprocessed(small, pre), Contains("small.jpg") && Contains("max_pixels"));
    }
}

TEST_CASE("read_image: decoder warnings are errors naming the file and the manifest line", "[io][image][bad_input]") {
    scratch_dir dir("img-corrupt");
    const auto good = encode(dir, "good.jpg", textured_rgb(64, 48));
    const auto b = bytes_of(good);
    SECTION("JPEG: a marker in the middle of the scan data") {
        auto c = b;
        const std::size_t mid = (jpeg_scan_data(c) + c.size()) / 2;
        c[mid] = 0xFF;
        c[mid + 1] = 0xD9;  // EOI, far too early
        write_bytes(dir / "cut-scan.jpg", c);
        CHECK_THROWS_AS(io::read_image(dir / "cut-scan.jpg"), io_error);
        CHECK_THROWS_WITH(io::read_image(dir / "cut-scan.jpg", "ISIC_2016.csv:12"),
                          Contains("cut-scan.jpg") && Contains("ISIC_2016.csv:12") && Contains("corrupt JPEG data") &&
                              Contains("premature end of data segment") && !Contains("truncated"));
    }
    SECTION("JPEG: stray bytes before the end-of-image marker") {
        auto c = b;
        const std::vector<std::uint8_t> junk{0x12, 0x34, 0x56};
        c.insert(c.end() - 2, junk.begin(), junk.end());
        write_bytes(dir / "extraneous.jpg", c);
        CHECK_THROWS_WITH(io::read_image(dir / "extraneous.jpg", "meta.csv:3"),
                          Contains("extraneous.jpg") && Contains("meta.csv:3") && Contains("corrupt JPEG data") &&
                              Contains("extraneous bytes"));
    }
    SECTION("PNG: damaged pixel data") {
        auto p = bytes_of(encode(dir, "good.png", textured_rgb(64, 48)));
        for (std::size_t i = 0; i < 8; ++i) p[p.size() / 2 + i] ^= 0x5A;
        write_bytes(dir / "flipped.png", p);
        CHECK_THROWS_WITH(io::read_image(dir / "flipped.png", "folds.yaml:2"),
                          Contains("flipped.png") && Contains("folds.yaml:2") && Contains("corrupt") &&
                              Contains("IDAT") && !Contains("truncated"));
    }
    SECTION("PNG: a damaged ancillary (metadata) chunk is only metadata: the pixels are read") {
        auto p = bytes_of(encode(dir, "plain.png", textured_rgb(64, 48)));
        auto text = png_chunk("tEXt", std::string("Comment\0made by a test", 23));
        text[text.size() - 1] ^= 0xFF;  // its CRC no longer matches
        p.insert(p.begin() + 33, text.begin(), text.end());  // after IHDR
        write_bytes(dir / "bad-text.png", p);
        CHECK(cv::norm(io::read_image(dir / "bad-text.png"), io::read_image(dir / "plain.png"), cv::NORM_INF) == 0);
    }
}

TEST_CASE("read_image: trailing bytes after a complete image are accepted, truncation is named", "[io][image][bad_input]") {
    scratch_dir dir("img-trailing");
    const auto jpg = encode(dir, "a.jpg", textured_rgb(64, 48));
    const auto png = encode(dir, "a.png", textured_rgb(64, 48));
    SECTION("trailing bytes: the image is complete, so it is read, the same as without them") {
        for (const auto& f : {jpg, png}) {
            INFO(f.filename().string());
            auto b = bytes_of(f);
            for (int i = 0; i < 1000; ++i) b.push_back(std::uint8_t(i * 7));  // a camera/editor trailer
            const auto t = dir / ("trailer-" + f.filename().string());
            write_bytes(t, b);
            CHECK(cv::norm(io::read_image(t), io::read_image(f), cv::NORM_INF) == 0);
        }
    }
    SECTION("cut anywhere, even just before the end marker: truncated, premature end of data") {
        const auto jb = bytes_of(jpg), pb = bytes_of(png);
        for (std::size_t keep : {jb.size() / 4, jb.size() / 2, jb.size() - 10, jb.size() - 2}) {
            INFO("JPEG cut to " << keep << " of " << jb.size() << " bytes");
            write_bytes(dir / "cut.jpg", std::vector<std::uint8_t>(jb.begin(), jb.begin() + std::ptrdiff_t(keep)));
            CHECK_THROWS_WITH(io::read_image(dir / "cut.jpg", "labels.csv:5"),
                              Contains("cut.jpg") && Contains("labels.csv:5") && Contains("truncated JPEG") &&
                                  Contains("premature end of data") && Contains(std::to_string(keep) + " bytes"));
        }
        for (std::size_t keep : {std::size_t(40), pb.size() / 2, pb.size() - 12}) {  // -12: all but IEND
            INFO("PNG cut to " << keep << " of " << pb.size() << " bytes");
            write_bytes(dir / "cut.png", std::vector<std::uint8_t>(pb.begin(), pb.begin() + std::ptrdiff_t(keep)));
            CHECK_THROWS_WITH(io::read_image(dir / "cut.png"), Contains("cut.png") && Contains("truncated PNG") &&
                                                                   Contains("premature end of data"));
        }
    }
}

TEST_CASE("read_image: images smaller than the minimum side are rejected, naming the image", "[io][image][bad_input]") {
    scratch_dir dir("img-tiny");
    const auto one = encode(dir, "one.png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(1, 2, 3)));
    const auto thin = encode(dir, "thin.jpg", textured_rgb(200, 7));
    const auto tif = encode(dir, "one.tif", cv::Mat(1, 1, CV_8UC3, cv::Scalar(1, 2, 3)));
    CHECK_THROWS_AS(io::read_image(one), io_error);
    CHECK_THROWS_WITH(io::read_image(one, "labels.csv:2"), Contains("one.png") && Contains("labels.csv:2") &&
                                                               Contains("1x1") && Contains("image_read_options::min_side"));
    CHECK_THROWS_WITH(io::read_image(thin), Contains("thin.jpg") && Contains("200x7") && Contains("minimum side of 8"));
    CHECK_THROWS_WITH(io::read_image(tif), Contains("one.tif") && Contains("1x1") && Contains("min_side"));
    io::image_read_options opt;
    opt.min_side = 1;
    CHECK(io::read_image(one, opt).at<cv::Vec3b>(0, 0) == cv::Vec3b(3, 2, 1));
    CHECK(io::read_image(thin, opt).size() == cv::Size(200, 7));
}
