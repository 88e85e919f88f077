#pragma once
// Data augmentation and class balancing: the paper's scheme and the reference implementation's
// (github.com/learningtitans/melanoma-transfer).
//
// Represents:
//  - augmentation_options: the random transformation of one image. The paper's
//    (paper_augmentation(), the defaults): zoom (log-uniform in [1/max_scale, max_scale]),
//    rotation uniform in [0, max_rotation_deg) (0-360), horizontal and vertical flips (each with
//    probability 1/2), bilinear, borders reflected so no black corners appear (a black corner
//    would look like the Atlas' frame); shear and translation optional. The reference's
//    (reference_augmentation(), its src/configs/vgg_224.py aug_params through data.py's
//    perturb): independent x/y zooms in [1/1.3, 1.3], rotation 0-360, shear +-30 deg,
//    translation +-30 px (at 224), one flip, nearest-neighbour with zero fill, in its own
//    affine model (warp_model::reference). Output keeps the input size.
//  - balanced_epoch: one epoch's order of training items, balanced as balance_options::kind
//    says: the paper's oversampling (paper_balance(): minority classes oversampled with
//    augmented copies until every class has as many items as the largest one; majority items
//    pass unchanged unless augment_all) or the reference's resampling (reference_balance(): the
//    largest class whole plus as many items drawn with replacement from the pooled minority
//    classes, weighted by class; every item augmented).
//  - every augmented item carries its own seed, drawn from a generator seeded by
//    (experiment seed, epoch): the same experiment seed gives the same sequence in every
//    experiment and byte-identical batches, independent of caching, batch size or threads.
// Ensures: the paper's presets give the same draws, plans and bytes as before the reference's
// options existed; same seed -> same plan and same bytes; different seeds -> different plans.
// Known differences from the reference (deliberate): its random streams (numpy's, reseeded per
// epoch with the epoch number and per batch slot with the slot number, so every batch repeats
// the same transformations) are not reproduced; here every item has its own seed.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"

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
inline augmentation_options reference_augmentation() {
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
inline float log_uniform(rng& r, float max) {
    const float log_s = std::log(std::max(1.0f, max));
    return std::exp(r.uniform(-log_s, log_s));
}
// x and y zooms as scale and stretch.
inline void set_zooms(augmentation_params& p, float zx, float zy) {
    p.scale = std::sqrt(zx * zy);
    p.stretch = std::sqrt(zx / zy);
}
}  // namespace augmentation_detail

// The draws are made in a fixed order (portable: dermtl::rng only). The paper model's order is
// that of the paper's options; draws for the added options come after them and only when they
// are on, so the paper's options give the same parameters as before. The reference model draws
// in the reference's order (translation, rotation, shear, flip, zoom).
inline augmentation_params draw_augmentation(rng& r, const augmentation_options& o) {
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

// The inverse map (output pixel -> input position, x = column, y = row) of p on an image of
// `size`, as a 2 x 3 matrix.
inline cv::Matx23d inverse_map(const augmentation_params& p, cv::Size size, warp_model model) {
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

// Nearest-neighbour warp by an inverse map: each output pixel copies the input pixel nearest to
// its position (rounded half away from zero, as skimage's order=0); positions outside the
// image take `border_mode` (cv::BORDER_CONSTANT: zero; others via cv::borderInterpolate).
inline cv::Mat warp_nearest(const cv::Mat& img, const cv::Matx23d& inv, int border_mode) {
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

// Applies p about the image centre; the output has the input's size and type. The paper's
// options (bilinear, paper model) warp exactly as before.
inline cv::Mat apply_augmentation(const cv::Mat& img, const augmentation_params& p, interpolation interp,
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

// One item of an epoch: a sample index, and whether (and with which seed) to augment it.
struct plan_item {
    std::size_t index = 0;
    bool augmented = false;
    std::uint64_t seed = 0;

    friend bool operator==(const plan_item&, const plan_item&) = default;
};

// How an epoch balances its classes.
enum class balance_kind {
    // The paper's: every minority class oversampled with augmented copies up to the largest
    // class (each original copied as evenly as possible).
    oversample,
    // The reference's (melanoma-transfer src/utils/iterator.py, ResampleIterator): the largest
    // class kept whole, and as many items again drawn with replacement from the pooled other
    // classes, each item weighted by its class's weight.
    resample,
};

constexpr const char* name_of(balance_kind k) {
    switch (k) {
        case balance_kind::oversample: return "oversample";
        case balance_kind::resample: return "resample";
    }
    return "?";
}

struct balance_options {
    bool balance = true;       // balance the classes (false: every item once)
    bool augment_all = false;  // also augment the original items (default: only the added copies)
    bool shuffle = true;
    balance_kind kind = balance_kind::oversample;
    // resample only: the weight of each label's items (index = label). Empty: 1 / (the label's
    // count in the epoch's items), which gives every minority class an equal share of the draws
    // -- what the reference's settings.py weights (N / class count, "resampling weights that
    // yield balanced classes") imply. The reference's own, e.g. {23.2142, 3.6792, 1.4595} for
    // its 3-class protocol, may be given.
    std::vector<double> class_weights;

    friend bool operator==(const balance_options&, const balance_options&) = default;
};

// The paper's balancing (today's defaults).
inline balance_options paper_balance() { return {}; }

// The reference's: resampling with the default weights, every item augmented (the reference
// passes every training item, majority included, through its random perturbation).
inline balance_options reference_balance() {
    balance_options b;
    b.kind = balance_kind::resample;
    b.augment_all = true;
    return b;
}

// Seed of one epoch of one experiment (splitmix64 of both), so epochs are independent streams.
inline std::uint64_t epoch_seed(std::uint64_t experiment_seed, std::uint64_t epoch) {
    std::uint64_t z = experiment_seed * 0x9E3779B97F4A7C15ull + epoch + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace balance_detail {
inline std::map<int, std::vector<std::size_t>> by_label(const data::dataset& d, std::span<const std::size_t> indices,
                                                        const char* what) {
    std::map<int, std::vector<std::size_t>> out;
    for (auto i : indices) {
        if (i >= d.size()) throw config_error(std::string(what) + ": index " + std::to_string(i) + " out of range");
        if (d[i].label < 0)
            throw config_error(std::string(what) + ": sample '" + d[i].id + "' (" + d[i].where() + ") has no label");
        out[d[i].label].push_back(i);
    }
    return out;
}

inline std::vector<plan_item> oversampled(const data::dataset& d, std::span<const std::size_t> indices, rng& r,
                                          const balance_options& opt) {
    auto groups = by_label(d, indices, "balanced_epoch");
    std::size_t largest = 0;
    for (const auto& [l, m] : groups) largest = std::max(largest, m.size());
    std::vector<plan_item> plan;
    for (auto& [label, members] : groups) {
        for (auto i : members) plan.push_back({i, opt.augment_all, opt.augment_all ? r.next_u64() : 0});
        if (!opt.balance) continue;
        std::vector<std::size_t> cycle = members;
        for (std::size_t k = 0, need = largest - members.size(); k < need; ++k) {
            if (k % cycle.size() == 0) r.shuffle(cycle.begin(), cycle.end());
            plan.push_back({cycle[k % cycle.size()], true, r.next_u64()});
        }
    }
    return plan;
}

inline std::vector<plan_item> resampled(const data::dataset& d, std::span<const std::size_t> indices, rng& r,
                                        const balance_options& opt) {
    const auto groups = by_label(d, indices, "balanced_epoch (resample)");
    if (groups.empty()) return {};
    // The majority: the largest class, the lowest label among equals.
    auto majority = groups.begin();
    for (auto it = groups.begin(); it != groups.end(); ++it)
        if (it->second.size() > majority->second.size()) majority = it;
    std::vector<plan_item> plan;
    for (auto i : majority->second) plan.push_back({i, opt.augment_all, opt.augment_all ? r.next_u64() : 0});
    // The pooled minorities (label order, then index order), each item weighted by its class.
    std::vector<std::size_t> pool;
    std::vector<double> cumulative;
    double total = 0;
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        if (it == majority) continue;
        const auto label = static_cast<std::size_t>(it->first);
        double w = 1.0 / double(it->second.size());
        if (!opt.class_weights.empty()) {
            if (label >= opt.class_weights.size())
                throw config_error("balanced_epoch (resample): balance_options::class_weights has " +
                                   std::to_string(opt.class_weights.size()) + " weights, expected one for label " +
                                   std::to_string(label) + " (one per label, index = label)");
            w = opt.class_weights[label];
            if (!std::isfinite(w) || w < 0)
                throw config_error("balanced_epoch (resample): balance_options::class_weights[" + std::to_string(label) +
                                   "] must be finite and >= 0, found " + std::to_string(w));
        }
        for (auto i : it->second) {
            pool.push_back(i);
            total += w;
            cumulative.push_back(total);
        }
    }
    if (pool.empty()) return plan;  // one class only: nothing to balance
    if (!(total > 0))
        throw config_error("balanced_epoch (resample): balance_options::class_weights give the minority classes a "
                           "total weight of 0; expected some minority class with a weight > 0");
    for (std::size_t k = 0, n = majority->second.size(); k < n; ++k) {
        const double u = r.uniform_double() * total;
        auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
        at = std::min<std::ptrdiff_t>(at, std::ptrdiff_t(pool.size()) - 1);
        plan.push_back({pool[std::size_t(at)], true, r.next_u64()});
    }
    return plan;
}
}  // namespace balance_detail

// One epoch's items, balanced as opt.kind says.
// Requires: every d[i].label >= 0 for i in indices; for resample, class_weights (if given) has a
// finite weight >= 0 for every label present, and the minority classes a total weight > 0.
// Ensures: deterministic given (experiment_seed, epoch, opt); shuffled when opt.shuffle.
//  - oversample (the paper): with balance, every label present appears max_count times; copies
//    of a minority class cycle through its samples (each original copied as evenly as possible).
//  - resample (the reference): every item of the largest class once, plus as many items drawn
//    with replacement from the other classes (probability of an item proportional to its
//    class's weight), the drawn ones always augmented.
//  - without balance: every item once, in both kinds.
inline std::vector<plan_item> balanced_epoch(const data::dataset& d, std::span<const std::size_t> indices,
                                             std::uint64_t experiment_seed, std::uint64_t epoch,
                                             const balance_options& opt = {}) {
    rng r(epoch_seed(experiment_seed, epoch));
    std::vector<plan_item> plan = opt.kind == balance_kind::resample && opt.balance
                                      ? balance_detail::resampled(d, indices, r, opt)
                                      : balance_detail::oversampled(d, indices, r, opt);
    if (opt.shuffle) r.shuffle(plan.begin(), plan.end());
    return plan;
}

// Items per label in a plan.
inline std::map<int, std::size_t> class_counts(const data::dataset& d, std::span<const plan_item> plan) {
    std::map<int, std::size_t> c;
    for (const auto& p : plan) ++c[d[p.index].label];
    return c;
}

// A float32 NCHW batch of plan items: augmented items get their own seed's transformation.
inline void fill_augmented_batch(const data::dataset& d, std::span<const plan_item> items, io::image_cache& cache,
                                 const io::mean_image& mean, const augmentation_options& aug, host_tensor& images,
                                 std::vector<int>& labels) {
    std::vector<std::size_t> idx;
    idx.reserve(items.size());
    for (const auto& it : items) idx.push_back(it.index);
    data::fill_batch(d, idx, cache, mean, images, labels, [&](const cv::Mat& img, std::size_t slot) {
        if (!items[slot].augmented) return img;
        rng r(items[slot].seed);
        return augment(img, r, aug);
    });
}

}  // namespace dermtl::train
