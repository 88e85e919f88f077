#pragma once
// Images the io tests write: a synthetic lesion in the real formats' pixels, and truncated files.
#include <algorithm>
#include <cstdint>
#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace dermtl::testing {

// A skin-toned image with a dark lesion and dark vignetted corners (no frame).
inline cv::Mat lesion_rgb(int w, int h, int seed = 0) {
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(210, 160 + seed, 130));
    cv::ellipse(m, cv::Point(w / 2, h / 2), cv::Size(w / 4, h / 5), 10.0 * seed, 0, 360, cv::Scalar(90, 50, 30), cv::FILLED);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double dx = (x - w / 2.0) / (w / 2.0), dy = (y - h / 2.0) / (h / 2.0);
            const double v = std::max(0.0, 1.0 - 0.6 * std::max(0.0, dx * dx + dy * dy - 0.9));
            m.at<cv::Vec3b>(y, x) = m.at<cv::Vec3b>(y, x) * v;
        }
    return m;
}
inline void truncate_file(const std::filesystem::path& p, double keep) {
    const auto n = std::filesystem::file_size(p);
    std::filesystem::resize_file(p, static_cast<std::uintmax_t>(keep * static_cast<double>(n)));
}

}  // namespace dermtl::testing
