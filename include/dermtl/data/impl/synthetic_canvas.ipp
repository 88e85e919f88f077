// Definitions of data/synthetic_canvas.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/synthetic_canvas.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <system_error>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"

namespace dermtl::data::synth {

// Smooth random field, roughly N(0,1) per pixel, correlated over about `feature_px` pixels.
DERMTL_DECL cv::Mat smooth_noise(int w, int h, float feature_px, rng& r) {
    const int gw = std::max(2, static_cast<int>(std::ceil(w / std::max(1.0f, feature_px))) + 2);
    const int gh = std::max(2, static_cast<int>(std::ceil(h / std::max(1.0f, feature_px))) + 2);
    cv::Mat grid(gh, gw, CV_32F);
    for (int y = 0; y < gh; ++y)
        for (int x = 0; x < gw; ++x) grid.at<float>(y, x) = static_cast<float>(r.normal());
    cv::Mat out;
    cv::resize(grid, out, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
    cv::Scalar mean, sd;
    cv::meanStdDev(out, mean, sd);
    out = (out - mean[0]) / std::max(1e-6, sd[0]);
    return out;
}

// Thin dark curved hairs across the image (a dermoscopy artefact).
DERMTL_DECL void draw_hairs(cv::Mat& canvas, int count, rng& r) {
    const int s = std::max(canvas.cols, canvas.rows);
    for (int k = 0; k < count; ++k) {
        cv::Point2f p(r.uniform(0, static_cast<float>(canvas.cols)), r.uniform(0, static_cast<float>(canvas.rows)));
        float angle = r.uniform(0, 2 * std::numbers::pi_v<float>);
        const float per_step = 96.0f / static_cast<float>(s);  // same curvature at every image size
        const float curl = r.uniform(-0.03f, 0.03f) * per_step;
        const int steps = static_cast<int>(r.uniform(0.4f, 1.2f) * s / 2);
        const int thick = std::max(1, static_cast<int>(std::lround(s / 128.0f * r.uniform(0.6f, 1.4f))));
        const float shade = r.uniform(0.05f, 0.25f);
        std::vector<cv::Point> pts;
        for (int i = 0; i < steps; ++i) {
            pts.emplace_back(static_cast<int>(std::lround(p.x * 4)), static_cast<int>(std::lround(p.y * 4)));
            angle += curl + r.uniform(-0.04f, 0.04f) * per_step;
            p += cv::Point2f(2 * std::cos(angle), 2 * std::sin(angle));
        }
        cv::polylines(canvas, pts, false, cv::Scalar(shade * 0.9f, shade * 0.7f, shade * 0.6f), thick, cv::LINE_AA, 2);
    }
}

// Radial darkening towards the corners (lens vignetting); strength 0 = none.
DERMTL_DECL void vignette(cv::Mat& canvas, float strength, float cx_shift, float cy_shift) {
    const float cx = canvas.cols / 2.0f * (1 + cx_shift), cy = canvas.rows / 2.0f * (1 + cy_shift);
    const float rr = std::hypot(canvas.cols / 2.0f, canvas.rows / 2.0f);
    for (int y = 0; y < canvas.rows; ++y)
        for (int x = 0; x < canvas.cols; ++x) {
            const float d = std::hypot(x - cx, y - cy) / rr;
            canvas.at<cv::Vec3f>(y, x) *= 1 - strength * d * d * d;
        }
}

// Global lighting gain, per-channel colour cast and sensor noise.
DERMTL_DECL void lighting_and_noise(cv::Mat& canvas, rng& r, float gain_spread, float cast, float noise_sd) {
    const float gain = r.uniform(1 - gain_spread, 1 + gain_spread * 0.5f);
    const cv::Vec3f c(gain * r.uniform(1 - cast, 1 + cast), gain * r.uniform(1 - cast, 1 + cast), gain * r.uniform(1 - cast, 1 + cast));
    for (int y = 0; y < canvas.rows; ++y)
        for (int x = 0; x < canvas.cols; ++x) {
            auto& p = canvas.at<cv::Vec3f>(y, x);
            for (int ch = 0; ch < 3; ++ch) p[ch] = clamp01(p[ch] * c[ch] + noise_sd * static_cast<float>(r.normal()));
        }
}

// Float canvas [0,1] -> uint8 RGB.
DERMTL_DECL cv::Mat to_rgb8(const cv::Mat& canvas) {
    cv::Mat out;
    canvas.convertTo(out, CV_8UC3, 255.0);
    return out;
}

// Soft disc blended into the canvas with colour `c` and opacity `alpha`.
DERMTL_DECL void blot(cv::Mat& canvas, cv::Point2f centre, float radius, const cv::Vec3f& c, float alpha,
                      float softness) {
    const int x0 = std::max(0, static_cast<int>(centre.x - radius - 2)), x1 = std::min(canvas.cols - 1, static_cast<int>(centre.x + radius + 2));
    const int y0 = std::max(0, static_cast<int>(centre.y - radius - 2)), y1 = std::min(canvas.rows - 1, static_cast<int>(centre.y + radius + 2));
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            const float d = std::hypot(x + 0.5f - centre.x, y + 0.5f - centre.y);
            const float edge = std::max(0.5f, radius * softness);
            const float w = alpha * clamp01((radius - d) / edge + 0.5f);
            if (w > 0) {
                auto& p = canvas.at<cv::Vec3f>(y, x);
                p = mix(p, c, w);
            }
        }
}

// A branching vessel tree (random walk with tapering width) drawn into `cover` (CV_32F, the
// coverage later painted with paint()). Segments leaving `mask` (when given, > 0.3) are skipped.
DERMTL_DECL void vessel_tree(cv::Mat& cover, cv::Point2f start, float angle, float length, float width, int depth,
                             float wiggle, rng& r, const cv::Mat* mask) {
    cv::Point2f p = start;
    const float step = std::max(1.0f, cover.cols / 96.0f);
    const int steps = static_cast<int>(length / step);
    for (int i = 0; i < steps; ++i) {
        angle += r.uniform(-wiggle, wiggle);
        const cv::Point2f q = p + cv::Point2f(step * std::cos(angle), step * std::sin(angle));
        const float wnow = std::max(0.6f, width * (1 - 0.6f * static_cast<float>(i) / static_cast<float>(std::max(1, steps))));
        const bool inside = !mask || (q.x >= 0 && q.y >= 0 && q.x < mask->cols && q.y < mask->rows &&
                                      mask->at<float>(static_cast<int>(q.y), static_cast<int>(q.x)) > 0.3f);
        if (inside)
            cv::line(cover, cv::Point(static_cast<int>(p.x * 4), static_cast<int>(p.y * 4)),
                     cv::Point(static_cast<int>(q.x * 4), static_cast<int>(q.y * 4)), cv::Scalar(1.0),
                     std::max(1, static_cast<int>(std::lround(wnow))), cv::LINE_AA, 2);
        p = q;
        if (depth > 0 && r.uniform() < 2.0f / static_cast<float>(std::max(4, steps)))
            vessel_tree(cover, p, angle + r.uniform(0.4f, 1.0f) * (r.below(2) ? 1.0f : -1.0f), length * 0.6f, wnow * 0.7f,
                        depth - 1, wiggle, r, mask);
    }
}

// canvas = mix(canvas, colour, alpha * cover) pixel by pixel.
DERMTL_DECL void paint(cv::Mat& canvas, const cv::Mat& cover, const cv::Vec3f& colour, float alpha) {
    for (int y = 0; y < canvas.rows; ++y)
        for (int x = 0; x < canvas.cols; ++x) {
            const float w = alpha * std::clamp(cover.at<float>(y, x), 0.0f, 1.0f);
            if (w > 0) canvas.at<cv::Vec3f>(y, x) = mix(canvas.at<cv::Vec3f>(y, x), colour, w);
        }
}

// Generated data are reused: a generator records its options in <root>/dermtl_synthetic.txt.
// Returns true when `root` already holds data generated with exactly `signature` (nothing to do);
// false when `root` is absent or empty, or holds an interrupted generation with the same signature
// (generate: every file is written again, identically). A generation in progress is marked by
// <root>/dermtl_synthetic.partial, so a run killed while generating (kill -9, a node lost) is
// resumed by the next, not refused. A non-empty root holding anything else is a config_error, so a
// generator never mixes its files with other data nor deletes them.
DERMTL_DECL bool synthetic_root_ready(const std::filesystem::path& root, const std::string& signature) {
    namespace fs = std::filesystem;
    const auto stamp = root / "dermtl_synthetic.txt", partial = root / "dermtl_synthetic.partial";
    auto read = [](const fs::path& p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    auto begin = [&] {
        fs::create_directories(root);
        io::write_file_atomically(partial, signature + "\n");
        return false;
    };
    if (!fs::exists(root) || fs::is_empty(root)) return begin();
    if (fs::exists(stamp)) {
        const std::string found = read(stamp);
        if (found == signature + "\n") return true;
        throw config_error("synthetic data: " + root.string() + " holds data generated with other options (" +
                           found.substr(0, found.find('\n')) + "); expected " + signature +
                           "; use another (or an empty) folder");
    }
    if (fs::exists(partial)) {
        const std::string found = read(partial);
        if (found == signature + "\n") return begin();  // an interrupted generation: done again
        throw config_error("synthetic data: " + root.string() + " holds an unfinished generation with other options (" +
                           found.substr(0, found.find('\n')) + "); expected " + signature +
                           "; use another (or an empty) folder");
    }
    throw config_error("synthetic data: " + root.string() +
                       " is not empty and was not written by a dermtl generator; use an empty folder");
}

// Marks `root` as complete (written last, so an interrupted generation is not reused).
DERMTL_DECL void mark_synthetic_root(const std::filesystem::path& root, const std::string& signature) {
    io::write_file_atomically(root / "dermtl_synthetic.txt", signature + "\n");
    std::error_code ec;
    std::filesystem::remove(root / "dermtl_synthetic.partial", ec);
}

}  // namespace dermtl::data::synth
