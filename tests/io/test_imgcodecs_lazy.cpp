// apps/lazy_load/imgcodecs_lazy.cpp: OpenCV's image codecs (and the ~130 libraries Debian's build
// of them brings) are not mapped when a process starts, only when it first encodes or decodes;
// then the codecs answer as OpenCV's, and a codec library that cannot be loaded is a clear error.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support/files.hpp"  // dermtl::testing::mapped_in_this_process

TEST_CASE("OpenCV's codecs are mapped only at the first encode, and then round-trip an image", "[io][lazy]") {
    cv::Mat image(7, 5, CV_8UC3);
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(30 * y), uchar(40 * x), uchar(x + y));
    if (const char* other = std::getenv("DERMTL_IMGCODECS_LIBRARY"); other && *other) {
        // The failure path (the second registration of this test): the library cannot be loaded.
        std::vector<uchar> png;
        try {
            cv::imencode(".png", image, png);
            FAIL("cv::imencode succeeded without its library");
        } catch (const cv::Exception& e) {
            const std::string what = e.what();
            CHECK(what.find("image codecs could not be loaded for cv::imencode") != std::string::npos);
            CHECK(what.find(other) != std::string::npos);
        }
        CHECK_FALSE(dermtl::testing::mapped_in_this_process("libopencv_imgcodecs"));
        return;
    }
    REQUIRE_FALSE(dermtl::testing::mapped_in_this_process("libopencv_imgcodecs"));
    REQUIRE_FALSE(dermtl::testing::mapped_in_this_process("libgdal"));
    std::vector<uchar> png;
    REQUIRE(cv::imencode(".png", image, png));
    CHECK(dermtl::testing::mapped_in_this_process("libopencv_imgcodecs"));
    REQUIRE(png.size() > 8);
    CHECK(png[1] == 'P');
    const cv::Mat back = cv::imdecode(png, cv::IMREAD_COLOR);
    REQUIRE(back.size() == image.size());
    CHECK(cv::norm(back, image, cv::NORM_INF) == 0);
}
