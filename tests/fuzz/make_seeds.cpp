// Writes the binary seeds of tests/fuzz/corpus/ (run once by hand; the outputs are checked in):
//   make_seeds <corpus folder>
// mat/         the small net (fuzz_nets.hpp) through save_matconvnet: compressed with a per-pixel
//              average image and class names; uncompressed, no softmax, per-channel average image
// checkpoint/  the small net and its SGD state through write_checkpoint, with a trainer record in
//              `extra` as the trainer writes it; and one without velocity or record
// image/       8x8 RGB PNG, 8x8 grey PNG, 8x8 JPEG, 16x16 JPEG with a black frame; the formats OpenCV
//              decodes after dermtl's header parsers (io/image_decode.hpp): 8x8 RGB TIFF (LZW) and
//              grey TIFF (uncompressed), 8x8 RGB BMP and grey (palette) BMP, 8x8 lossy and lossless WebP
// results/     fold results through results_store::save: two-class and three-class
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/io/checkpoint.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/train/epoch_record.hpp"
#include "dermtl/train/sgd.hpp"
#include "fuzz_nets.hpp"

namespace fs = std::filesystem;
using namespace dermtl;

namespace {

void mat_seeds(const fs::path& dir) {
    fs::create_directories(dir);
    fuzz::small_network net(7);
    io::matconvnet_export_options opt;
    opt.average_image = xt::xtensor<float, 3>::from_shape({8, 8, 3});
    for (std::size_t i = 0; i < opt.average_image.size(); ++i) opt.average_image.data()[i] = float(100 + i % 50);
    opt.class_names = {"benign", "melanoma"};
    opt.class_descriptions = {"benign lesion", "melanoma"};
    io::save_matconvnet(dir / "small-compressed.mat", net, opt);
    io::matconvnet_export_options plain;
    plain.compress = false;
    plain.append_softmax = false;
    plain.average_image = xt::xtensor<float, 3>::from_shape({1, 1, 3});
    plain.average_image(0, 0, 0) = 123.f, plain.average_image(0, 0, 1) = 117.f, plain.average_image(0, 0, 2) = 104.f;
    io::save_matconvnet(dir / "small-uncompressed.mat", net, plain);
}

void checkpoint_seeds(const fs::path& dir) {
    fs::create_directories(dir);
    fuzz::small_network net(11);
    train::sgd_nesterov<fuzz::small_network> opt(net, {.learning_rate = 0.01f, .momentum = 0.9f, .l2 = 5e-4f});
    io::checkpoint c = io::make_checkpoint(net, opt, 2);
    c.best_weights = c.weights;
    train::trainer_record r{.seed = 7, .batch_size = 4, .sgd = {}, .best_epoch = 2, .best_val_loss = 0.61, .history = {}};
    r.history.push_back({.epoch = 1, .epochs = 3, .train_loss = 0.7, .val_loss = 0.65, .val_auc = 0.6,
                         .images_per_second = 100, .seconds = 1, .eta_seconds = 2, .train_images = 8,
                         .val_images = 2, .best = true});
    r.history.push_back({.epoch = 2, .epochs = 3, .train_loss = 0.6, .val_loss = 0.61, .val_auc = NAN,
                         .images_per_second = 100, .seconds = 1, .eta_seconds = 1, .train_images = 8,
                         .val_images = 2, .best = true});
    c.extra = train::write_trainer_record(r);
    io::write_checkpoint(dir / "small-epoch2.ckpt", c);
    c.velocity.clear();
    c.best_weights.clear();
    c.extra.clear();
    io::write_checkpoint(dir / "small-weights-only.ckpt", c);
}

void image_seeds(const fs::path& dir) {
    fs::create_directories(dir);
    cv::Mat rgb(8, 8, CV_8UC3);
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) rgb.at<cv::Vec3b>(y, x) = {uchar(30 * x), uchar(30 * y), uchar(200 - 20 * x)};
    io::write_image(dir / "rgb-8x8.png", rgb);
    io::write_image(dir / "rgb-8x8.jpg", rgb, 80);
    cv::Mat grey;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    if (!cv::imwrite((dir / "grey-8x8.png").string(), grey)) throw std::runtime_error("cannot write grey-8x8.png");
    cv::Mat framed(16, 16, CV_8UC3, cv::Scalar(0, 0, 0));
    cv::resize(rgb, framed(cv::Rect(3, 3, 10, 10)), cv::Size(10, 10));
    io::write_image(dir / "black-frame-16x16.jpg", framed, 80);
    // TIFF, BMP and WebP: OpenCV's own encoders, BGR as OpenCV takes it.
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    const std::pair<const char*, std::pair<const cv::Mat*, std::vector<int>>> others[] = {
        {"rgb-8x8.tif", {&bgr, {}}},
        {"grey-8x8-uncompressed.tif", {&grey, {cv::IMWRITE_TIFF_COMPRESSION, 1}}},
        {"rgb-8x8.bmp", {&bgr, {}}},
        {"grey-8x8.bmp", {&grey, {}}},
        {"rgb-8x8-lossy.webp", {&bgr, {cv::IMWRITE_WEBP_QUALITY, 80}}},
        {"rgb-8x8-lossless.webp", {&bgr, {cv::IMWRITE_WEBP_QUALITY, 101}}},
    };
    for (const auto& [name, image] : others)
        if (!cv::imwrite((dir / name).string(), *image.first, image.second))
            throw std::runtime_error(std::string("cannot write ") + name);
}

void results_seeds(const fs::path& dir) {
    const protocol::results_store store(dir);
    protocol::fold_result two;
    two.fold = "Fold_1";
    two.ids = {"ISIC_0000000", "ISIC_0000001", "ISIC_0000002", "ISIC_0000003"};
    two.predictions.labels = {0, 1, 0, 1};
    two.predictions.scores.resize(4, 1);
    two.predictions.scores << -1.5, 0.7, 0.2, 2.0;
    two.predictions.strata = {0, 1, 2, 0};
    two.auc = 0.75;
    two.chosen_c = 0.01;
    two.confidences = {0.1, 0.6, 0.5, 0.9};
    two.best_epoch = 3;
    two.seconds = 12.5;
    two.config = {{"seed", 7}, {"epochs", 3}};
    store.save(two);
    protocol::fold_result three = two;
    three.fold = "Fold_2";
    three.predictions.labels = {0, 1, 2, 1};
    three.predictions.scores.resize(4, 3);
    three.predictions.scores << 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.3, 0.4, 0.3;
    three.confidences.clear();
    three.config = nlohmann::json::object();
    store.save(three);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds <corpus folder>\n");
        return 2;
    }
    const fs::path out = argv[1];
    mat_seeds(out / "mat");
    checkpoint_seeds(out / "checkpoint");
    image_seeds(out / "image");
    results_seeds(out / "results");
    std::printf("make_seeds: wrote the binary seeds under %s\n", out.c_str());
    return 0;
}
