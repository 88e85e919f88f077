// Definitions of io/image.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace dermtl::io {

namespace detail {

DERMTL_DECL std::string image_where(const std::filesystem::path& file, std::string_view listed_at) {
    std::string s = "read_image: " + file.string();
    if (!listed_at.empty()) s += " (listed at " + std::string(listed_at) + ")";
    return s;
}

}  // namespace detail

DERMTL_DECL cv::Mat read_image(const std::filesystem::path& file, const image_read_options& opt,
                               std::string_view listed_at) {
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

DERMTL_DECL cv::Mat read_image(const std::filesystem::path& file, std::string_view listed_at) {
    return read_image(file, image_read_options{}, listed_at);
}

// Writes an RGB uint8 image (format from the extension); io_error on failure.
DERMTL_DECL void write_image(const std::filesystem::path& file, const cv::Mat& rgb, int jpeg_quality) {
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

// The rectangle left after removing a black frame (the full image when there is none).
DERMTL_DECL cv::Rect find_black_frame(const cv::Mat& rgb, const frame_options& opt) {
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

DERMTL_DECL cv::Mat crop_black_frame(const cv::Mat& rgb, const frame_options& opt) {
    const cv::Rect r = find_black_frame(rgb, opt);
    if (r.width == rgb.cols && r.height == rgb.rows) return rgb;
    return rgb(r).clone();
}

// Resizes to exactly width x height, distorting the aspect ratio (the paper's choice).
// Area averaging when shrinking (no aliasing), bilinear when enlarging.
DERMTL_DECL cv::Mat resize_to(const cv::Mat& img, int width, int height) {
    if (img.cols == width && img.rows == height) return img;
    cv::Mat out;
    const bool shrink = width <= img.cols && height <= img.rows;
    cv::resize(img, out, cv::Size(width, height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

// read_image -> crop_black_frame (optional) -> resize_to (-> transpose, the reference's quirk):
// the network-ready uint8 RGB image.
DERMTL_DECL cv::Mat load_preprocessed(const std::filesystem::path& file, const preprocess_options& opt,
                                      std::string_view listed_at) {
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

// Writes `rgb` (uint8, H x W x 3) minus `mean` into batch slot n of `out` (N x 3 x H x W).
// Requires: out shaped [N, 3, H, W] with n < N; a per-pixel mean of size H x W.
DERMTL_DECL void to_nchw(const cv::Mat& rgb, const mean_image& mean, host_tensor& out, std::size_t n) {
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
DERMTL_DECL host_tensor to_nchw(const std::vector<cv::Mat>& images, const mean_image& mean) {
    if (images.empty()) throw shape_error("to_nchw: empty image list");
    host_tensor out = host_tensor::from_shape({images.size(), 3, static_cast<std::size_t>(images[0].rows),
                                               static_cast<std::size_t>(images[0].cols)});
    for (std::size_t i = 0; i < images.size(); ++i) to_nchw(images[i], mean, out, i);
    return out;
}

// A pretrained model's average image, H x W x 3 (RGB, e.g. MatConvNet's
// meta.normalization.averageImage: VGG-M 224x224x3, VGG-16 1x1x3). Resized to the input
// when its size differs and is not 1x1.
DERMTL_DECL mean_image mean_image::from_average_image(const xt::xtensor<float, 3>& hwc, int width, int height) {
    const auto& s = hwc.shape();
    if (s[2] != 3) throw shape_error("mean_image::from_average_image: expected H x W x 3, found last dimension " + std::to_string(s[2]));
    cv::Mat m(static_cast<int>(s[0]), static_cast<int>(s[1]), CV_32FC3);
    for (std::size_t y = 0; y < s[0]; ++y)
        for (std::size_t x = 0; x < s[1]; ++x)
            for (int c = 0; c < 3; ++c) m.at<cv::Vec3f>(static_cast<int>(y), static_cast<int>(x))[c] = hwc(y, x, static_cast<std::size_t>(c));
    if (m.rows != 1 || m.cols != 1) cv::resize(m, m, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    return mean_image(m);
}

DERMTL_DECL void mean_accumulator::add(const cv::Mat& rgb) {
    if (sum_.empty()) sum_ = cv::Mat::zeros(rgb.rows, rgb.cols, CV_64FC3);
    if (rgb.size() != sum_.size())
        throw shape_error("mean_accumulator: image " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
                          " differs from the first, " + std::to_string(sum_.cols) + "x" + std::to_string(sum_.rows));
    cv::Mat d;
    rgb.convertTo(d, CV_64FC3);
    sum_ += d;
    ++count_;
}

DERMTL_DECL mean_image mean_accumulator::result(mean_image::kind k) const {
    if (count_ == 0) throw config_error("mean_accumulator: no images added");
    cv::Mat m;
    sum_.convertTo(m, CV_32FC3, 1.0 / static_cast<double>(count_));
    if (k == mean_image::kind::per_channel) {
        const cv::Scalar c = cv::mean(m);
        return mean_image::per_channel(static_cast<float>(c[0]), static_cast<float>(c[1]), static_cast<float>(c[2]));
    }
    return mean_image(m);
}

}  // namespace dermtl::io
