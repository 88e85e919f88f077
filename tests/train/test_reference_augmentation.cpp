// The reference implementation's augmentation and resampling (melanoma-transfer), and the
// paper presets unchanged: checked against an independent SciPy oracle, by statistics of the
// draws, and against a frozen copy of the paper's code as it was before the reference's options.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <xtensor/xarray.hpp>

#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/train/augmentation.hpp"
#include "frozen_main_augmentation.hpp"
#include "support/oracle.hpp"
#include "train/images.hpp"

using namespace dermtl;
using dermtl::testing::all;
using dermtl::testing::pattern;
using dermtl::testing::scratch_dir;

namespace {
data::dataset labelled(const std::vector<int>& counts) {
    data::dataset d;
    d.name = "counts";
    for (int label = 0; label < int(counts.size()); ++label) {
        std::string name = "c";  // (appended: `"c" + std::to_string(n)` trips GCC 12's bogus -Wrestrict)
        name += std::to_string(label);
        d.class_names.push_back(name);
        for (int k = 0; k < counts[std::size_t(label)]; ++k) {
            data::sample s;
            s.id = "s";
            s.id += std::to_string(d.samples.size());
            s.label = label;
            d.samples.push_back(s);
        }
    }
    return d;
}
// Random float image (every pixel distinct with probability ~1), so a nearest-neighbour warp
// that picks a wrong pixel shows.
cv::Mat random_image(int rows, int cols, std::uint64_t seed) {
    cv::Mat m(rows, cols, CV_32FC3);
    rng r(seed);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            for (int c = 0; c < 3; ++c) m.at<cv::Vec3f>(y, x)[c] = 1 + 254 * r.uniform();
    return m;
}
// Kolmogorov-Smirnov distance of samples from U(0, 1).
double ks_uniform(std::vector<double> u) {
    std::sort(u.begin(), u.end());
    double d = 0;
    const double n = double(u.size());
    for (std::size_t i = 0; i < u.size(); ++i)
        d = std::max({d, std::abs(double(i + 1) / n - u[i]), std::abs(u[i] - double(i) / n)});
    return d;
}
bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
    if (a.size() != b.size() || a.type() != b.type() || !a.isContinuous() || !b.isContinuous()) return false;
    return std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0;
}
}  // namespace

TEST_CASE("reference warp: matches the reference's skimage transform warped by SciPy (order 0, zero fill)",
          "[train][augmentation][reference][oracle]") {
    // Not square (37 rows, 50 columns), so a swapped axis or centre shows.
    const cv::Mat img = random_image(37, 50, 3);
    struct fixed {
        float zoom_x, zoom_y, rotation, shear, shift_x, shift_y;
        bool flip;
    };
    const std::vector<fixed> cases = {{1.2f, 0.85f, 37.3f, 12.1f, 0.08f, -0.05f, false},
                                      {0.8f, 1.1f, 200.7f, -25.3f, -0.1f, 0.12f, true},
                                      {1.27f, 1.03f, 311.9f, 28.2f, 0.13f, 0.02f, true},
                                      {0.78f, 0.79f, 93.1f, -4.4f, -0.03f, -0.11f, false}};
    scratch_dir dir("refwarp");
    xt::xarray<float> arr = xt::zeros<float>({std::size_t(img.rows), std::size_t(img.cols), std::size_t(3)});
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x)
            for (int c = 0; c < 3; ++c) arr(y, x, c) = img.at<cv::Vec3f>(y, x)[c];
    testing::save_npy(dir / "image.npy", arr);
    nlohmann::json js = nlohmann::json::array();
    std::vector<train::augmentation_params> params;
    for (const auto& f : cases) {
        train::augmentation_params p;
        p.scale = std::sqrt(f.zoom_x * f.zoom_y);
        p.stretch = std::sqrt(f.zoom_x / f.zoom_y);
        p.rotation_deg = f.rotation;
        p.shear_deg = f.shear;
        p.shift_x = f.shift_x;
        p.shift_y = f.shift_y;
        p.flip_horizontal = f.flip;
        params.push_back(p);
        // The reference's parameters: zooms, degrees, and its translation in pixels of its axes
        // (x along the image's rows, y along its columns).
        js.push_back({{"zoom_x", double(p.zoom_x())}, {"zoom_y", double(p.zoom_y())}, {"rotation", double(p.rotation_deg)},
                      {"shear", double(p.shear_deg)}, {"tx", double(p.shift_x) * img.rows},
                      {"ty", double(p.shift_y) * img.cols}, {"flip", f.flip}});
    }
    std::ofstream(dir / "cases.json") << js.dump();
    testing::run_oracle("scipy_reference_warp.py", {dir.path().string()});
    const auto ref = train::reference_augmentation();
    for (std::size_t k = 0; k < params.size(); ++k) {
        CAPTURE(k);
        const cv::Mat ours = train::apply_augmentation(img, params[k], ref);
        REQUIRE(ours.size() == img.size());
        REQUIRE(ours.type() == img.type());
        const auto want = testing::load_npy<float>(dir / ("out_" + std::to_string(k) + ".npy"));
        REQUIRE(want.shape()[0] == std::size_t(img.rows));
        REQUIRE(want.shape()[1] == std::size_t(img.cols));
        std::size_t differ = 0, zero = 0, moved = 0;
        for (int y = 0; y < img.rows; ++y)
            for (int x = 0; x < img.cols; ++x) {
                const cv::Vec3f o = ours.at<cv::Vec3f>(y, x);
                bool same = true;
                for (int c = 0; c < 3; ++c) same &= o[c] == want(y, x, c);
                differ += !same;
                zero += o[0] == 0 && o[1] == 0 && o[2] == 0;
                moved += o != img.at<cv::Vec3f>(y, x);
            }
        const std::size_t n = std::size_t(img.rows) * std::size_t(img.cols);
        // Nearest neighbour copies pixels exactly, so the two agree wherever the nearest pixel is
        // unambiguous. They may differ only where a mapped position lies within rounding error
        // (~1e-13 px, the two compute the matrix in different orders) of a half-pixel tie: for
        // these generic parameters that is a vanishing fraction; 3 of 1850 pixels leaves room for
        // such ties, while any error in the transform (an axis, a sign, the centre, the edge
        // rule) changes tens to hundreds of pixels.
        CHECK(differ <= n / 500);
        CHECK(zero > 0);         // the zero fill outside the image is used
        CHECK(moved > n / 2);    // and the image really moved
    }
}

TEST_CASE("reference preset: what the reference's vgg_224 aug_params say", "[train][augmentation][reference]") {
    const auto o = train::reference_augmentation();
    CHECK(o.max_scale == 1.3f);
    CHECK(o.independent_zoom);
    CHECK(o.max_rotation_deg == 360.0f);
    CHECK(o.max_shear_deg == 30.0f);
    CHECK(std::abs(o.max_translation * 224 - 30) < 1e-4);
    CHECK(o.horizontal_flip);
    CHECK_FALSE(o.vertical_flip);
    CHECK(o.interp == train::interpolation::nearest);
    CHECK(o.border_mode == cv::BORDER_CONSTANT);
    CHECK(o.model == train::warp_model::reference);
    CHECK(train::paper_augmentation() == train::augmentation_options{});
    CHECK(train::paper_balance() == train::balance_options{});
    const auto b = train::reference_balance();
    CHECK(b.kind == train::balance_kind::resample);
    CHECK(b.augment_all);
    CHECK(b.balance);
    CHECK(b.class_weights.empty());
}

TEST_CASE("reference draws: ranges, log-uniform independent zooms, uniform angles and shifts, flip rate",
          "[train][augmentation][reference]") {
    const auto o = train::reference_augmentation();
    rng r(2024);
    constexpr std::size_t n = 20000;
    std::vector<double> zx, zy, rot, shear, sx, sy;
    std::size_t flips = 0, vflips = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto p = train::draw_augmentation(r, o);
        const double lx = std::log(double(p.zoom_x())) / std::log(1.3), ly = std::log(double(p.zoom_y())) / std::log(1.3);
        REQUIRE(std::abs(lx) <= 1 + 1e-5);
        REQUIRE(std::abs(ly) <= 1 + 1e-5);
        REQUIRE(p.rotation_deg >= 0);
        REQUIRE(p.rotation_deg < 360);
        REQUIRE(std::abs(p.shear_deg) <= 30);
        REQUIRE(std::abs(p.shift_x * 224) <= 30 + 1e-3);
        REQUIRE(std::abs(p.shift_y * 224) <= 30 + 1e-3);
        zx.push_back((lx + 1) / 2);
        zy.push_back((ly + 1) / 2);
        rot.push_back(p.rotation_deg / 360.0);
        shear.push_back((p.shear_deg + 30) / 60.0);
        sx.push_back((p.shift_x * 224 + 30) / 60.0);
        sy.push_back((p.shift_y * 224 + 30) / 60.0);
        flips += p.flip_horizontal;
        vflips += p.flip_vertical;
    }
    // Kolmogorov-Smirnov against U(0, 1): the asymptotic critical value at alpha = 0.001 is
    // 1.949 / sqrt(n) (~0.0138 here); a wrong range or a linear (not log) zoom exceeds it by far.
    const double ks = 1.949 / std::sqrt(double(n));
    CHECK(ks_uniform(zx) < ks);
    CHECK(ks_uniform(zy) < ks);
    CHECK(ks_uniform(rot) < ks);
    CHECK(ks_uniform(shear) < ks);
    CHECK(ks_uniform(sx) < ks);
    CHECK(ks_uniform(sy) < ks);
    // Independent zooms: the correlation of the log zooms is ~N(0, 1/n); 4 sigma.
    double mx = 0, my = 0, cxy = 0, vx = 0, vy = 0;
    for (std::size_t i = 0; i < n; ++i) mx += zx[i], my += zy[i];
    mx /= n, my /= n;
    for (std::size_t i = 0; i < n; ++i) {
        cxy += (zx[i] - mx) * (zy[i] - my);
        vx += (zx[i] - mx) * (zx[i] - mx);
        vy += (zy[i] - my) * (zy[i] - my);
    }
    CHECK(std::abs(cxy / std::sqrt(vx * vy)) < 4 / std::sqrt(double(n)));
    // Flip with probability 1/2: binomial, 4 sigma (sigma = 0.5 / sqrt(n)).
    CHECK(std::abs(double(flips) / n - 0.5) < 4 * 0.5 / std::sqrt(double(n)));
    CHECK(vflips == 0);  // the reference has one flip

    // max_stretch (the reference's allow_stretch=float): x zoom / y zoom = s^2, s log-uniform.
    train::augmentation_options st = train::paper_augmentation();
    st.max_stretch = 1.2f;
    std::vector<double> s;
    for (std::size_t i = 0; i < n; ++i) {
        const auto p = train::draw_augmentation(r, st);
        const double l = std::log(double(p.stretch)) / std::log(1.2);
        REQUIRE(std::abs(l) <= 1 + 1e-5);
        s.push_back((l + 1) / 2);
    }
    CHECK(ks_uniform(s) < ks);
}

TEST_CASE("reference warp: nearest-neighbour copies pixels, identity and flips exact, other borders",
          "[train][augmentation][reference]") {
    const cv::Mat img = pattern(40, 30, 2);
    auto ref = train::reference_augmentation();
    // No motion: the reference model's identity copies the image.
    train::augmentation_params id;
    CHECK(same_bytes(train::apply_augmentation(img, id, ref), img));
    // Its flip (rotation and shear + 180 in its transposed axes) flips the image's rows.
    train::augmentation_params f;
    f.flip_horizontal = true;
    cv::Mat flipped;
    cv::flip(img, flipped, 0);
    CHECK(same_bytes(train::apply_augmentation(img, f, ref), flipped));
    // Every output pixel is an input pixel or zero (no interpolation).
    rng r(9);
    for (int k = 0; k < 10; ++k) {
        const auto p = train::draw_augmentation(r, ref);
        const cv::Mat out = train::apply_augmentation(img, p, ref);
        std::set<std::array<unsigned char, 3>> colours;
        for (int y = 0; y < img.rows; ++y)
            for (int x = 0; x < img.cols; ++x) {
                const auto c = img.at<cv::Vec3b>(y, x);
                colours.insert({c[0], c[1], c[2]});
            }
        colours.insert({0, 0, 0});
        for (int y = 0; y < out.rows; ++y)
            for (int x = 0; x < out.cols; ++x) {
                const auto c = out.at<cv::Vec3b>(y, x);
                CHECK(colours.count({c[0], c[1], c[2]}) == 1);
            }
        // With reflected borders nothing is black.
        auto reflect = ref;
        reflect.border_mode = cv::BORDER_REFLECT_101;
        const cv::Mat rout = train::apply_augmentation(img, p, reflect);
        for (int y = 0; y < rout.rows; ++y)
            for (int x = 0; x < rout.cols; ++x) CHECK(rout.at<cv::Vec3b>(y, x) != cv::Vec3b(0, 0, 0));
    }
    auto transparent = ref;
    transparent.border_mode = cv::BORDER_TRANSPARENT;
    CHECK_THROWS_AS(train::apply_augmentation(img, train::draw_augmentation(r, ref), transparent), config_error);
}

TEST_CASE("reference resampling: majority whole, as many drawn with replacement from the minorities by weight",
          "[train][augmentation][reference]") {
    // Labels 0, 1, 2 with 5, 40, 12 items: label 1 is the majority.
    const auto d = labelled({5, 40, 12});
    const auto idx = all(d);
    const auto opt = train::reference_balance();
    std::map<std::size_t, std::size_t> drawn_per_item;
    std::size_t drawn_total = 0;
    constexpr std::size_t epochs = 500;
    for (std::size_t e = 0; e < epochs; ++e) {
        const auto plan = train::balanced_epoch(d, idx, 77, e, opt);
        REQUIRE(plan.size() == 80);
        std::vector<int> seen(d.size(), 0);
        for (const auto& p : plan) {
            ++seen[p.index];
            CHECK(p.augmented);  // the reference augments every item
        }
        for (std::size_t i = 5; i < 45; ++i) REQUIRE(seen[i] == 1);  // the majority whole, once each
        std::size_t drawn = 0;
        bool repeated = false;
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (d[i].label == 1) continue;
            drawn += std::size_t(seen[i]);
            repeated |= seen[i] > 1;
            drawn_per_item[i] += std::size_t(seen[i]);
        }
        REQUIRE(drawn == 40);  // as many as the majority, only from the minorities
        CHECK(repeated);       // with replacement (17 items, 40 draws)
        drawn_total += drawn;
    }
    // Default weights (1 / class count, what the reference's settings.py weights imply): every
    // minority item has probability 1 / (2 n_label) per draw, so each minority class gets half.
    // Pearson chi-square over the 17 minority items, 16 degrees of freedom: the 0.999 quantile
    // of chi-square(16) is 39.25 (table value); a wrong weighting (e.g. per item instead of per
    // class: 5/17 vs 1/2 for label 0) gives thousands.
    double chi2 = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (d[i].label == 1) continue;
        const double expect = double(drawn_total) / (2.0 * (d[i].label == 0 ? 5 : 12));
        const double got = double(drawn_per_item[i]);
        chi2 += (got - expect) * (got - expect) / expect;
    }
    CHECK(chi2 < 39.25);

    // Given weights (the reference's per-item p = weight of the item's class): {3, -, 1} makes
    // label 0's share 3*5 / (3*5 + 1*12) = 15/27. Chi-square over the two classes, 1 degree of
    // freedom: 0.999 quantile 10.83.
    auto weighted = opt;
    weighted.class_weights = {3.0, 100.0, 1.0};  // the majority's weight is not used
    std::size_t label0 = 0, total = 0;
    for (std::size_t e = 0; e < epochs; ++e)
        for (const auto& p : train::balanced_epoch(d, idx, 5, e, weighted)) {
            if (d[p.index].label == 1) continue;
            label0 += d[p.index].label == 0;
            ++total;
        }
    const double e0 = double(total) * 15.0 / 27.0, e2 = double(total) * 12.0 / 27.0;
    const double c2 = (double(label0) - e0) * (double(label0) - e0) / e0 +
                      (double(total - label0) - e2) * (double(total - label0) - e2) / e2;
    CHECK(c2 < 10.83);

    // Deterministic per (seed, epoch); other epochs and seeds differ.
    CHECK(train::balanced_epoch(d, idx, 77, 3, opt) == train::balanced_epoch(d, idx, 77, 3, opt));
    CHECK(train::balanced_epoch(d, idx, 77, 3, opt) != train::balanced_epoch(d, idx, 77, 4, opt));
    CHECK(train::balanced_epoch(d, idx, 77, 3, opt) != train::balanced_epoch(d, idx, 78, 3, opt));
    // Without augment_all only the drawn items are augmented.
    auto some = opt;
    some.augment_all = false;
    for (const auto& p : train::balanced_epoch(d, idx, 1, 0, some)) CHECK(p.augmented == (d[p.index].label != 1));
    // Without balance: every item once.
    auto none = opt;
    none.balance = false;
    CHECK(train::balanced_epoch(d, idx, 1, 0, none).size() == d.size());
}

TEST_CASE("reference resampling: ties, one class, bad weights", "[train][augmentation][reference]") {
    const auto opt = train::reference_balance();
    // Two largest classes: the lowest label is kept whole, the other is drawn from.
    const auto tie = labelled({10, 10, 3});
    const auto plan = train::balanced_epoch(tie, all(tie), 1, 0, opt);
    CHECK(plan.size() == 20);
    std::vector<int> seen(tie.size(), 0);
    for (const auto& p : plan) ++seen[p.index];
    for (std::size_t i = 0; i < 10; ++i) CHECK(seen[i] == 1);
    // One class: nothing to draw from, the class once.
    const auto one = labelled({6});
    CHECK(train::balanced_epoch(one, all(one), 1, 0, opt).size() == 6);
    const auto d = labelled({5, 40, 12});
    auto short_weights = opt;
    short_weights.class_weights = {1.0, 1.0};
    CHECK_THROWS_AS(train::balanced_epoch(d, all(d), 1, 0, short_weights), config_error);
    auto zero = opt;
    zero.class_weights = {0.0, 1.0, 0.0};
    CHECK_THROWS_AS(train::balanced_epoch(d, all(d), 1, 0, zero), config_error);
    auto negative = opt;
    negative.class_weights = {1.0, 1.0, -1.0};
    CHECK_THROWS_AS(train::balanced_epoch(d, all(d), 1, 0, negative), config_error);
}

TEST_CASE("paper presets: draws, images and plans byte-identical to main's code", "[train][augmentation][paper]") {
    // Draws: the same parameters from the same stream, with the paper's and with shear/translation on.
    for (auto variant : {0, 1}) {
        auto now = train::paper_augmentation();
        frozen_main::augmentation_options then;
        if (variant == 1) now.max_shear_deg = then.max_shear_deg = 15, now.max_translation = then.max_translation = 0.1f;
        rng a(11 + variant), b(11 + variant);
        const cv::Mat img = pattern(36, 28, 1);
        for (int k = 0; k < 200; ++k) {
            const auto p = train::draw_augmentation(a, now);
            const auto q = frozen_main::draw_augmentation(b, then);
            REQUIRE(p.scale == q.scale);
            REQUIRE(p.rotation_deg == q.rotation_deg);
            REQUIRE(p.shear_deg == q.shear_deg);
            REQUIRE(p.shift_x == q.shift_x);
            REQUIRE(p.shift_y == q.shift_y);
            REQUIRE(p.flip_horizontal == q.flip_horizontal);
            REQUIRE(p.flip_vertical == q.flip_vertical);
            REQUIRE(p.stretch == 1);
            REQUIRE(same_bytes(train::apply_augmentation(img, p, now), frozen_main::apply_augmentation(img, q, then.border_mode)));
            REQUIRE(same_bytes(train::apply_augmentation(img, p), frozen_main::apply_augmentation(img, q)));
        }
        REQUIRE(a == b);  // and the streams advanced alike
    }
    // Plans: the default, augment_all and no balancing, over seeds and epochs.
    const auto d = labelled({20, 7, 3});
    const auto idx = all(d);
    for (int variant = 0; variant < 4; ++variant) {
        auto now = train::paper_balance();
        frozen_main::frozen_balance_options then;
        if (variant == 1) now.augment_all = then.augment_all = true;
        if (variant == 2) now.balance = then.balance = false;
        if (variant == 3) now.shuffle = then.shuffle = false;
        for (std::uint64_t seed : {0ull, 42ull})
            for (std::uint64_t e = 0; e < 3; ++e)
                REQUIRE(train::balanced_epoch(d, idx, seed, e, now) == frozen_main::balanced_epoch(d, idx, seed, e, then));
    }
}

TEST_CASE("fingerprint: the paper presets' JSON is exactly as before; the reference's adds its fields",
          "[train][augmentation][fingerprint]") {
    // As protocol/fingerprint.hpp wrote them before the reference's options.
    const frozen_main::augmentation_options a;
    const nlohmann::json paper_aug = {{"max_scale", a.max_scale},       {"max_rotation_deg", a.max_rotation_deg},
                                      {"horizontal_flip", a.horizontal_flip}, {"vertical_flip", a.vertical_flip},
                                      {"max_shear_deg", a.max_shear_deg}, {"max_translation", a.max_translation},
                                      {"border_mode", a.border_mode}};
    const nlohmann::json paper_bal = {{"balance", true}, {"augment_all", false}, {"shuffle", true}};
    CHECK(protocol::augmentation_json(train::paper_augmentation()).dump() == paper_aug.dump());
    CHECK(protocol::augmentation_json(train::augmentation_options{}).dump() == paper_aug.dump());
    CHECK(protocol::balance_json(train::paper_balance()).dump() == paper_bal.dump());
    CHECK(protocol::balance_json(train::balance_options{}).dump() == paper_bal.dump());
    const auto ra = protocol::augmentation_json(train::reference_augmentation());
    CHECK(ra.at("interpolation") == "nearest");
    CHECK(ra.at("warp_model") == "reference");
    CHECK(ra.at("independent_zoom") == true);
    CHECK(ra.at("border_mode") == cv::BORDER_CONSTANT);
    CHECK_FALSE(ra.contains("max_stretch"));
    const auto rb = protocol::balance_json(train::reference_balance());
    CHECK(rb.at("kind") == "resample");
    CHECK(rb.at("augment_all") == true);
    CHECK_FALSE(rb.contains("class_weights"));
    auto w = train::reference_balance();
    w.class_weights = {23.2142, 3.6792, 1.4595};
    CHECK(protocol::balance_json(w).at("class_weights").size() == 3);
}
