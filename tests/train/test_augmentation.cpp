#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/data/reference_folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/train/augmentation.hpp"
#include "support/oracle.hpp"
#include "train/images.hpp"

using namespace dermtl;
using dermtl::testing::all;
using dermtl::testing::pattern;
using dermtl::testing::scratch_dir;

namespace {
data::dataset imbalanced(const scratch_dir& dir, std::vector<int> counts) {
    std::ofstream csv(dir / "labels.csv");
    csv << "image,level\n";
    int n = 0;
    for (int label = 0; label < static_cast<int>(counts.size()); ++label)
        for (int k = 0; k < counts[static_cast<std::size_t>(label)]; ++k, ++n) {
            std::string id = "s";  // (appended: `"s" + std::to_string(n)` trips GCC 12's bogus -Wrestrict)
            id += std::to_string(n);
            io::write_image(dir / "img" / (id + ".png"), pattern(40, 36, n));
            csv << id << "," << label << "\n";
        }
    csv.close();
    data::label_csv_options o;
    o.image_dir = dir / "img";
    return data::read_label_csv(dir / "labels.csv", o);
}
}  // namespace

TEST_CASE("augmentation: identity and flips are exact, sizes kept", "[train][augmentation]") {
    const cv::Mat img = pattern(32, 24, 0);
    train::augmentation_params p;
    CHECK(cv::norm(train::apply_augmentation(img, p), img, cv::NORM_INF) == 0);
    p.flip_horizontal = true;
    cv::Mat flipped;
    cv::flip(img, flipped, 1);
    CHECK(cv::norm(train::apply_augmentation(img, p), flipped, cv::NORM_INF) == 0);
    // A 90-degree rotation of a square image equals OpenCV's exact rotation (up to interpolation at the edges).
    const cv::Mat sq = pattern(33, 33, 1);
    train::augmentation_params r90;
    r90.rotation_deg = 90;
    cv::Mat rotated, a = train::apply_augmentation(sq, r90);
    cv::rotate(sq, rotated, cv::ROTATE_90_CLOCKWISE);
    cv::Mat b;
    cv::rotate(sq, b, cv::ROTATE_90_COUNTERCLOCKWISE);
    const double d1 = cv::norm(a(cv::Rect(2, 2, 29, 29)), rotated(cv::Rect(2, 2, 29, 29)), cv::NORM_INF);
    const double d2 = cv::norm(a(cv::Rect(2, 2, 29, 29)), b(cv::Rect(2, 2, 29, 29)), cv::NORM_INF);
    CHECK(std::min(d1, d2) <= 1);
    rng r(5);
    train::augmentation_options o;
    o.max_shear_deg = 15;
    o.max_translation = 0.1f;
    for (int i = 0; i < 20; ++i) {
        const auto q = train::draw_augmentation(r, o);
        CHECK(q.rotation_deg >= 0);
        CHECK(q.rotation_deg < 360);
        CHECK(q.scale >= 1 / 1.15f - 1e-5f);
        CHECK(q.scale <= 1.15f + 1e-5f);
        CHECK(std::abs(q.shear_deg) <= 15);
        CHECK(train::apply_augmentation(img, q).size() == img.size());
    }
}

TEST_CASE("balancing: minority classes oversampled until class counts are equal", "[train][augmentation]") {
    scratch_dir dir("aug");
    const auto d = imbalanced(dir, {20, 7, 3});
    const auto idx = all(d);
    const auto plan = train::balanced_epoch(d, idx, 42, 0);
    const auto counts = train::class_counts(d, plan);
    REQUIRE(counts.size() == 3);
    for (const auto& [label, n] : counts) CHECK(n == 20);
    std::size_t augmented = 0;
    for (const auto& p : plan) {
        augmented += p.augmented;
        if (p.augmented) CHECK(d[p.index].label != 0);  // only minority classes are augmented
    }
    CHECK(augmented == 13 + 17);
    // Copies are spread evenly over the minority originals: each of the 3 gets 5 or 6 copies.
    std::vector<int> copies(d.size(), 0);
    for (const auto& p : plan) copies[p.index] += p.augmented;
    for (std::size_t i = 27; i < 30; ++i) CHECK((copies[i] == 5 || copies[i] == 6));

    train::balance_options all_aug;
    all_aug.augment_all = true;
    for (const auto& p : train::balanced_epoch(d, idx, 42, 0, all_aug)) CHECK(p.augmented);
    train::balance_options none;
    none.balance = false;
    CHECK(train::balanced_epoch(d, idx, 42, 0, none).size() == 30);
}

TEST_CASE("augmentation: same seed -> byte-identical batches, other seeds differ", "[train][augmentation]") {
    scratch_dir dir("aug");
    const auto d = imbalanced(dir, {12, 4});
    const auto idx = all(d);
    io::image_cache_options co;
    co.preprocess.width = co.preprocess.height = 32;
    auto batch_bytes = [&](std::uint64_t seed, std::uint64_t epoch, io::cache_storage storage) {
        io::image_cache_options c = co;
        c.storage = storage;
        io::image_cache cache(c);
        const auto plan = train::balanced_epoch(d, idx, seed, epoch);
        train::augmentation_options aug;
        aug.max_shear_deg = 10;
        host_tensor x;
        std::vector<int> y;
        std::vector<float> all_bytes;
        for (auto b = std::size_t{0}; b < plan.size(); b += 8) {
            const std::span<const train::plan_item> items(plan.data() + b, std::min<std::size_t>(8, plan.size() - b));
            train::fill_augmented_batch(d, items, cache, io::mean_image::per_channel(120, 100, 90), aug, x, y);
            all_bytes.insert(all_bytes.end(), x.begin(), x.end());
        }
        return all_bytes;
    };
    const auto a = batch_bytes(7, 0, io::cache_storage::memory);
    const auto b = batch_bytes(7, 0, io::cache_storage::none);  // independent of caching
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    const auto c = batch_bytes(8, 0, io::cache_storage::memory);
    const auto e = batch_bytes(7, 1, io::cache_storage::memory);
    REQUIRE(c.size() == a.size());
    CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) != 0);
    CHECK(std::memcmp(a.data(), e.data(), a.size() * sizeof(float)) != 0);  // another epoch, another sequence
}
