// Reading an image into the network's input: the black-frame crop, the resize to the input size,
// mean subtraction and NCHW layout, the image cache (memory and disk), and fill_batch over a
// dataset. Decoding itself (read_image): test_image.cpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/data/batch.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "lesion_images.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using Catch::Contains;
using dermtl::testing::lesion_rgb;
using dermtl::testing::scratch_dir;
using dermtl::testing::truncate_file;

TEST_CASE("crop_black_frame: removes a frame, leaves frameless images alone", "[io][image]") {
    const cv::Mat inner = lesion_rgb(80, 60);
    cv::Mat framed(60 + 2 * 7, 80 + 2 * 11, CV_8UC3, cv::Scalar(3, 2, 4));
    inner.copyTo(framed(cv::Rect(11, 7, 80, 60)));
    const cv::Rect r = io::find_black_frame(framed);
    CHECK(r == cv::Rect(11, 7, 80, 60));
    CHECK(cv::norm(io::crop_black_frame(framed), inner, cv::NORM_INF) == 0);

    // Vignetted corners and a dark lesion touching nothing: unchanged.
    CHECK(io::find_black_frame(inner) == cv::Rect(0, 0, 80, 60));
    // An all-black image is returned unchanged rather than cropped to nothing.
    cv::Mat black(20, 20, CV_8UC3, cv::Scalar(0, 0, 0));
    CHECK(io::crop_black_frame(black).size() == black.size());
}

TEST_CASE("resize_to distorts the aspect ratio to the network input", "[io][image]") {
    const cv::Mat r = io::resize_to(lesion_rgb(300, 200), 224, 224);
    CHECK(r.size() == cv::Size(224, 224));
    CHECK(io::resize_to(lesion_rgb(20, 10), 64, 64).size() == cv::Size(64, 64));
}

TEST_CASE("mean subtraction and NCHW layout", "[io][image]") {
    cv::Mat a(2, 3, CV_8UC3, cv::Scalar(10, 20, 30)), b(2, 3, CV_8UC3, cv::Scalar(30, 40, 50));
    b.at<cv::Vec3b>(1, 2) = cv::Vec3b(130, 40, 50);
    io::mean_accumulator acc;
    acc.add(a);
    acc.add(b);
    const auto per_pixel = acc.result(io::mean_image::kind::per_pixel);
    const auto per_channel = acc.result(io::mean_image::kind::per_channel);
    CHECK(per_pixel.at(0, 0, 0) == Approx(20));
    CHECK(per_pixel.at(1, 2, 0) == Approx(70));
    CHECK(per_channel.is_per_channel());
    CHECK(per_channel.at(0, 0, 0) == Approx((20.0 * 5 + 70) / 6));
    CHECK(per_channel.at(0, 0, 2) == Approx(40));

    const host_tensor t = io::to_nchw({a, b}, per_pixel);
    REQUIRE(dims_of(t) == dims4{2, 3, 2, 3});
    CHECK(t(0, 0, 0, 0) == Approx(-10));  // R of a minus mean R
    CHECK(t(1, 2, 1, 1) == Approx(10));   // B of b minus mean B
    CHECK(t(1, 0, 1, 2) == Approx(60));

    // VGG-16's average image is 1x1x3 (RGB); VGG-M's 224x224x3 (here resized from 4x4).
    xt::xtensor<float, 3> vgg16 = {{{123.68f, 116.779f, 103.939f}}};
    const auto m16 = io::mean_image::from_average_image(vgg16, 3, 2);
    const host_tensor t16 = io::to_nchw({a}, m16);
    CHECK(t16(0, 1, 1, 1) == Approx(20 - 116.779f));
    xt::xtensor<float, 3> avg = xt::ones<float>({4, 4, 3}) * 50.0f;
    const auto mm = io::mean_image::from_average_image(avg, 3, 2);
    CHECK_FALSE(mm.is_per_channel());
    CHECK(mm.mat().size() == cv::Size(3, 2));
    CHECK(io::to_nchw({a}, mm)(0, 2, 0, 0) == Approx(-20));
    host_tensor wrong = host_tensor::from_shape({1, 3, 5, 5});
    CHECK_THROWS_AS(io::to_nchw(a, per_pixel, wrong, 0), shape_error);
}

TEST_CASE("image_cache: memory mode decodes each image once per budget", "[io][cache]") {
    scratch_dir dir("cache");
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < 6; ++i) {
        files.push_back(dir / ("img" + std::to_string(i) + ".jpg"));
        io::write_image(files.back(), lesion_rgb(50, 40, i));
    }
    io::image_cache_options opt;
    opt.preprocess.width = 32;
    opt.preprocess.height = 32;
    io::image_cache cache(opt);
    for (int epoch = 0; epoch < 3; ++epoch)
        for (const auto& f : files) {
            const cv::Mat m = cache.get(f);
            REQUIRE(m.size() == cv::Size(32, 32));
            if (epoch == 2) CHECK(cv::norm(m, io::load_preprocessed(f, opt.preprocess), cv::NORM_INF) == 0);
        }
    CHECK(cache.stats().decodes == 6);
    CHECK(cache.stats().memory_hits == 12);

    // A budget of two images: memory stays bounded, old entries are evicted (streaming).
    opt.memory_budget_bytes = 2 * 32 * 32 * 3;
    io::image_cache small(opt);
    for (int epoch = 0; epoch < 2; ++epoch)
        for (const auto& f : files) {
            small.get(f);
            CHECK(small.memory_bytes() <= opt.memory_budget_bytes);
        }
    CHECK(small.memory_entries() == 2);
    CHECK(small.stats().evictions == 10);
    CHECK(small.stats().decodes == 12);
}

TEST_CASE("image_cache: disk mode survives the process and matches a fresh decode", "[io][cache]") {
    scratch_dir dir("cache");
    const auto f = dir / "x.png";
    io::write_image(f, lesion_rgb(40, 30));
    io::image_cache_options opt;
    opt.storage = io::cache_storage::disk;
    opt.disk_dir = dir / "cache";
    opt.preprocess.width = opt.preprocess.height = 24;
    cv::Mat first;
    {
        io::image_cache c(opt);
        first = c.get(f).clone();
        CHECK(c.stats().decodes == 1);
    }
    io::image_cache again(opt);
    const cv::Mat second = again.get(f);
    CHECK(again.stats().decodes == 0);
    CHECK(again.stats().disk_hits == 1);
    CHECK(cv::norm(first, second, cv::NORM_INF) == 0);
    opt.preprocess.width = 16;  // other options: another entry
    io::image_cache other(opt);
    CHECK(other.get(f).cols == 16);
    CHECK(other.stats().decodes == 1);
    io::image_cache_options bad;
    bad.storage = io::cache_storage::disk;
    CHECK_THROWS_AS(io::image_cache(bad), config_error);
}

TEST_CASE("fill_batch: a dataset's images as one NCHW batch; bad images name the manifest line", "[io][batch]") {
    scratch_dir dir("batch");
    for (int i = 0; i < 3; ++i) io::write_image(dir / "img" / cv::format("s%d.jpg", i), lesion_rgb(30, 20, i));
    std::ofstream(dir / "labels.csv") << "image,level\ns0,0\ns1,1\ns2,1\n";
    data::label_csv_options lo;
    lo.image_dir = dir / "img";
    const auto d = data::read_label_csv(dir / "labels.csv", lo);
    io::image_cache_options opt;
    opt.preprocess.width = opt.preprocess.height = 16;
    io::image_cache cache(opt);
    const std::vector<std::size_t> idx{2, 0};
    const auto mean = data::training_mean(d, idx, cache, io::mean_image::kind::per_channel);
    host_tensor x;
    std::vector<int> y;
    data::fill_batch(d, idx, cache, mean, x, y);
    CHECK(dims_of(x) == dims4{2, 3, 16, 16});
    CHECK(y == std::vector<int>{1, 0});
    CHECK(std::abs(xt::mean(x)()) < 1e-3);  // per-channel mean of these two removed

    truncate_file(dir / "img" / "s1.jpg", 0.5);
    const std::vector<std::size_t> bad{1};
    CHECK_THROWS_WITH(data::fill_batch(d, bad, cache, mean, x, y),
                      Contains("s1.jpg") && Contains("labels.csv:3") && Contains("truncated"));
    CHECK(data::batches_of(std::vector<std::size_t>{0, 1, 2, 3, 4}, 2).size() == 3);
}
