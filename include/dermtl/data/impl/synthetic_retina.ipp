// Definitions of data/synthetic_retina.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/synthetic_retina.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "dermtl/data/synthetic_canvas.hpp"

namespace dermtl::data {

namespace detail {

// Poisson draw by inversion (small means), from dermtl::rng.
DERMTL_DECL int poisson(rng& r, double mean) {
    if (mean <= 0) return 0;
    const double l = std::exp(-mean);
    int k = 0;
    double p = 1;
    do {
        ++k;
        p *= r.uniform_double();
    } while (p > l && k < 1000);
    return k - 1;
}

}  // namespace detail

DERMTL_DECL cv::Mat render_fundus(int grade, bool left_eye, int size, rng& r) {
    using namespace synth;
    if (grade < 0 || grade > 4) throw config_error("render_fundus: grade must be 0..4, got " + std::to_string(grade));
    const int S = size;
    const float Sf = static_cast<float>(S);
    cv::Mat canvas(S, S, CV_32FC3, cv::Scalar(0, 0, 0));
    const cv::Point2f c(Sf / 2 + r.uniform(-0.02f, 0.02f) * Sf, Sf / 2 + r.uniform(-0.02f, 0.02f) * Sf);
    const float R = Sf * r.uniform(0.43f, 0.48f);
    const cv::Vec3f base(r.uniform(0.65f, 0.85f), r.uniform(0.25f, 0.38f), r.uniform(0.08f, 0.16f));
    const cv::Mat illum = smooth_noise(S, S, Sf / 3, r), tex = smooth_noise(S, S, Sf / 25, r);
    const float side = left_eye ? 1.0f : -1.0f;
    const cv::Point2f disc = c + cv::Point2f(side * R * r.uniform(0.42f, 0.55f), R * r.uniform(-0.08f, 0.08f));
    const cv::Point2f macula = c - cv::Point2f(side * R * r.uniform(0.1f, 0.2f), 0);
    cv::Mat inside(S, S, CV_32F);
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x) {
            const float d = std::hypot(x + 0.5f - c.x, y + 0.5f - c.y);
            const float m = clamp01((R - d) / 1.5f + 0.5f);
            inside.at<float>(y, x) = m;
            if (m <= 0) continue;
            const float fall = 1 - 0.45f * std::pow(d / R, 3.0f);
            const float dm = std::hypot(x - macula.x, y - macula.y) / (0.18f * R);
            const float mac = 1 - 0.3f * std::exp(-dm * dm);
            canvas.at<cv::Vec3f>(y, x) = base * (fall * mac * (1 + 0.12f * illum.at<float>(y, x) + 0.03f * tex.at<float>(y, x))) * m;
        }
    blot(canvas, disc, 0.11f * R, cv::Vec3f(0.98f, 0.9f, 0.6f), 0.9f, 0.6f);
    // Vessels: arcades leaving the disc up and down, towards the macula, and nasally.
    cv::Mat cover = cv::Mat::zeros(S, S, CV_32F);
    const float toward = left_eye ? std::numbers::pi_v<float> : 0.0f;
    for (float a0 : {toward - 0.9f, toward + 0.9f, toward - 0.4f, toward + 0.4f, toward + std::numbers::pi_v<float> - 0.6f,
                     toward + std::numbers::pi_v<float> + 0.6f})
        vessel_tree(cover, disc, a0 + r.uniform(-0.15f, 0.15f), R * r.uniform(0.8f, 1.2f), std::max(1.0f, Sf / 70), 2, 0.07f, r, &inside);
    paint(canvas, cover, cv::Vec3f(0.45f, 0.06f, 0.05f), 0.6f);

    auto random_point = [&](float min_r, float max_r) {
        const float ang = r.uniform(0, 2 * std::numbers::pi_v<float>), rad = R * std::sqrt(r.uniform(min_r * min_r, max_r * max_r));
        return c + cv::Point2f(rad * std::cos(ang), rad * std::sin(ang));
    };
    static constexpr std::array<double, 5> microaneurysms = {0.3, 4, 8, 12, 13}, haemorrhages = {0, 0.3, 3, 8, 9},
                                           exudates = {0, 0.2, 3, 7, 8}, cotton_wool = {0, 0, 0.4, 2, 2.5};
    const auto g = static_cast<std::size_t>(grade);
    const float dot = std::max(0.7f, Sf * 0.007f);
    for (int i = 0, n = detail::poisson(r, microaneurysms[g]); i < n; ++i)
        blot(canvas, random_point(0.1f, 0.85f), dot * r.uniform(0.8f, 1.3f), cv::Vec3f(0.4f, 0.03f, 0.03f), 0.9f);
    for (int i = 0, n = detail::poisson(r, haemorrhages[g]); i < n; ++i)
        blot(canvas, random_point(0.1f, 0.9f), Sf * r.uniform(0.012f, 0.03f), cv::Vec3f(0.35f, 0.03f, 0.03f), 0.85f);
    for (int i = 0, n = detail::poisson(r, exudates[g]); i < n; ++i) {  // clusters of small yellow spots
        const cv::Point2f p = random_point(0.05f, 0.6f);
        for (int k = 0, m = 2 + static_cast<int>(r.below(4)); k < m; ++k)
            blot(canvas, p + cv::Point2f(r.uniform(-0.04f, 0.04f) * Sf, r.uniform(-0.04f, 0.04f) * Sf), dot * r.uniform(0.8f, 1.6f),
                 cv::Vec3f(0.95f, 0.85f, 0.35f), 0.85f);
    }
    for (int i = 0, n = detail::poisson(r, cotton_wool[g]); i < n; ++i)
        blot(canvas, random_point(0.1f, 0.7f), Sf * r.uniform(0.02f, 0.035f), cv::Vec3f(0.92f, 0.85f, 0.75f), 0.55f, 0.9f);
    if (grade == 4) {
        cv::Mat neo = cv::Mat::zeros(S, S, CV_32F);
        for (int i = 0; i < 3; ++i)
            vessel_tree(neo, disc + cv::Point2f(r.uniform(-0.1f, 0.1f) * R, r.uniform(-0.1f, 0.1f) * R), r.uniform(0, 6.3f),
                        R * 0.3f, 1.0f, 4, 0.9f, r, &inside);
        paint(canvas, neo, cv::Vec3f(0.55f, 0.05f, 0.08f), 0.7f);
        if (r.uniform() < 0.5f) blot(canvas, random_point(0.2f, 0.6f), Sf * 0.05f, cv::Vec3f(0.3f, 0.02f, 0.02f), 0.8f);
    }
    lighting_and_noise(canvas, r, 0.3f, 0.08f, 0.01f);
    for (int y = 0; y < S; ++y)  // keep the surround black after noise
        for (int x = 0; x < S; ++x) canvas.at<cv::Vec3f>(y, x) *= inside.at<float>(y, x);
    return to_rgb8(canvas);
}

// Writes <root>/train/*.jpeg and <root>/trainLabels.csv, and loads them with load_retinopathy.
// Requires: root absent, empty, or generated before with the same options (then only loaded).
DERMTL_DECL dataset generate_retinas(const std::filesystem::path& root, const synthetic_retina_options& o) {
    if (o.size < 32) throw config_error("generate_retinas: size must be >= 32, got " + std::to_string(o.size));
    if (o.count == 0) throw config_error("generate_retinas: count must be >= 1");
    std::string signature = "retina size=" + std::to_string(o.size) + " count=" + std::to_string(o.count) + " grades=";
    for (double g : o.grade_mix) signature += std::to_string(g) + ",";
    signature += " jpeg=" + std::to_string(o.jpeg_quality) + " seed=" + std::to_string(o.seed);
    if (synth::synthetic_root_ready(root, signature)) return load_retinopathy(root / "trainLabels.csv", root / "train");
    std::filesystem::create_directories(root / "train");
    rng master(o.seed);
    std::vector<std::vector<std::string>> rows{{"image", "level"}};
    const double total = o.grade_mix[0] + o.grade_mix[1] + o.grade_mix[2] + o.grade_mix[3] + o.grade_mix[4];
    int grade = 0;
    for (std::size_t i = 0; i < o.count; ++i) {
        const bool left = i % 2 == 0;
        if (left || master.uniform() < 0.3f) {  // both eyes of a patient usually share the grade
            double t = master.uniform_double() * total;
            grade = 0;
            while (grade < 4 && t >= o.grade_mix[static_cast<std::size_t>(grade)]) t -= o.grade_mix[static_cast<std::size_t>(grade++)];
        }
        rng image_rng(master.next_u64());
        const cv::Mat img = render_fundus(grade, left, o.size, image_rng);
        const std::string id = std::to_string(10 + i / 2) + (left ? "_left" : "_right");
        io::write_image(root / "train" / (id + ".jpeg"), img, o.jpeg_quality);
        rows.push_back({id, std::to_string(grade)});
    }
    io::write_csv(root / "trainLabels.csv", rows);
    synth::mark_synthetic_root(root, signature);
    return load_retinopathy(root / "trainLabels.csv", root / "train");
}

}  // namespace dermtl::data
