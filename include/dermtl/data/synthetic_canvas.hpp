#pragma once
// Drawing helpers shared by the synthetic generators (lesions, retinas, general task).
//
// Represents: float RGB canvases (CV_32FC3, values in [0,1]) and the random textures and
// artefacts drawn on them. Every random choice comes from dermtl::rng, in a fixed order, so a
// seed gives the same image on every run of the same build.
// The non-template code is defined in impl/synthetic_canvas.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <algorithm>
#include <filesystem>
#include <string>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::data::synth {

inline float clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }
inline cv::Vec3f mix(const cv::Vec3f& a, const cv::Vec3f& b, float t) { return a * (1 - t) + b * t; }

// Smooth random field, roughly N(0,1) per pixel, correlated over about `feature_px` pixels.
DERMTL_DECL cv::Mat smooth_noise(int w, int h, float feature_px, rng& r);

// Thin dark curved hairs across the image (a dermoscopy artefact).
DERMTL_DECL void draw_hairs(cv::Mat& canvas, int count, rng& r);

// Radial darkening towards the corners (lens vignetting); strength 0 = none.
DERMTL_DECL void vignette(cv::Mat& canvas, float strength, float cx_shift = 0, float cy_shift = 0);

// Global lighting gain, per-channel colour cast and sensor noise.
DERMTL_DECL void lighting_and_noise(cv::Mat& canvas, rng& r, float gain_spread, float cast, float noise_sd);

// Float canvas [0,1] -> uint8 RGB.
DERMTL_DECL cv::Mat to_rgb8(const cv::Mat& canvas);

// Soft disc blended into the canvas with colour `c` and opacity `alpha`.
DERMTL_DECL void blot(cv::Mat& canvas, cv::Point2f centre, float radius, const cv::Vec3f& c, float alpha,
                      float softness = 0.35f);

// A branching vessel tree (random walk with tapering width) drawn into `cover` (CV_32F, the
// coverage later painted with paint()). Segments leaving `mask` (when given, > 0.3) are skipped.
DERMTL_DECL void vessel_tree(cv::Mat& cover, cv::Point2f start, float angle, float length, float width, int depth,
                             float wiggle, rng& r, const cv::Mat* mask = nullptr);

// canvas = mix(canvas, colour, alpha * cover) pixel by pixel.
DERMTL_DECL void paint(cv::Mat& canvas, const cv::Mat& cover, const cv::Vec3f& colour, float alpha);

// Generated data are reused: a generator records its options in <root>/dermtl_synthetic.txt.
// Returns true when `root` already holds data generated with exactly `signature` (nothing to do);
// false when `root` is absent or empty, or holds an interrupted generation of the same signature
// (marked by <root>/dermtl_synthetic.partial, written here): generate, writing every file again. A
// non-empty root holding anything else is a config_error, so a generator never mixes its files
// with other data nor deletes them.
DERMTL_DECL bool synthetic_root_ready(const std::filesystem::path& root, const std::string& signature);

// Marks `root` as complete (written last, so an interrupted generation is not reused).
DERMTL_DECL void mark_synthetic_root(const std::filesystem::path& root, const std::string& signature);

}  // namespace dermtl::data::synth

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/synthetic_canvas.ipp"
#endif
