#pragma once
// The geometric warp of data augmentation (train/augmentation.hpp includes it with the epoch plan,
// train/epoch_plan.hpp): the paper's scheme and the reference implementation's
// (github.com/learningtitans/melanoma-transfer).
//
// Represents: augmentation_options, the random transformation of one image. The paper's
// (paper_augmentation(), the defaults): zoom (log-uniform in [1/max_scale, max_scale]), rotation
// uniform in [0, max_rotation_deg) (0-360), horizontal and vertical flips (each with probability
// 1/2), bilinear, borders reflected so no black corners appear (a black corner would look like
// the Atlas' frame); shear and translation optional. The reference's (reference_augmentation(),
// its src/configs/vgg_224.py aug_params through data.py's perturb): independent x/y zooms in
// [1/1.3, 1.3], rotation 0-360, shear +-30 deg, translation +-30 px (at 224), one flip,
// nearest-neighbour with zero fill, in its own affine model (warp_model::reference). Output keeps
// the input size. draw_augmentation draws one transformation (augmentation_params) from a
// dermtl::rng; apply_augmentation warps an image by it.
// Ensures: the paper's presets give the same draws and bytes as before the reference's options
// existed; same seed -> same bytes.
// Not templates: defined in impl/geometric_warp.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise), which alone includes OpenCV's imgproc.
#include <opencv2/core.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::train {

// How a warp samples the input image.
enum class interpolation {
    linear,   // bilinear (cv::warpAffine's INTER_LINEAR): the paper's
    nearest,  // the nearest pixel, ties half away from zero (skimage order=0): the reference's
};

// Which affine model the drawn parameters describe.
enum class warp_model {
    // The paper's: forward map x' = c + t + R(rotation) * Shear(tan) * S(zoom) * F(flips) * (x - c).
    paper,
    // The reference's (melanoma-transfer src/utils/data.py, perturb): skimage's (pre-0.19)
    // AffineTransform(scale=(1/zoom_x, 1/zoom_y), rotation, shear, translation) used as the
    // inverse map (output -> input) about the centre; its one flip adds 180 degrees to rotation
    // and shear. The reference loaded images transposed (C x W x H), so its x is the image's row
    // axis: the parameters here are in its axes and the warp swaps them, so an image is warped
    // exactly as the reference warped its transposed array.
    reference,
};

// Names for records (fingerprints, logs).
constexpr const char* name_of(interpolation i) {
    switch (i) {
        case interpolation::linear: return "linear";
        case interpolation::nearest: return "nearest";
    }
    return "?";
}
constexpr const char* name_of(warp_model m) {
    switch (m) {
        case warp_model::paper: return "paper";
        case warp_model::reference: return "reference";
    }
    return "?";
}

struct augmentation_options {
    float max_scale = 1.15f;          // zoom in [1/max_scale, max_scale], log-uniform; 1 = off
    float max_rotation_deg = 360.0f;  // rotation uniform in [0, max_rotation_deg); 0 = off
    bool horizontal_flip = true;      // (reference model: its one flip)
    bool vertical_flip = true;
    float max_shear_deg = 0.0f;       // optional shear in [-max, max] degrees
    // Optional shift in [-max, max] x image size per axis (a fraction, so it scales with the
    // image; the reference's +-30 px at 224 x 224 is 30/224).
    float max_translation = 0.0f;
    int border_mode = cv::BORDER_REFLECT_101;  // cv::BORDER_CONSTANT fills with zero (the reference)
    // Added for the reference protocol; at these defaults draws and images are as before.
    bool independent_zoom = false;    // x and y zooms drawn independently (reference's allow_stretch=True)
    float max_stretch = 1.0f;         // x zoom * s, y zoom / s, s log-uniform in [1/max, max] (allow_stretch=float)
    interpolation interp = interpolation::linear;
    warp_model model = warp_model::paper;

    friend bool operator==(const augmentation_options&, const augmentation_options&) = default;
};

// One draw of the random transformation.
struct augmentation_params {
    float scale = 1, rotation_deg = 0, shear_deg = 0, shift_x = 0, shift_y = 0;  // shifts as fractions of size
    bool flip_horizontal = false, flip_vertical = false;
    float stretch = 1;  // anisotropy: x zoom = scale * stretch, y zoom = scale / stretch

    float zoom_x() const { return scale * stretch; }
    float zoom_y() const { return scale / stretch; }
};

// The paper's augmentation (today's defaults): zoom up to 1.15, 0-360 rotation, both flips,
// bilinear, reflected borders.
inline augmentation_options paper_augmentation() { return {}; }

// The reference implementation's (melanoma-transfer src/configs/vgg_224.py aug_params): zoom
// log-uniform in [1/1.3, 1.3] drawn independently for x and y (allow_stretch=True), rotation in
// [0, 360), shear in [-30, 30] degrees, translation in [-30, 30] px of its 224 x 224 input, one
// flip with probability 1/2, nearest-neighbour warp with zero fill, in its affine model.
DERMTL_DECL augmentation_options reference_augmentation();

// The draws are made in a fixed order (portable: dermtl::rng only). The paper model's order is
// that of the paper's options; draws for the added options come after them and only when they
// are on, so the paper's options give the same parameters as before. The reference model draws
// in the reference's order (translation, rotation, shear, flip, zoom).
DERMTL_DECL augmentation_params draw_augmentation(rng& r, const augmentation_options& o);

// The inverse map (output pixel -> input position, x = column, y = row) of p on an image of
// `size`, as a 2 x 3 matrix.
DERMTL_DECL cv::Matx23d inverse_map(const augmentation_params& p, cv::Size size, warp_model model);

// Nearest-neighbour warp by an inverse map: each output pixel copies the input pixel nearest to
// its position (rounded half away from zero, as skimage's order=0); positions outside the
// image take `border_mode` (cv::BORDER_CONSTANT: zero; others via cv::borderInterpolate).
DERMTL_DECL cv::Mat warp_nearest(const cv::Mat& img, const cv::Matx23d& inv, int border_mode);

// Applies p about the image centre; the output has the input's size and type. The paper's
// options (bilinear, paper model) warp exactly as before.
DERMTL_DECL cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p, interpolation interp,
                                       warp_model model, int border_mode);

// The paper's warp (bilinear, paper model), as before.
inline cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p,
                                  int border_mode = cv::BORDER_REFLECT_101) {
    return apply_augmentation(img, p, interpolation::linear, warp_model::paper, border_mode);
}

// The warp `o` asks for.
inline cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p, const augmentation_options& o) {
    return apply_augmentation(img, p, o.interp, o.model, o.border_mode);
}

inline cv::Mat augment(const cv::Mat& img, rng& r, const augmentation_options& o = {}) {
    return apply_augmentation(img, draw_augmentation(r, o), o);
}

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/geometric_warp.ipp"
#endif
