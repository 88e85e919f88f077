#pragma once
// The image pipeline: decode, black-frame crop, resize to the network input, mean subtraction,
// float32 NCHW.
//
// Conventions: images travel as cv::Mat CV_8UC3 in RGB order (OpenCV decodes BGR; read_image
// converts), so they match the RGB average images of MatConvNet's VGG models. Network input is
// float32 NCHW (dermtl::host_tensor), channel 0 = R, values in [0,255] minus the mean.
//
// read_image   requires a JPEG, PNG, TIFF, BMP or WebP file (told by its first bytes); ensures an RGB
//              uint8 image, or io_error naming the file (and the manifest line it was listed at,
//              when given) for a missing, empty, truncated, corrupt or undecodable file, one whose
//              header claims more than image_read_options::max_pixels, or one smaller than
//              image_read_options::min_side (io/image_decode.hpp says how each format is read).
// crop_black_frame  removes a black rectangular frame (the Atlas' CD images have one; the paper
//              trimmed it with ImageMagick): rows/columns at the border where nearly all pixels
//              are dark are dropped. Frameless images (dark vignetted corners included) are
//              returned unchanged because their border rows are not uniformly dark.
// resize_to    distorts the aspect ratio to fit exactly, as the paper does (224x224 for VGG).
// mean_image   per-pixel (HxWx3) or per-channel (1x1x3) mean, computed from training images or
//              given (a pretrained model's average image).
// The non-template code is defined in impl/image.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <xtensor/xtensor.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/io/image_decode.hpp"

namespace dermtl::io {

DERMTL_DECL cv::Mat read_image(const std::filesystem::path& file, const image_read_options& opt,
                               std::string_view listed_at = {});
DERMTL_DECL cv::Mat read_image(const std::filesystem::path& file, std::string_view listed_at = {});

// Writes an RGB uint8 image (format from the extension); io_error on failure.
DERMTL_DECL void write_image(const std::filesystem::path& file, const cv::Mat& rgb, int jpeg_quality = 92);

struct frame_options {
    int dark_threshold = 40;        // a pixel is dark when all channels are <= this
    double dark_fraction = 0.97;    // a border row/column is frame when this fraction is dark
    double max_crop_fraction = 0.4; // never remove more than this of the width or height per side
};

// The rectangle left after removing a black frame (the full image when there is none).
DERMTL_DECL cv::Rect find_black_frame(const cv::Mat& rgb, const frame_options& opt = {});

DERMTL_DECL cv::Mat crop_black_frame(const cv::Mat& rgb, const frame_options& opt = {});

// Resizes to exactly width x height, distorting the aspect ratio (the paper's choice).
// Area averaging when shrinking (no aliasing), bilinear when enlarging.
DERMTL_DECL cv::Mat resize_to(const cv::Mat& img, int width, int height);

struct preprocess_options {
    int width = 224, height = 224;  // the network's input (VGG: 224x224)
    bool crop_frame = true;
    frame_options frame;
    image_read_options read;  // limits on the files themselves (pixel cap, minimum side)
    // The reference code's quirk (protocol/training.hpp, reference_quirks): its load_image
    // transposes every image (the network sees C x W x H). Off by default, even in its protocol.
    bool transpose = false;
};

// read_image -> crop_black_frame (optional) -> resize_to (-> transpose, the reference's quirk):
// the network-ready uint8 RGB image.
DERMTL_DECL cv::Mat load_preprocessed(const std::filesystem::path& file, const preprocess_options& opt = {},
                                      std::string_view listed_at = {});

// The mean subtracted from every input.
class mean_image {
public:
    enum class kind { per_pixel, per_channel };

    mean_image() = default;
    // Requires: `hwc` CV_32FC3 RGB, either 1x1 (per channel) or the input size (per pixel).
    explicit mean_image(cv::Mat hwc) : mean_(std::move(hwc)) {
        if (mean_.type() != CV_32FC3) throw shape_error("mean_image: expected a CV_32FC3 RGB mean image");
    }
    static mean_image per_channel(float r, float g, float b) { return mean_image(cv::Mat(1, 1, CV_32FC3, cv::Scalar(r, g, b))); }
    static mean_image zero() { return per_channel(0, 0, 0); }

    // A pretrained model's average image, H x W x 3 (RGB, e.g. MatConvNet's
    // meta.normalization.averageImage: VGG-M 224x224x3, VGG-16 1x1x3). Resized to the input
    // when its size differs and is not 1x1.
    static DERMTL_DECL mean_image from_average_image(const xt::xtensor<float, 3>& hwc, int width, int height);

    bool is_per_channel() const { return mean_.rows == 1 && mean_.cols == 1; }
    const cv::Mat& mat() const { return mean_; }
    // Mean of channel c at (y, x).
    float at(int y, int x, int c) const {
        return is_per_channel() ? mean_.at<cv::Vec3f>(0, 0)[c] : mean_.at<cv::Vec3f>(y, x)[c];
    }

private:
    cv::Mat mean_ = cv::Mat(1, 1, CV_32FC3, cv::Scalar(0, 0, 0));
};

// Accumulates training images (already preprocessed, all the same size) into a mean.
class mean_accumulator {
public:
    DERMTL_DECL void add(const cv::Mat& rgb);
    std::size_t count() const { return count_; }
    DERMTL_DECL mean_image result(mean_image::kind k) const;

private:
    cv::Mat sum_;
    std::size_t count_ = 0;
};

// Writes `rgb` (uint8, H x W x 3) minus `mean` into batch slot n of `out` (N x 3 x H x W).
// Requires: out shaped [N, 3, H, W] with n < N; a per-pixel mean of size H x W.
DERMTL_DECL void to_nchw(const cv::Mat& rgb, const mean_image& mean, host_tensor& out, std::size_t n);

// A batch from a list of same-size images.
DERMTL_DECL host_tensor to_nchw(const std::vector<cv::Mat>& images, const mean_image& mean);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/image.ipp"
#endif
