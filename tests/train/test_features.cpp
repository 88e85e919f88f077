// fc7 features: eval mode, batched, L2-normalized rows, whatever the batch size; a dataset's
// features with their ids, ready for io::save_features (the file format is tests/io/test_features.cpp's).
#include "io/tiny_nets.hpp"
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <xtensor/xview.hpp>

#include "dermtl/io/features.hpp"
#include "dermtl/train/features.hpp"

using namespace dermtl;
namespace fs = std::filesystem;

namespace {
using tiny = testing::tiny_vgg<2, 8>;
using network = nn::network<tiny, backend::cpu>;
}  // namespace

TEST_CASE("features are relu7 outputs in eval mode, L2-normalized, whatever the batch size", "[train][features]") {
    network net(5);
    const host_tensor x = testing::random_images(7, 1);
    const svm::feature_matrix f = train::extract_features(net, x, {.batch_size = 3});
    REQUIRE(f.rows() == 7);
    REQUIRE(f.cols() == 8);
    // Reference: one sample at a time through the tap, normalized here.
    for (std::size_t i = 0; i < 7; ++i) {
        host_tensor one = xt::view(x, xt::range(i, i + 1), xt::all(), xt::all(), xt::all());
        const host_tensor tap = net.features<"fc7">(one);
        double norm = 0;
        for (float v : tap) norm += double(v) * v;
        norm = std::sqrt(norm);
        double row = 0;
        for (Eigen::Index j = 0; j < f.cols(); ++j) {
            row += double(f(Eigen::Index(i), j)) * f(Eigen::Index(i), j);
            CHECK(f(Eigen::Index(i), j) == Approx(norm > 0 ? tap.data()[j] / norm : 0.0).margin(1e-6));
            CHECK(f(Eigen::Index(i), j) >= 0.0f);  // after the ReLU
        }
        if (norm > 0) CHECK(row == Approx(1.0).epsilon(1e-5));
    }
    // Eval mode: no dropout, so the same input gives the same features (up to the float rounding
    // of another batch size's matrix blocking), and exactly the same with the same batch size.
    CHECK(train::extract_features(net, x, {.batch_size = 7}).isApprox(f, 1e-6f));
    CHECK(train::extract_features(net, x, {.batch_size = 3}) == f);
    const svm::feature_matrix raw = train::extract_features(net, x, {.batch_size = 2, .l2_normalize = false});
    CHECK(raw.row(0).norm() != Approx(1.0f));
    CHECK_THROWS_AS(train::extract_features(net, x, {.batch_size = 0}), config_error);
}

TEST_CASE("features of a dataset's images, saved as .npy + ids and read back", "[train][features]") {
    testing::scratch_dir dir("features");
    data::dataset d;
    d.name = "tiny";
    d.class_names = {"benign", "malignant"};
    rng gen(3);
    for (int i = 0; i < 5; ++i) {
        cv::Mat img(20, 24, CV_8UC3);
        for (auto it = img.begin<cv::Vec3b>(); it != img.end<cv::Vec3b>(); ++it)
            *it = cv::Vec3b(uchar(gen.below(256)), uchar(gen.below(256)), uchar(gen.below(256)));
        const fs::path file = dir / ("ISIC_000000" + std::to_string(i) + ".png");
        cv::imwrite(file.string(), img);
        data::sample s;
        s.id = "ISIC_000000" + std::to_string(i);
        s.image = file;
        s.label = i % 2;
        d.samples.push_back(s);
    }
    io::image_cache_options cache_opt;
    cache_opt.preprocess.width = cache_opt.preprocess.height = 16;
    cache_opt.preprocess.crop_frame = false;
    io::image_cache cache(cache_opt);
    const auto mean = io::mean_image::per_channel(120, 110, 100);
    const std::vector<std::size_t> order{4, 0, 2};
    network net(8);
    const io::feature_set f = train::extract_features(net, d, order, cache, mean, {.batch_size = 2});
    CHECK(f.ids == std::vector<std::string>{"ISIC_0000004", "ISIC_0000000", "ISIC_0000002"});

    // The same rows as the in-memory path on the same batch.
    host_tensor images;
    std::vector<int> labels;
    data::fill_batch(d, order, cache, mean, images, labels);
    CHECK(train::extract_features(net, images).isApprox(f.values, 1e-6f));

    const fs::path file = dir / "fc7.npy";
    io::save_features(file, f);
    const io::feature_set back = io::load_features(file);
    CHECK(back.ids == f.ids);
    CHECK(back.values == f.values);
    CHECK_THROWS_AS(train::extract_features(net, d, std::vector<std::size_t>{5}, cache, mean), config_error);
}
