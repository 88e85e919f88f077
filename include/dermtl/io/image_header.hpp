#pragma once
// An image file's format and size from its first bytes and its header, before anything is decoded.
// read_image (io/image_decode.hpp) refuses a file of any other format by these bytes, and checks a
// TIFF's, BMP's or WebP's size from here before cv::imdecode allocates anything of it. The parsers
// check their bounds before every read (tests/io/test_image_header.cpp; fuzzed through read_image
// by tests/fuzz/fuzz_image.cpp).
// The non-template code is defined in impl/image_header.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dermtl/core/config.hpp"

namespace dermtl::io {

// Width and height as an image file's header states them, before any decoding.
struct image_dimensions {
    std::uint64_t width = 0, height = 0;
    bool operator==(const image_dimensions&) const = default;
};

// The size the header of `bytes` claims, for each format read_image reads (told by the first bytes):
// JPEG (its first SOFn marker), PNG (IHDR), TIFF (IFD0's ImageWidth and ImageLength, SHORT or LONG,
// either byte order), BMP (BITMAPINFOHEADER and its successors, or the OS/2 core header; a negative
// height, a top-down bitmap, counts as its absolute value) and WebP (VP8, VP8L or VP8X, the canvas).
// Ensures: the header's numbers, before EXIF orientation (a JPEG's width and height may be swapped
// by it); nullopt with `problem` set (when given) saying what is missing or malformed, for bytes of
// no known format or a header that ends early, lacks the size or states a zero or negative one.
DERMTL_DECL std::optional<image_dimensions> header_dimensions(std::span<const std::uint8_t> bytes,
                                                              std::string* problem = nullptr);

namespace image_detail {

// The formats read_image reads, told by their magic bytes. Only these reach a decoder: cv::imdecode
// would otherwise pick one of its many decoders by signature, among them GDCM's DICOM reader,
// which aborts the process on a damaged file (tests/fuzz/findings/image/).
enum class image_format { jpeg, png, tiff, bmp, webp, unknown };
inline constexpr const char* readable_formats = "JPEG, PNG, TIFF, BMP or WebP";

// The format `b` starts with (its magic bytes), unknown for any other.
DERMTL_DECL image_format format_of(std::span<const std::uint8_t> b);
// "JPEG", "PNG", "TIFF", "BMP", "WebP" or "unknown".
DERMTL_DECL const char* name_of(image_format f);
// The first `n` bytes in hex ("49 49 2a 00"), for a message about a file of no known format.
DERMTL_DECL std::string first_bytes(std::span<const std::uint8_t> b, std::size_t n = 8);

}  // namespace image_detail

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/image_header.ipp"
#endif
