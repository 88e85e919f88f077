// Definitions of io/image_decode.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image_decode.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>  // message codes (JWRN_JPEG_EOF)
#include <png.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace dermtl::io {

namespace image_detail {

// The formats read_image reads, told by their magic bytes. Only these reach a decoder: cv::imdecode
// would otherwise pick one of its many decoders by signature, among them GDCM's DICOM reader,
// which aborts the process on a damaged file (tests/fuzz/findings/image/).
enum class image_format { jpeg, png, tiff, bmp, webp, unknown };
inline constexpr const char* readable_formats = "JPEG, PNG, TIFF, BMP or WebP";

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
DERMTL_DECL std::string first_bytes(std::span<const std::uint8_t> b, std::size_t n = 8) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < std::min(n, b.size()); ++i) {
        if (i) s += ' ';
        s += hex[b[i] >> 4];
        s += hex[b[i] & 15];
    }
    return s;
}

// The header's size against the options; io_error naming `where`, the size and the option.
DERMTL_DECL void check_size(std::uint64_t width, std::uint64_t height, const char* format, const std::string& where,
                            const image_read_options& opt) {
    const std::string size = std::to_string(width) + "x" + std::to_string(height);
    if (width * height > opt.max_pixels)
        throw io_error(where + ": the " + format + " header claims " + size + " = " + std::to_string(width * height) +
                       " pixels, more than the limit of " + std::to_string(opt.max_pixels) +
                       " (" + std::string(opt.max_pixels_option) + "; raise it for images this large); not decoded");
    if (width < std::uint64_t(opt.min_side) || height < std::uint64_t(opt.min_side))
        throw io_error(where + ": the image is " + size + ", smaller than the minimum side of " +
                       std::to_string(opt.min_side) + " pixels (image_read_options::min_side); expected a lesion image");
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

// Runs `body`; false when a library callback jumped back here (the frame that holds the setjmp).
template <class Body>
bool protect(std::jmp_buf& jump, Body&& body) {
    if (setjmp(jump) != 0) return false;
    body();
    return true;
}

// ---- EXIF orientation (what OpenCV applies to JPEGs) ------------------------------------------

// The orientation tag (1..8) of an APP1 "Exif\0\0" payload's first IFD; 1 when absent or malformed.
DERMTL_DECL int exif_orientation(const std::uint8_t* p, std::size_t n) {
    if (n < 14 || std::memcmp(p, "Exif\0\0", 6) != 0) return 1;
    p += 6;
    n -= 6;
    const bool little = p[0] == 'I' && p[1] == 'I';
    if (!little && !(p[0] == 'M' && p[1] == 'M')) return 1;
    auto u16 = [&](std::size_t at) { return little ? unsigned(p[at] | p[at + 1] << 8) : unsigned(p[at] << 8 | p[at + 1]); };
    auto u32 = [&](std::size_t at) {
        return little ? std::uint32_t(u16(at)) | std::uint32_t(u16(at + 2)) << 16
                      : std::uint32_t(u16(at)) << 16 | std::uint32_t(u16(at + 2));
    };
    if (u16(2) != 42) return 1;
    const std::uint32_t ifd = u32(4);
    if (ifd > n || n - ifd < 2) return 1;
    const unsigned entries = u16(ifd);
    for (unsigned i = 0; i < entries; ++i) {
        const std::size_t e = ifd + 2 + std::size_t(i) * 12;
        if (e + 12 > n) return 1;
        if (u16(e) == 0x0112 && u16(e + 2) == 3 /* SHORT */) {
            const unsigned v = u16(e + 8);
            return v >= 1 && v <= 8 ? int(v) : 1;
        }
    }
    return 1;
}

// Applies an EXIF orientation as OpenCV's imdecode does (ApplyExifOrientation).
DERMTL_DECL void apply_orientation(cv::Mat& img, int orientation) {
    switch (orientation) {
    case 2: cv::flip(img, img, 1); break;
    case 3: cv::flip(img, img, -1); break;
    case 4: cv::flip(img, img, 0); break;
    case 5: cv::transpose(img, img); break;
    case 6: cv::transpose(img, img); cv::flip(img, img, 1); break;
    case 7: cv::transpose(img, img); cv::flip(img, img, -1); break;
    case 8: cv::transpose(img, img); cv::flip(img, img, 0); break;
    default: break;
    }
}

// ---- JPEG ---------------------------------------------------------------------------------------

struct jpeg_failure {
    jpeg_error_mgr mgr;  // first member: libjpeg hands back &mgr, which is this struct's address
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int code;
    bool warning;
};

DERMTL_DECL void jpeg_fail(j_common_ptr c, bool warning) {
    auto* f = reinterpret_cast<jpeg_failure*>(c->err);
    (*c->err->format_message)(c, f->message);
    f->code = c->err->msg_code;
    f->warning = warning;
    std::longjmp(f->jump, 1);
}
DERMTL_DECL void jpeg_on_error(j_common_ptr c) { jpeg_fail(c, false); }
     // Level -1 is a warning (corrupt data the decoder works around); higher levels are trace messages.
     DERMTL_DECL void jpeg_on_message(j_common_ptr c, int level) {
    if (level < 0) jpeg_fail(c, true);
}

DERMTL_DECL cv::Mat decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& where,
                                const image_read_options& opt) {
    jpeg_decompress_struct cinfo;
    std::memset(&cinfo, 0, sizeof cinfo);  // jpeg_destroy_decompress is safe on it from here on
    jpeg_failure fail;
    std::memset(&fail, 0, sizeof fail);
    cinfo.err = jpeg_std_error(&fail.mgr);
    fail.mgr.error_exit = &jpeg_on_error;
    fail.mgr.emit_message = &jpeg_on_message;
    struct destroy_guard {
        jpeg_decompress_struct* c;
        ~destroy_guard() { jpeg_destroy_decompress(c); }
    } guard{&cinfo};
    cv::Mat out;
    int orientation = 1;
    bool cmyk = false;

    const bool ok = protect(fail.jump, [&] {
        jpeg_create_decompress(&cinfo);
        jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
        jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
        jpeg_read_header(&cinfo, TRUE);
        check_size(cinfo.image_width, cinfo.image_height, "JPEG", where, opt);
        for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
            if (m->marker == JPEG_APP0 + 1 && orientation == 1) orientation = exif_orientation(m->data, m->data_length);
        cmyk = cinfo.num_components == 4;  // CMYK or YCCK: libjpeg gives CMYK, converted below
        cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
        jpeg_start_decompress(&cinfo);
        out.create(int(cinfo.output_height), int(cinfo.output_width), cmyk ? CV_8UC4 : CV_8UC3);
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW row = out.ptr<JSAMPLE>(int(cinfo.output_scanline));
            jpeg_read_scanlines(&cinfo, &row, 1);
        }
        jpeg_finish_decompress(&cinfo);  // reads up to EOI (bytes after it are never looked at)
    });
    if (!ok) {
        const std::string detail = std::string("libjpeg: ") + fail.message;
        if (fail.code == JWRN_JPEG_EOF)
            throw io_error(where + ": truncated JPEG file (" + std::to_string(bytes.size()) +
                           " bytes, premature end of data; " + detail + "); expected a complete JPEG");
        if (fail.warning)
            throw io_error(where + ": corrupt JPEG data (" + detail +
                           "); decoder warnings are errors here, the decoded pixels would be wrong");
        throw io_error(where + ": cannot decode the JPEG (" + detail + ")");
    }
    if (cmyk) {  // as OpenCV's icvCvt_CMYK2BGR_8u_C4C3R (libjpeg writes Adobe's inverted CMYK)
        cv::Mat rgb(out.rows, out.cols, CV_8UC3);
        for (int y = 0; y < out.rows; ++y) {
            const std::uint8_t* s = out.ptr<std::uint8_t>(y);
            std::uint8_t* d = rgb.ptr<std::uint8_t>(y);
            for (int x = 0; x < out.cols; ++x, s += 4, d += 3) {
                const int k = s[3];
                for (int c = 0; c < 3; ++c) d[c] = static_cast<std::uint8_t>(k - ((255 - s[c]) * k >> 8));
            }
        }
        out = rgb;
    }
    apply_orientation(out, orientation);
    return out;
}

// ---- PNG ----------------------------------------------------------------------------------------

struct png_source {
    std::span<const std::uint8_t> bytes;
    std::size_t at;
    std::jmp_buf jump;
    char message[256];
    bool truncated, warning;
};

DERMTL_DECL void png_fail(png_structp png, png_const_charp message, bool warning) {
    auto* s = static_cast<png_source*>(png_get_error_ptr(png));
    std::snprintf(s->message, sizeof s->message, "%s", message ? message : "(no message)");
    s->warning = warning;
    std::longjmp(s->jump, 1);
}
DERMTL_DECL void png_on_error(png_structp png, png_const_charp message) { png_fail(png, message, false); }
     // libpng names the chunk a warning is about ("iCCP: known incorrect sRGB profile"); an ancillary
     // chunk (lower-case first letter) is metadata we do not use, so its warning is not an error.
     DERMTL_DECL void png_on_warning(png_structp png, png_const_charp message) {
    const bool ancillary = message && std::strlen(message) >= 5 && message[4] == ':' && message[0] >= 'a' &&
                           message[0] <= 'z';
    if (!ancillary) png_fail(png, message, true);
}
DERMTL_DECL void png_on_read(png_structp png, png_bytep data, png_size_t length) {
    auto* s = static_cast<png_source*>(png_get_io_ptr(png));
    if (s->bytes.size() - s->at < length) {
        s->truncated = true;
        png_error(png, "premature end of data");
    }
    std::memcpy(data, s->bytes.data() + s->at, length);
    s->at += length;
}

DERMTL_DECL cv::Mat decode_png(std::span<const std::uint8_t> bytes, const std::string& where,
                               const image_read_options& opt) {
    png_source src;
    std::memset(static_cast<void*>(&src), 0, sizeof src);
    src.bytes = bytes;
    // Created before the setjmp: neither calls the error callback (they return null instead).
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, &png_on_error, &png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    struct destroy_guard {
        png_structp png;
        png_infop info;
        ~destroy_guard() { if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
    } guard{png, info};
    if (!png || !info) throw io_error(where + ": libpng cannot start (out of memory?)");
    cv::Mat out;
    std::vector<png_bytep> rows;
    int bit_depth = 8, channels = 3;

    const bool ok = protect(src.jump, [&] {
        png_set_read_fn(png, &src, &png_on_read);
        png_read_info(png, info);
        check_size(png_get_image_width(png, info), png_get_image_height(png, info), "PNG", where, opt);
        const int color = png_get_color_type(png, info);
        bit_depth = png_get_bit_depth(png, info);
        if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
        if ((color & PNG_COLOR_MASK_COLOR) == 0 && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);  // tRNS is never expanded
        if ((color & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
        if (bit_depth == 16) png_set_swap(png);  // host order (x86-64: little-endian)
        png_set_interlace_handling(png);
        png_read_update_info(png, info);
        const auto h = png_get_image_height(png, info), w = png_get_image_width(png, info);
        channels = png_get_channels(png, info);  // 4 when libpng expanded a tRNS chunk to alpha
        if (channels != 3 && channels != 4) png_error(png, "unexpected channel count after the conversion to RGB");
        out.create(int(h), int(w), CV_MAKETYPE(bit_depth == 16 ? CV_16U : CV_8U, channels));
        if (png_get_rowbytes(png, info) != out.step[0]) png_error(png, "unexpected row size after the conversion to RGB");
        rows.resize(h);
        for (png_uint_32 y = 0; y < h; ++y) rows[y] = out.ptr<png_byte>(int(y));
        png_read_image(png, rows.data());
        png_read_end(png, nullptr);  // up to IEND (bytes after it are never looked at)
    });
    if (!ok) {
        const std::string detail = std::string("libpng: ") + src.message;
        if (src.truncated)
            throw io_error(where + ": truncated PNG file (" + std::to_string(bytes.size()) +
                           " bytes, premature end of data); expected a complete PNG ending with IEND");
        if (src.warning)
            throw io_error(where + ": corrupt PNG data (" + detail +
                           "); decoder warnings are errors here, the decoded pixels would be wrong");
        throw io_error(where + ": cannot decode the PNG: corrupt or invalid data (" + detail + ")");
    }
    if (bit_depth == 16) out.convertTo(out, CV_8U, 1.0 / 257.0);
    if (channels == 4) cv::cvtColor(out, out, cv::COLOR_RGBA2RGB);  // alpha dropped, not composited
    return out;
}

// ---- other formats: OpenCV ------------------------------------------------------------------

// TIFF, BMP and WebP (format_of said which), through cv::imdecode.
DERMTL_DECL cv::Mat decode_other(std::span<const std::uint8_t> bytes, image_format kind, const std::string& where,
                                 const image_read_options& opt) {
    const std::string format = name_of(kind);
    // OpenCV tries its DICOM decoder (GDCM: "DICM" at byte 128) before TIFF and WebP, whatever the
    // first bytes say; GDCM asserts, killing the process, on a damaged file.
    const bool dicom = bytes.size() >= 132 && std::equal(bytes.begin() + 128, bytes.begin() + 132, "DICM");
    if (kind != image_format::bmp && dicom)
        throw io_error(where + ": cannot decode the " + format +
                       " image: it also carries a DICOM signature ('DICM' at byte 128), which OpenCV would hand to "
                       "its DICOM reader; expected a plain " + readable_formats + " file");
    // The size from the header, checked before OpenCV allocates anything of it (its own cap,
    // OPENCV_IO_MAX_IMAGE_PIXELS, is 2^30 pixels whatever our limit is).
    std::string problem;
    const auto header = kind == image_format::tiff ? tiff_header_size(bytes, &problem)
                        : kind == image_format::bmp ? bmp_header_size(bytes, &problem)
                                                    : webp_header_size(bytes, &problem);
    if (!header)
        throw io_error(where + ": cannot read the " + format + " image's size from its header (" + problem +
                       "); not decoded");
    check_size(header->width, header->height, format.c_str(), where, opt);
    cv::Mat decoded;
    const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data()));
    try {
        decoded = cv::imdecode(buffer, cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
    } catch (const cv::Exception& e) {
        throw io_error(where + ": cannot decode the " + format + " image: " + e.what());
    }
    if (decoded.empty())
        throw io_error(where + ": cannot decode the " + format + " image (" + std::to_string(bytes.size()) +
                       " bytes): corrupt or invalid data");
    check_size(std::uint64_t(decoded.cols), std::uint64_t(decoded.rows), format.c_str(), where, opt);
    if (decoded.depth() == CV_16U) decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
    else if (decoded.depth() != CV_8U) decoded.convertTo(decoded, CV_8U);
    cv::Mat rgb;
    switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB); break;
    default: throw io_error(where + ": unsupported channel count " + std::to_string(decoded.channels()));
    }
    return rgb;
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

DERMTL_DECL cv::Mat decode_image(std::span<const std::uint8_t> bytes, const std::string& where,
                                 const image_read_options& opt) {
    if (bytes.empty()) throw io_error(where + ": empty image data (0 bytes)");
    using image_detail::image_format;
    switch (const auto kind = image_detail::format_of(bytes)) {
    case image_format::jpeg: return image_detail::decode_jpeg(bytes, where, opt);
    case image_format::png: return image_detail::decode_png(bytes, where, opt);
    case image_format::unknown:
        throw io_error(where + ": cannot decode the image: not a format dermtl reads (" + std::to_string(bytes.size()) +
                       " bytes, starting " + image_detail::first_bytes(bytes) + "); expected " +
                       image_detail::readable_formats + ", told by its first bytes, not its name");
    default: return image_detail::decode_other(bytes, kind, where, opt);
    }
}

}  // namespace dermtl::io
