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
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <xtensor/xtensor.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/io/image_decode.hpp"

namespace dermtl::io {

namespace detail {
inline std::string image_where(const std::filesystem::path& file, std::string_view listed_at) {
    std::string s = "read_image: " + file.string();
    if (!listed_at.empty()) s += " (listed at " + std::string(listed_at) + ")";
    return s;
}
}  // namespace detail

inline cv::Mat read_image(const std::filesystem::path& file, const image_read_options& opt,
                          std::string_view listed_at = {}) {
    const std::string where = detail::image_where(file, listed_at);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw io_error(where + ": image file not found");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw io_error(where + ": cannot open image file");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw io_error(where + ": reading the image file failed");
    if (bytes.empty()) throw io_error(where + ": empty image file (0 bytes)");
    return decode_image(bytes, where, opt);
}
inline cv::Mat read_image(const std::filesystem::path& file, std::string_view listed_at = {}) {
    return read_image(file, image_read_options{}, listed_at);
}

// Writes an RGB uint8 image (format from the extension); io_error on failure.
inline void write_image(const std::filesystem::path& file, const cv::Mat& rgb, int jpeg_quality = 92) {
    if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path());
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    bool ok = false;
    try {
        ok = cv::imwrite(file.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
    } catch (const cv::Exception& e) {
        throw io_error("write_image: " + file.string() + ": " + e.what());
    }
    if (!ok) throw io_error("write_image: " + file.string() + ": cannot write (unsupported extension or folder?)");
}

struct frame_options {
    int dark_threshold = 40;        // a pixel is dark when all channels are <= this
    double dark_fraction = 0.97;    // a border row/column is frame when this fraction is dark
    double max_crop_fraction = 0.4; // never remove more than this of the width or height per side
};

// The rectangle left after removing a black frame (the full image when there is none).
inline cv::Rect find_black_frame(const cv::Mat& rgb, const frame_options& opt = {}) {
    CV_Assert(rgb.type() == CV_8UC3);
    cv::Mat maxc;
    {
        std::vector<cv::Mat> ch;
        cv::split(rgb, ch);
        maxc = cv::max(cv::max(ch[0], ch[1]), ch[2]);
    }
    cv::Mat dark = maxc <= opt.dark_threshold;  // 255 where dark
    cv::Mat row_sum, col_sum;
    cv::reduce(dark, row_sum, 1, cv::REDUCE_SUM, CV_64F);  // rows x 1
    cv::reduce(dark, col_sum, 0, cv::REDUCE_SUM, CV_64F);  // 1 x cols
    const int h = rgb.rows, w = rgb.cols;
    auto row_dark = [&](int y) { return row_sum.at<double>(y, 0) / 255.0 >= opt.dark_fraction * w; };
    auto col_dark = [&](int x) { return col_sum.at<double>(0, x) / 255.0 >= opt.dark_fraction * h; };
    const int max_y = static_cast<int>(opt.max_crop_fraction * h), max_x = static_cast<int>(opt.max_crop_fraction * w);
    int top = 0, bottom = 0, left = 0, right = 0;
    while (top < max_y && row_dark(top)) ++top;
    while (bottom < max_y && row_dark(h - 1 - bottom)) ++bottom;
    while (left < max_x && col_dark(left)) ++left;
    while (right < max_x && col_dark(w - 1 - right)) ++right;
    // A "frame" reaching the limit is not a frame (a dark image, a huge dark lesion): keep that side.
    if (top >= max_y) top = 0;
    if (bottom >= max_y) bottom = 0;
    if (left >= max_x) left = 0;
    if (right >= max_x) right = 0;
    if (top + bottom >= h || left + right >= w) return {0, 0, w, h};
    return {left, top, w - left - right, h - top - bottom};
}

inline cv::Mat crop_black_frame(const cv::Mat& rgb, const frame_options& opt = {}) {
    const cv::Rect r = find_black_frame(rgb, opt);
    if (r.width == rgb.cols && r.height == rgb.rows) return rgb;
    return rgb(r).clone();
}

// Resizes to exactly width x height, distorting the aspect ratio (the paper's choice).
// Area averaging when shrinking (no aliasing), bilinear when enlarging.
inline cv::Mat resize_to(const cv::Mat& img, int width, int height) {
    if (img.cols == width && img.rows == height) return img;
    cv::Mat out;
    const bool shrink = width <= img.cols && height <= img.rows;
    cv::resize(img, out, cv::Size(width, height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

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
inline cv::Mat load_preprocessed(const std::filesystem::path& file, const preprocess_options& opt = {},
                                 std::string_view listed_at = {}) {
    cv::Mat img = read_image(file, opt.read, listed_at);
    if (opt.crop_frame) img = crop_black_frame(img, opt.frame);
    img = resize_to(img, opt.width, opt.height);
    if (opt.transpose) {
        cv::Mat t;
        cv::transpose(img, t);
        return t;
    }
    return img;
}

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
    static mean_image from_average_image(const xt::xtensor<float, 3>& hwc, int width, int height) {
        const auto& s = hwc.shape();
        if (s[2] != 3) throw shape_error("mean_image::from_average_image: expected H x W x 3, found last dimension " + std::to_string(s[2]));
        cv::Mat m(static_cast<int>(s[0]), static_cast<int>(s[1]), CV_32FC3);
        for (std::size_t y = 0; y < s[0]; ++y)
            for (std::size_t x = 0; x < s[1]; ++x)
                for (int c = 0; c < 3; ++c) m.at<cv::Vec3f>(static_cast<int>(y), static_cast<int>(x))[c] = hwc(y, x, static_cast<std::size_t>(c));
        if (m.rows != 1 || m.cols != 1) cv::resize(m, m, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
        return mean_image(m);
    }

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
    void add(const cv::Mat& rgb) {
        if (sum_.empty()) sum_ = cv::Mat::zeros(rgb.rows, rgb.cols, CV_64FC3);
        if (rgb.size() != sum_.size())
            throw shape_error("mean_accumulator: image " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
                              " differs from the first, " + std::to_string(sum_.cols) + "x" + std::to_string(sum_.rows));
        cv::Mat d;
        rgb.convertTo(d, CV_64FC3);
        sum_ += d;
        ++count_;
    }
    std::size_t count() const { return count_; }
    mean_image result(mean_image::kind k) const {
        if (count_ == 0) throw config_error("mean_accumulator: no images added");
        cv::Mat m;
        sum_.convertTo(m, CV_32FC3, 1.0 / static_cast<double>(count_));
        if (k == mean_image::kind::per_channel) {
            const cv::Scalar c = cv::mean(m);
            return mean_image::per_channel(static_cast<float>(c[0]), static_cast<float>(c[1]), static_cast<float>(c[2]));
        }
        return mean_image(m);
    }

private:
    cv::Mat sum_;
    std::size_t count_ = 0;
};

// Writes `rgb` (uint8, H x W x 3) minus `mean` into batch slot n of `out` (N x 3 x H x W).
// Requires: out shaped [N, 3, H, W] with n < N; a per-pixel mean of size H x W.
inline void to_nchw(const cv::Mat& rgb, const mean_image& mean, host_tensor& out, std::size_t n) {
    const auto d = dims_of(out);
    if (rgb.type() != CV_8UC3 || static_cast<std::size_t>(rgb.rows) != d[2] || static_cast<std::size_t>(rgb.cols) != d[3] ||
        d[1] != 3 || n >= d[0])
        throw shape_error("to_nchw: image " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) + "x" +
                          std::to_string(rgb.channels()) + " (slot " + std::to_string(n) + ") does not fit batch " + describe(d));
    if (!mean.is_per_channel() && (mean.mat().rows != rgb.rows || mean.mat().cols != rgb.cols))
        throw shape_error("to_nchw: mean image " + std::to_string(mean.mat().cols) + "x" + std::to_string(mean.mat().rows) +
                          " differs from input " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows));
    const std::size_t plane = d[2] * d[3];
    float* base = out.data() + n * 3 * plane;
    for (int y = 0; y < rgb.rows; ++y) {
        const auto* row = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < rgb.cols; ++x) {
            const std::size_t p = static_cast<std::size_t>(y) * d[3] + static_cast<std::size_t>(x);
            for (int c = 0; c < 3; ++c) base[static_cast<std::size_t>(c) * plane + p] = static_cast<float>(row[x][c]) - mean.at(y, x, c);
        }
    }
}

// A batch from a list of same-size images.
inline host_tensor to_nchw(const std::vector<cv::Mat>& images, const mean_image& mean) {
    if (images.empty()) throw shape_error("to_nchw: empty image list");
    host_tensor out = host_tensor::from_shape({images.size(), 3, static_cast<std::size_t>(images[0].rows),
                                               static_cast<std::size_t>(images[0].cols)});
    for (std::size_t i = 0; i < images.size(); ++i) to_nchw(images[i], mean, out, i);
    return out;
}

}  // namespace dermtl::io
