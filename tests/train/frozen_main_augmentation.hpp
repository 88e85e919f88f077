#pragma once
// A frozen copy of the paper presets' augmentation and epoch plan as they were on main before the
// reference implementation's options (commit 74cf2e1): test_reference_augmentation.cpp checks,
// bit for bit, that the paper presets still draw, warp and plan what produced the stored results.
// Not a helper to reuse: it must not change.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/train/augmentation.hpp"

namespace frozen_main {
// Verbatim copy of train/augmentation.hpp's paper code on main before the reference's options
// (commit 74cf2e1), so the presets are compared with what produced the stored results.
using dermtl::rng;
using dermtl::train::plan_item;
using dermtl::train::epoch_seed;
using dermtl::config_error;
namespace data = dermtl::data;  // the names the copy had from `using namespace dermtl`

struct augmentation_options {
    float max_scale = 1.15f;          // zoom in [1/max_scale, max_scale], log-uniform; 1 = off
    float max_rotation_deg = 360.0f;  // rotation uniform in [0, max_rotation_deg); 0 = off
    bool horizontal_flip = true;
    bool vertical_flip = true;
    float max_shear_deg = 0.0f;       // optional shear in [-max, max] degrees (reference: up to ~20)
    float max_translation = 0.0f;     // optional shift in [-max, max] x image size per axis
    int border_mode = cv::BORDER_REFLECT_101;
};

// One draw of the random transformation.
struct augmentation_params {
    float scale = 1, rotation_deg = 0, shear_deg = 0, shift_x = 0, shift_y = 0;  // shifts as fractions of size
    bool flip_horizontal = false, flip_vertical = false;
};

// The draws are made in a fixed order (portable: dermtl::rng only).
inline augmentation_params draw_augmentation(rng& r, const augmentation_options& o) {
    augmentation_params p;
    const float log_s = std::log(std::max(1.0f, o.max_scale));
    p.scale = std::exp(r.uniform(-log_s, log_s));
    p.rotation_deg = r.uniform() * o.max_rotation_deg;
    p.shear_deg = r.uniform(-o.max_shear_deg, o.max_shear_deg);
    p.shift_x = r.uniform(-o.max_translation, o.max_translation);
    p.shift_y = r.uniform(-o.max_translation, o.max_translation);
    p.flip_horizontal = o.horizontal_flip && r.below(2) == 1;
    p.flip_vertical = o.vertical_flip && r.below(2) == 1;
    return p;
}

// Applies p about the image centre; the output has the input's size and type.
inline cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p,
                                  int border_mode = cv::BORDER_REFLECT_101) {
    const double cx = (img.cols - 1) / 2.0, cy = (img.rows - 1) / 2.0;
    const double a = p.rotation_deg * std::numbers::pi / 180.0, sh = std::tan(p.shear_deg * std::numbers::pi / 180.0);
    // Forward map: x' = c + T + R * Shear * S * F * (x - c).
    const double fx = p.flip_horizontal ? -1 : 1, fy = p.flip_vertical ? -1 : 1;
    const cv::Matx22d F(fx, 0, 0, fy), S(p.scale, 0, 0, p.scale), H(1, sh, 0, 1),
        R(std::cos(a), -std::sin(a), std::sin(a), std::cos(a));
    const cv::Matx22d M = R * H * S * F;
    const cv::Vec2d c(cx, cy), t(p.shift_x * img.cols, p.shift_y * img.rows);
    const cv::Vec2d off = c + t - M * c;
    const cv::Matx23d A(M(0, 0), M(0, 1), off[0], M(1, 0), M(1, 1), off[1]);
    const bool identity = p.scale == 1 && p.rotation_deg == 0 && p.shear_deg == 0 && p.shift_x == 0 && p.shift_y == 0;
    cv::Mat out;
    if (identity) {
        // Exact flips (no interpolation) when nothing else changes.
        if (p.flip_horizontal && p.flip_vertical) cv::flip(img, out, -1);
        else if (p.flip_horizontal) cv::flip(img, out, 1);
        else if (p.flip_vertical) cv::flip(img, out, 0);
        else out = img.clone();
        return out;
    }
    cv::warpAffine(img, out, A, img.size(), cv::INTER_LINEAR, border_mode);
    return out;
}


struct frozen_balance_options {
    bool balance = true;
    bool augment_all = false;
    bool shuffle = true;
};

inline std::vector<plan_item> balanced_epoch(const data::dataset& d, std::span<const std::size_t> indices,
                                             std::uint64_t experiment_seed, std::uint64_t epoch,
                                             const frozen_balance_options& opt = {}) {
    rng r(epoch_seed(experiment_seed, epoch));
    std::map<int, std::vector<std::size_t>> by_label;
    for (auto i : indices) {
        if (i >= d.size()) throw config_error("balanced_epoch: index " + std::to_string(i) + " out of range");
        if (d[i].label < 0) throw config_error("balanced_epoch: sample '" + d[i].id + "' (" + d[i].where() + ") has no label");
        by_label[d[i].label].push_back(i);
    }
    std::size_t largest = 0;
    for (const auto& [l, m] : by_label) largest = std::max(largest, m.size());
    std::vector<plan_item> plan;
    for (auto& [label, members] : by_label) {
        for (auto i : members) plan.push_back({i, opt.augment_all, opt.augment_all ? r.next_u64() : 0});
        if (!opt.balance) continue;
        std::vector<std::size_t> cycle = members;
        for (std::size_t k = 0, need = largest - members.size(); k < need; ++k) {
            if (k % cycle.size() == 0) r.shuffle(cycle.begin(), cycle.end());
            plan.push_back({cycle[k % cycle.size()], true, r.next_u64()});
        }
    }
    if (opt.shuffle) r.shuffle(plan.begin(), plan.end());
    return plan;
}

}  // namespace frozen_main
