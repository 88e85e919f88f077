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
    const auto header = header_dimensions(bytes, &problem);  // TIFF's, BMP's or WebP's, as format_of said
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
