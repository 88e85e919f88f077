// Images and index lists the augmentation tests (test_augmentation.cpp, test_reference_augmentation.cpp)
// share: one definition, as their files compile in one translation unit (DERMTL_TESTS_UNITY_BATCH).
#pragma once

#include <cstddef>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/data/dataset.hpp"

namespace dermtl::testing {

// An 8-bit colour image with a disc and a bar: asymmetric, so a flip or a wrong crop shows.
inline cv::Mat pattern(int w, int h, int seed) {
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(200, 150 + seed, 120));
    cv::circle(m, cv::Point(w / 3, h / 2), w / 5, cv::Scalar(80, 40, 20 + seed), cv::FILLED);
    cv::rectangle(m, cv::Rect(w / 2, h / 4, w / 4, h / 6), cv::Scalar(30, 90, 160), cv::FILLED);
    return m;
}

// Every index of a dataset, in order.
inline std::vector<std::size_t> all(const data::dataset& d) {
    std::vector<std::size_t> v(d.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
}

}  // namespace dermtl::testing
