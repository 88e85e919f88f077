#pragma once
// Helpers for the data tests: tiny images and text files written in a scratch folder.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/files.hpp"  // testing::write_text
#include "support/oracle.hpp"

namespace dermtl::testing {

inline std::filesystem::path fixture(const std::string& name) { return tests_dir() / "data" / "fixtures" / name; }

// A small image with a colour derived from `seed`, written in the format the extension names.
inline void write_image(const std::filesystem::path& p, int seed = 0, int w = 16, int h = 12) {
    std::filesystem::create_directories(p.parent_path());
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(40 + seed * 37 % 200, 90 + seed * 11 % 150, 160 - seed * 7 % 120));
    cv::rectangle(m, cv::Rect(w / 4, h / 4, w / 2, h / 2), cv::Scalar(20, 30, 40), cv::FILLED);
    if (!cv::imwrite(p.string(), m)) throw std::runtime_error("cannot write test image " + p.string());
}

}  // namespace dermtl::testing
