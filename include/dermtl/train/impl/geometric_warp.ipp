// Definitions of train/geometric_warp.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/geometric_warp.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <numbers>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::train {

DERMTL_DECL augmentation_options reference_augmentation() {
    augmentation_options o;
    o.max_scale = 1.3f;
    o.max_rotation_deg = 360.0f;
    o.horizontal_flip = true;
    o.vertical_flip = false;
    o.max_shear_deg = 30.0f;
    o.max_translation = 30.0f / 224.0f;
    o.border_mode = cv::BORDER_CONSTANT;
    o.independent_zoom = true;
    o.interp = interpolation::nearest;
    o.model = warp_model::reference;
    return o;
}

namespace augmentation_detail {
DERMTL_DECL float log_uniform(rng& r, float max) {
    const float log_s = std::log(std::max(1.0f, max));
    return std::exp(r.uniform(-log_s, log_s));
}
// x and y zooms as scale and stretch.
DERMTL_DECL void set_zooms(augmentation_params& p, float zx, float zy) {
    p.scale = std::sqrt(zx * zy);
    p.stretch = std::sqrt(zx / zy);
}
}  // namespace augmentation_detail

DERMTL_DECL augmentation_params draw_augmentation(rng& r, const augmentation_options& o) {
    using namespace augmentation_detail;
    augmentation_params p;
    if (o.model == warp_model::reference) {
        p.shift_x = r.uniform(-o.max_translation, o.max_translation);
        p.shift_y = r.uniform(-o.max_translation, o.max_translation);
        p.rotation_deg = r.uniform() * o.max_rotation_deg;
        p.shear_deg = r.uniform(-o.max_shear_deg, o.max_shear_deg);
        p.flip_horizontal = o.horizontal_flip && r.below(2) == 1;
        p.flip_vertical = o.vertical_flip && r.below(2) == 1;
        if (o.independent_zoom) {
            const float zx = log_uniform(r, o.max_scale);
            set_zooms(p, zx, log_uniform(r, o.max_scale));
        } else {
            p.scale = log_uniform(r, o.max_scale);
            if (o.max_stretch > 1) p.stretch = log_uniform(r, o.max_stretch);
        }
        return p;
    }
    p.scale = log_uniform(r, o.max_scale);
    p.rotation_deg = r.uniform() * o.max_rotation_deg;
    p.shear_deg = r.uniform(-o.max_shear_deg, o.max_shear_deg);
    p.shift_x = r.uniform(-o.max_translation, o.max_translation);
    p.shift_y = r.uniform(-o.max_translation, o.max_translation);
    p.flip_horizontal = o.horizontal_flip && r.below(2) == 1;
    p.flip_vertical = o.vertical_flip && r.below(2) == 1;
    if (o.independent_zoom) set_zooms(p, p.scale, log_uniform(r, o.max_scale));
    else if (o.max_stretch > 1) p.stretch = log_uniform(r, o.max_stretch);
    return p;
}

DERMTL_DECL cv::Matx23d inverse_map(const augmentation_params& p, cv::Size size, warp_model model) {
    const double cx = (size.width - 1) / 2.0, cy = (size.height - 1) / 2.0;
    constexpr double deg = std::numbers::pi / 180.0;
    if (model == warp_model::reference) {
        // skimage's matrix in the reference's axes (its x = image y, its y = image x).
        const double flip = p.flip_horizontal ? std::numbers::pi : 0.0;
        const double r = p.rotation_deg * deg + flip, sh = p.shear_deg * deg + flip;
        const double sx = 1.0 / p.zoom_x(), sy = 1.0 / p.zoom_y();
        double m00 = sx * std::cos(r), m01 = -sy * std::sin(r + sh);
        double m10 = sx * std::sin(r), m11 = sy * std::cos(r + sh);
        if (p.flip_vertical) m01 = -m01, m11 = -m11;  // (an extra flip of its y; the reference has none)
        const double tx = double(p.shift_x) * size.height, ty = double(p.shift_y) * size.width;
        // Swapped into image axes: in = c + P M P (out - c) + P t.
        const cv::Matx22d M(m11, m10, m01, m00);
        const cv::Vec2d c(cx, cy), t(ty, tx);
        const cv::Vec2d off = c + t - M * c;
        return {M(0, 0), M(0, 1), off[0], M(1, 0), M(1, 1), off[1]};
    }
    const double a = p.rotation_deg * deg, sh = std::tan(p.shear_deg * deg);
    const double fx = p.flip_horizontal ? -1 : 1, fy = p.flip_vertical ? -1 : 1;
    const cv::Matx22d F(fx, 0, 0, fy), S(p.zoom_x(), 0, 0, p.zoom_y()), H(1, sh, 0, 1),
        R(std::cos(a), -std::sin(a), std::sin(a), std::cos(a));
    const cv::Matx22d M = R * H * S * F;
    const cv::Vec2d c(cx, cy), t(p.shift_x * size.width, p.shift_y * size.height);
    const cv::Vec2d off = c + t - M * c;
    cv::Matx23d inv;
    cv::invertAffineTransform(cv::Matx23d(M(0, 0), M(0, 1), off[0], M(1, 0), M(1, 1), off[1]), inv);
    return inv;
}

DERMTL_DECL cv::Mat warp_nearest(const cv::Mat& img, const cv::Matx23d& inv, int border_mode) {
    if (border_mode == cv::BORDER_TRANSPARENT)
        throw config_error("augmentation: border_mode cv::BORDER_TRANSPARENT is not supported by the nearest-"
                           "neighbour warp; expected cv::BORDER_CONSTANT, REFLECT, REFLECT_101, REPLICATE or WRAP");
    cv::Mat out(img.size(), img.type(), cv::Scalar::all(0));
    const std::size_t px = img.elemSize();
    for (int y = 0; y < out.rows; ++y) {
        unsigned char* dst = out.ptr<unsigned char>(y);
        for (int x = 0; x < out.cols; ++x, dst += px) {
            const double sx = inv(0, 0) * x + inv(0, 1) * y + inv(0, 2);
            const double sy = inv(1, 0) * x + inv(1, 1) * y + inv(1, 2);
            if (!std::isfinite(sx) || !std::isfinite(sy)) continue;
            // Positions far outside are clamped before the integer conversion (still outside).
            auto c = static_cast<int>(std::clamp(std::round(sx), -1e6, 1e6));
            auto r = static_cast<int>(std::clamp(std::round(sy), -1e6, 1e6));
            if (c < 0 || c >= img.cols || r < 0 || r >= img.rows) {
                if (border_mode == cv::BORDER_CONSTANT) continue;
                c = cv::borderInterpolate(c, img.cols, border_mode);
                r = cv::borderInterpolate(r, img.rows, border_mode);
            }
            std::memcpy(dst, img.ptr<unsigned char>(r) + std::size_t(c) * px, px);
        }
    }
    return out;
}

DERMTL_DECL cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p, interpolation interp,
                                       warp_model model, int border_mode) {
    if (model == warp_model::paper && interp == interpolation::linear) {
        const double cx = (img.cols - 1) / 2.0, cy = (img.rows - 1) / 2.0;
        const double a = p.rotation_deg * std::numbers::pi / 180.0, sh = std::tan(p.shear_deg * std::numbers::pi / 180.0);
        // Forward map: x' = c + T + R * Shear * S * F * (x - c).
        const double fx = p.flip_horizontal ? -1 : 1, fy = p.flip_vertical ? -1 : 1;
        const cv::Matx22d F(fx, 0, 0, fy), H(1, sh, 0, 1), R(std::cos(a), -std::sin(a), std::sin(a), std::cos(a));
        const cv::Matx22d S = p.stretch == 1 ? cv::Matx22d(p.scale, 0, 0, p.scale)
                                             : cv::Matx22d(p.zoom_x(), 0, 0, p.zoom_y());
        const cv::Matx22d M = R * H * S * F;
        const cv::Vec2d c(cx, cy), t(p.shift_x * img.cols, p.shift_y * img.rows);
        const cv::Vec2d off = c + t - M * c;
        const cv::Matx23d A(M(0, 0), M(0, 1), off[0], M(1, 0), M(1, 1), off[1]);
        const bool identity = p.scale == 1 && p.stretch == 1 && p.rotation_deg == 0 && p.shear_deg == 0 &&
                              p.shift_x == 0 && p.shift_y == 0;
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
    const cv::Matx23d inv = inverse_map(p, img.size(), model);
    if (interp == interpolation::nearest) return warp_nearest(img, inv, border_mode);
    cv::Mat out;
    cv::warpAffine(img, out, inv, img.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, border_mode);
    return out;
}

}  // namespace dermtl::train
