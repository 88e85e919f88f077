// Definitions of data/synthetic_general.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/synthetic_general.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "dermtl/data/synthetic_canvas.hpp"

namespace dermtl::data {

// "03_triangle_solid_warm": numbered so the folder order is the class order.
DERMTL_DECL std::string general_class_name(int c) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d_%s_%s_%s", c, general_shapes[static_cast<std::size_t>(c % 6)],
                  general_textures[static_cast<std::size_t>(c / 12)], general_palettes[static_cast<std::size_t>((c / 6) % 2)]);
    return buf;
}

DERMTL_DECL cv::Mat render_general(int class_index, int size, rng& r) {
    const int cls = class_index;
    using namespace synth;
    if (cls < 0 || cls >= 48) throw config_error("render_general: class must be 0..47, got " + std::to_string(cls));
    const int shape = cls % 6, palette = (cls / 6) % 2, texture = cls / 12;
    const float S = static_cast<float>(size);
    // Background: random colour, smooth variation, clutter blobs.
    const cv::Vec3f bg(r.uniform(0.2f, 0.9f), r.uniform(0.2f, 0.9f), r.uniform(0.2f, 0.9f));
    cv::Mat canvas(size, size, CV_32FC3);
    const cv::Mat n = smooth_noise(size, size, S / 4, r);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) canvas.at<cv::Vec3f>(y, x) = bg * (1 + 0.12f * n.at<float>(y, x));
    for (int i = 0, k = 2 + static_cast<int>(r.below(4)); i < k; ++i)
        blot(canvas, {r.uniform(0, S), r.uniform(0, S)}, S * r.uniform(0.03f, 0.08f),
             cv::Vec3f(r.uniform(0.1f, 0.9f), r.uniform(0.1f, 0.9f), r.uniform(0.1f, 0.9f)), 0.7f);
    // Object colours from the palette (warm: red-orange-yellow hues; cool: green-blue-violet).
    auto palette_colour = [&]() {
        const float h = palette == 0 ? r.uniform(-30.0f, 60.0f) : r.uniform(120.0f, 270.0f);
        cv::Mat hsv(1, 1, CV_32FC3, cv::Scalar(h < 0 ? h + 360 : h, r.uniform(0.5f, 1.0f), r.uniform(0.45f, 1.0f))), rgb;
        cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
        return rgb.at<cv::Vec3f>(0, 0);
    };
    const cv::Vec3f fg = palette_colour(), fg2 = mix(palette_colour(), cv::Vec3f(0.05f, 0.05f, 0.05f), r.uniform(0.2f, 0.7f));
    // Object mask at 4x sub-pixel precision.
    const cv::Point2f c(S * r.uniform(0.35f, 0.65f), S * r.uniform(0.35f, 0.65f));
    const float rad = S * r.uniform(0.2f, 0.32f), rot = r.uniform(0, 2 * std::numbers::pi_v<float>);
    cv::Mat mask = cv::Mat::zeros(size, size, CV_8U);
    auto poly = [&](std::vector<cv::Point2f> unit) {
        std::vector<cv::Point> pts;
        for (const auto& u : unit) {
            const float x = u.x * std::cos(rot) - u.y * std::sin(rot), y = u.x * std::sin(rot) + u.y * std::cos(rot);
            pts.emplace_back(static_cast<int>(std::lround((c.x + rad * x) * 16)), static_cast<int>(std::lround((c.y + rad * y) * 16)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_AA, 4);
    };
    switch (shape) {
        case 0: cv::circle(mask, cv::Point(static_cast<int>(c.x * 16), static_cast<int>(c.y * 16)), static_cast<int>(rad * 16), 255, cv::FILLED, cv::LINE_AA, 4); break;
        case 1: poly({{-0.8f, -0.8f}, {0.8f, -0.8f}, {0.8f, 0.8f}, {-0.8f, 0.8f}}); break;
        case 2: poly({{0, -1}, {0.87f, 0.5f}, {-0.87f, 0.5f}}); break;
        case 3: {
            std::vector<cv::Point2f> star;
            for (int k = 0; k < 10; ++k) {
                const float a = std::numbers::pi_v<float> * k / 5, rr = k % 2 ? 0.42f : 1.0f;
                star.emplace_back(rr * std::sin(a), -rr * std::cos(a));
            }
            poly(star);
            break;
        }
        case 4: poly({{-0.3f, -1}, {0.3f, -1}, {0.3f, -0.3f}, {1, -0.3f}, {1, 0.3f}, {0.3f, 0.3f}, {0.3f, 1}, {-0.3f, 1}, {-0.3f, 0.3f},
                      {-1, 0.3f}, {-1, -0.3f}, {-0.3f, -0.3f}});
            break;
        default:
            cv::circle(mask, cv::Point(static_cast<int>(c.x * 16), static_cast<int>(c.y * 16)), static_cast<int>(rad * 0.75f * 16), 255,
                       std::max(2, static_cast<int>(rad * 0.45f)), cv::LINE_AA, 4);
    }
    const float period = S * r.uniform(0.07f, 0.11f), tex_angle = r.uniform(0, std::numbers::pi_v<float>);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const float m = mask.at<std::uint8_t>(y, x) / 255.0f;
            if (m <= 0) continue;
            const float u = (x * std::cos(tex_angle) + y * std::sin(tex_angle)) / period,
                        v = (-x * std::sin(tex_angle) + y * std::cos(tex_angle)) / period;
            bool second = false;
            switch (texture) {
                case 1: second = std::fmod(std::floor(u), 2.0f) != 0; break;
                case 2: second = std::fmod(std::floor(u) + std::floor(v), 2.0f) != 0; break;
                case 3: second = std::hypot(u - std::floor(u) - 0.5f, v - std::floor(v) - 0.5f) < 0.28f; break;
                default: break;
            }
            auto& p = canvas.at<cv::Vec3f>(y, x);
            p = mix(p, second ? fg2 : fg, m);
        }
    lighting_and_noise(canvas, r, 0.15f, 0.04f, 0.02f);
    return to_rgb8(canvas);
}

// Writes the folder tree under `root` and loads it with load_folder_tree.
// Requires: root absent, empty, or generated before with the same options (then only loaded).
DERMTL_DECL dataset generate_general(const std::filesystem::path& root, const synthetic_general_options& o) {
    if (o.num_classes < 1 || o.num_classes > 48)
        throw config_error("generate_general: num_classes must be 1..48, got " + std::to_string(o.num_classes));
    if (o.size < 24) throw config_error("generate_general: size must be >= 24, got " + std::to_string(o.size));
    if (o.per_class == 0) throw config_error("generate_general: per_class must be >= 1");
    const std::string signature = "general size=" + std::to_string(o.size) + " classes=" + std::to_string(o.num_classes) +
                                  " per_class=" + std::to_string(o.per_class) + " seed=" + std::to_string(o.seed);
    if (synth::synthetic_root_ready(root, signature)) return load_folder_tree(root, "general");
    rng master(o.seed);
    for (int c = 0; c < o.num_classes; ++c) {
        const auto folder = root / general_class_name(c);
        std::filesystem::create_directories(folder);
        for (std::size_t i = 0; i < o.per_class; ++i) {
            rng image_rng(master.next_u64());
            char name[32];
            std::snprintf(name, sizeof name, "g%05zu.png", static_cast<std::size_t>(c) * o.per_class + i);
            io::write_image(folder / name, render_general(c, o.size, image_rng));
        }
    }
    synth::mark_synthetic_root(root, signature);
    return load_folder_tree(root, "general");
}

}  // namespace dermtl::data
