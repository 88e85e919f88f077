#pragma once
// Decoding an image file's bytes, with the checks OpenCV's cv::imdecode cannot make.
//
// JPEG and PNG go through libjpeg(-turbo) and libpng directly, so that
//   - the pixel count and the sides are checked from the header (jpeg_read_header, png_read_info)
//     before anything of the image's size is allocated: a small file claiming 20000x20000 is
//     rejected, not decoded at 1.2 GB;
//   - decoder warnings are errors: libjpeg's "Corrupt JPEG data: ..." and "Premature end of JPEG
//     file", libpng's warnings about pixel data, which cv::imdecode prints (without the file's
//     name) and then returns the damaged image as if it were fine. Warnings about a PNG's
//     ancillary chunks (iCCP, tEXt, ..., named by libpng as "iCCP: ...") are not errors: we ignore
//     those chunks (as OpenCV does), so the pixels are what the file holds;
//   - trailing bytes after a complete image (JPEG's EOI, PNG's IEND) are accepted: many real files
//     carry them (camera and editor trailers) and the image itself is complete;
//   - a file that ends before its image does is "truncated".
// TIFF, BMP and WebP are decoded by cv::imdecode, but only after their size has been read from the
// header by our own small parsers (header_dimensions, io/image_header.hpp: TIFF's IFD0
// ImageWidth/ImageLength in either byte order, BMP's BITMAPINFOHEADER or old core header, WebP's
// VP8, VP8L or VP8X chunk) and checked as for JPEG and PNG; a header of these formats whose size
// cannot be read is refused undecoded.
// The decoded size is checked again afterwards. Any other file is refused by its first bytes:
// cv::imdecode's other decoders (DICOM, HDR, PFM, EXR, ...) are not dermtl's.
//
// The result is exactly what the OpenCV path gave (tests/io/test_image.cpp compares them bit for
// bit): RGB CV_8UC3; gray replicated; alpha and tRNS dropped (not composited); palette expanded;
// 16-bit scaled by 1/257 and rounded; CMYK converted as OpenCV converts it; no gamma or ICC
// conversion; a JPEG's EXIF orientation applied.
//
// Error handling across C: both libraries report errors through callbacks that must not return.
// Ours longjmp back to a setjmp in a small frame (`protect`) whose only job is that, and the code
// between them creates no C++ objects with destructors, so the jump skips no destructor; a C++
// exception thrown by our own code between library calls (a rejected header) unwinds normally.
// The non-template code is defined in impl/image_decode.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/io/image_header.hpp"

namespace dermtl::io {

// What read_image accepts beyond "a valid image file".
struct image_read_options {
    // Largest width x height decoded, checked from the header. 50 megapixels is four times the
    // largest images the paper's data sets hold (ISIC ~4000x3000 = 12 MP, Kaggle DR ~3500x2300 =
    // 8 MP) and about twice the largest ISIC archive images (~6700x4500 = 30 MP); decoding one
    // takes ~150 MB (uint8 RGB). Raise it for larger images.
    std::uint64_t max_pixels = 50'000'000;
    // What raises max_pixels, named in the message that refuses an image (a program sets its
    // command-line option here; never part of any key or fingerprint).
    std::string_view max_pixels_option = "image_read_options::max_pixels";
    // Smallest width and height accepted: a 1x1 or 4x4 "image" stretched to the network's 224x224
    // input is not a lesion image (a placeholder, an icon, a failed export).
    int min_side = 8;
};

// Decodes an image file's bytes (format from its magic bytes, not its name) to RGB CV_8UC3.
// Requires: `where` names the operation and the file ("read_image: a.jpg (listed at labels.csv:4)").
// Ensures: the image, at most opt.max_pixels and at least opt.min_side on each side; otherwise
// io_error prefixed by `where`, saying what was wrong (size and option, truncated, corrupt data
// with the decoder's message, undecodable).
DERMTL_DECL cv::Mat decode_image(std::span<const std::uint8_t> bytes, const std::string& where,
                                 const image_read_options& opt = {});

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/image_decode.ipp"
#endif
