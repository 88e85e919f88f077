// Definitions of io/image_header.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image_header.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dermtl::io {

namespace image_detail {

DERMTL_DECL image_format format_of(std::span<const std::uint8_t> b) {
    auto starts = [&](std::size_t at, std::string_view magic) {
        return b.size() >= at + magic.size() && std::equal(magic.begin(), magic.end(), b.begin() + at,
                                                           [](char m, std::uint8_t c) { return std::uint8_t(m) == c; });
    };
    if (starts(0, "\xFF\xD8\xFF")) return image_format::jpeg;
    if (starts(0, "\x89PNG\r\n\x1A\n")) return image_format::png;
    if (starts(0, std::string_view("II*\0", 4)) || starts(0, std::string_view("MM\0*", 4))) return image_format::tiff;
    if (starts(0, "BM") && b.size() >= 26) return image_format::bmp;
    if (starts(0, "RIFF") && starts(8, "WEBP")) return image_format::webp;
    return image_format::unknown;
}

DERMTL_DECL const char* name_of(image_format f) {
    switch (f) {
    case image_format::jpeg: return "JPEG";
    case image_format::png: return "PNG";
    case image_format::tiff: return "TIFF";
    case image_format::bmp: return "BMP";
    case image_format::webp: return "WebP";
    default: return "unknown";
    }
}

// The first bytes in hex ("49 49 2a 00"), for a message about a file of no known format.
DERMTL_DECL std::string first_bytes(std::span<const std::uint8_t> b, std::size_t n) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < std::min(n, b.size()); ++i) {
        if (i) s += ' ';
        s += hex[b[i] >> 4];
        s += hex[b[i] & 15];
    }
    return s;
}

// ---- sizes from the headers (header_dimensions) ---------------------------------------------------

// Integers at a byte offset of `b`, in the file's byte order; `has` before every read.
struct byte_reader {
    std::span<const std::uint8_t> b;
    bool little = true;
    bool has(std::size_t at, std::size_t n) const { return at <= b.size() && b.size() - at >= n; }
    std::uint32_t u16(std::size_t at) const {
        return little ? std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8
                      : std::uint32_t(b[at]) << 8 | std::uint32_t(b[at + 1]);
    }
    std::uint32_t u24(std::size_t at) const {  // little-endian only (WebP's VP8X)
        return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16;
    }
    std::uint32_t u32(std::size_t at) const {
        return little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
    }
};

// A header_dimensions result: the size, or nullopt with `problem` said.
using header_result = std::optional<image_dimensions>;
DERMTL_DECL header_result header_problem(std::string* problem, const std::string& what) {
    if (problem) *problem = what;
    return std::nullopt;
}
DERMTL_DECL header_result header_size(std::uint64_t width, std::uint64_t height, const char* format,
                                      std::string* problem) {
    if (width == 0 || height == 0)
        return header_problem(problem, std::string("the ") + format + " header states a size of " +
                                           std::to_string(width) + "x" + std::to_string(height) +
                                           "; expected a positive width and height");
    return image_dimensions{width, height};
}
DERMTL_DECL header_result header_ends(std::size_t n, const char* format, const char* what, std::string* problem) {
    return header_problem(problem, "the " + std::string(format) + " file ends (" + std::to_string(n) +
                                       " bytes) before its header's " + what);
}

// JPEG: the first start-of-frame marker (SOF0..SOF15 but DHT, JPG and DAC) before the scan data.
DERMTL_DECL header_result jpeg_header_size(std::span<const std::uint8_t> b, std::string* problem) {
    const byte_reader r{b, false};
    std::size_t i = 2;  // after SOI
    for (;;) {
        if (!r.has(i, 2)) return header_ends(b.size(), "JPEG", "frame size (SOFn marker)", problem);
        if (b[i] != 0xFF)
            return header_problem(problem, "the JPEG header holds the byte " + first_bytes(b.subspan(i), 1) +
                                               " at offset " + std::to_string(i) + " where a marker (FF xx) belongs");
        const std::uint8_t m = b[i + 1];
        if (m == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {  // standalone markers
            i += 2;
            continue;
        }
        if (m == 0xDA || m == 0xD9)
            return header_problem(problem, "the JPEG header reaches its scan data without a frame size (no SOFn marker)");
        if (!r.has(i + 2, 2)) return header_ends(b.size(), "JPEG", "frame size (SOFn marker)", problem);
        const std::size_t length = r.u16(i + 2);
        const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if (!r.has(i + 5, 4)) return header_ends(b.size(), "JPEG", "frame size (SOFn marker)", problem);
            return header_size(r.u16(i + 7), r.u16(i + 5), "JPEG", problem);
        }
        if (length < 2)
            return header_problem(problem, "the JPEG header has a segment of length " + std::to_string(length) +
                                               " at offset " + std::to_string(i) + "; expected at least 2");
        i += 2 + length;
    }
}

// PNG: IHDR, the first chunk (width and height big-endian at bytes 16 and 20).
DERMTL_DECL header_result png_header_size(std::span<const std::uint8_t> b, std::string* problem) {
    const byte_reader r{b, false};
    if (!r.has(8, 16)) return header_ends(b.size(), "PNG", "IHDR chunk", problem);
    if (!std::equal(b.begin() + 12, b.begin() + 16, "IHDR"))
        return header_problem(problem, "the PNG header's first chunk is not IHDR; expected IHDR with the image's size");
    return header_size(r.u32(16), r.u32(20), "PNG", problem);
}

// TIFF: IFD0's ImageWidth (256) and ImageLength (257), SHORT or LONG, in the byte order "II"/"MM" says.
DERMTL_DECL header_result tiff_header_size(std::span<const std::uint8_t> b, std::string* problem) {
    const byte_reader r{b, b[0] == 'I'};
    if (!r.has(4, 4)) return header_ends(b.size(), "TIFF", "first IFD offset", problem);
    const std::size_t ifd = r.u32(4);
    if (!r.has(ifd, 2))
        return header_problem(problem, "the TIFF header's first IFD is at offset " + std::to_string(ifd) +
                                           ", beyond the file's " + std::to_string(b.size()) + " bytes");
    const std::size_t entries = r.u16(ifd);
    std::optional<std::uint64_t> width, height;
    for (std::size_t k = 0; k < entries; ++k) {
        const std::size_t e = ifd + 2 + 12 * k;
        if (!r.has(e, 12))
            return header_problem(problem, "the TIFF header's first IFD holds " + std::to_string(entries) +
                                               " entries, but the file ends (" + std::to_string(b.size()) +
                                               " bytes) in entry " + std::to_string(k + 1));
        const std::uint32_t tag = r.u16(e), type = r.u16(e + 2), count = r.u32(e + 4);
        if (tag != 256 && tag != 257) continue;
        const char* name = tag == 256 ? "ImageWidth" : "ImageLength";
        if (count < 1 || (type != 3 && type != 4))
            return header_problem(problem, std::string("the TIFF header's ") + name + " tag has type " +
                                               std::to_string(type) + " and count " + std::to_string(count) +
                                               "; expected one SHORT (3) or LONG (4)");
        (tag == 256 ? width : height) = type == 3 ? r.u16(e + 8) : r.u32(e + 8);
    }
    if (!width || !height)
        return header_problem(problem, std::string("the TIFF header's first IFD has no ") +
                                           (!width ? "ImageWidth (256)" : "ImageLength (257)") +
                                           " tag; expected both, which every TIFF image must have");
    return header_size(*width, *height, "TIFF", problem);
}

// BMP: the DIB header after the 14-byte file header: the OS/2 core header (12 bytes, unsigned 16-bit
// sides) or BITMAPINFOHEADER and its successors (16 bytes and more, signed 32-bit sides; a negative
// height is a top-down bitmap).
DERMTL_DECL header_result bmp_header_size(std::span<const std::uint8_t> b, std::string* problem) {
    const byte_reader r{b, true};
    if (!r.has(14, 4)) return header_ends(b.size(), "BMP", "DIB header", problem);
    const std::uint32_t header = r.u32(14);
    if (header == 12) {
        if (!r.has(18, 4)) return header_ends(b.size(), "BMP", "size (core header)", problem);
        return header_size(r.u16(18), r.u16(20), "BMP", problem);
    }
    if (header < 16)
        return header_problem(problem, "the BMP header's DIB header size is " + std::to_string(header) +
                                           "; expected 12 (the OS/2 core header) or 40 (BITMAPINFOHEADER) and more");
    if (!r.has(18, 8)) return header_ends(b.size(), "BMP", "size (BITMAPINFOHEADER)", problem);
    const auto width = std::int64_t(std::int32_t(r.u32(18))), height = std::int64_t(std::int32_t(r.u32(22)));
    if (width < 0)
        return header_problem(problem, "the BMP header states a width of " + std::to_string(width) +
                                           "; expected a positive width");
    return header_size(std::uint64_t(width), std::uint64_t(height < 0 ? -height : height), "BMP", problem);
}

// WebP: the first chunk after "RIFF....WEBP": VP8 (lossy: 14-bit sides after the start code),
// VP8L (lossless: 14-bit sides minus one after the signature) or VP8X (extended: the canvas,
// 24-bit sides minus one).
DERMTL_DECL header_result webp_header_size(std::span<const std::uint8_t> b, std::string* problem) {
    const byte_reader r{b, true};
    if (!r.has(12, 8)) return header_ends(b.size(), "WebP", "first chunk", problem);
    const std::string_view chunk(reinterpret_cast<const char*>(b.data()) + 12, 4);
    if (chunk == "VP8 ") {
        if (!r.has(20, 10)) return header_ends(b.size(), "WebP", "VP8 frame size", problem);
        if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a)
            return header_problem(problem, "the WebP header's VP8 chunk lacks the start code 9d 01 2a at offset 23");
        return header_size(r.u16(26) & 0x3fff, r.u16(28) & 0x3fff, "WebP", problem);
    }
    if (chunk == "VP8L") {
        if (!r.has(20, 5)) return header_ends(b.size(), "WebP", "VP8L image size", problem);
        if (b[20] != 0x2f)
            return header_problem(problem, "the WebP header's VP8L chunk lacks the signature byte 2f at offset 20");
        const std::uint32_t bits = r.u32(21);
        return header_size((bits & 0x3fff) + 1, (bits >> 14 & 0x3fff) + 1, "WebP", problem);
    }
    if (chunk == "VP8X") {
        if (!r.has(20, 10)) return header_ends(b.size(), "WebP", "VP8X canvas size", problem);
        return header_size(std::uint64_t(r.u24(24)) + 1, std::uint64_t(r.u24(27)) + 1, "WebP", problem);
    }
    return header_problem(problem, "the WebP header's first chunk is '" + first_bytes(b.subspan(12), 4) +
                                       "' (hex); expected VP8, VP8L or VP8X");
}

}  // namespace image_detail

DERMTL_DECL std::optional<image_dimensions> header_dimensions(std::span<const std::uint8_t> bytes,
                                                              std::string* problem) {
    using image_detail::image_format;
    switch (image_detail::format_of(bytes)) {
    case image_format::jpeg: return image_detail::jpeg_header_size(bytes, problem);
    case image_format::png: return image_detail::png_header_size(bytes, problem);
    case image_format::tiff: return image_detail::tiff_header_size(bytes, problem);
    case image_format::bmp: return image_detail::bmp_header_size(bytes, problem);
    case image_format::webp: return image_detail::webp_header_size(bytes, problem);
    default:
        return image_detail::header_problem(problem, "not a format dermtl reads (starting " +
                                                         image_detail::first_bytes(bytes) + "); expected " +
                                                         image_detail::readable_formats);
    }
}

}  // namespace dermtl::io
