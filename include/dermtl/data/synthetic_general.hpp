#pragma once
// A synthetic many-class "general" source task: the stand-in for ImageNet when no pretrained
// weights are given.
//
// Represents: classes = shape (circle, square, triangle, star, cross, ring) x palette (warm,
// cool) x texture (solid, stripes, checker, dots): up to 48 classes; the default 24 use all
// shapes, both palettes and the first two textures (>= 20, as a source task should have). Each image: a noisy, cluttered background of random colour; the
// class object at a random position, size and rotation, its colours drawn from the palette.
// Written as a folder-per-class tree (<root>/<class name>/<id>.png) and loaded back with
// load_folder_tree. Deterministic per seed.
// The non-template code is defined in impl/synthetic_general.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/io/image.hpp"

namespace dermtl::data {

struct synthetic_general_options {
    int size = 64;
    int num_classes = 24;       // 1..48
    std::size_t per_class = 10;
    std::uint64_t seed = 1;
};

inline constexpr std::array<const char*, 6> general_shapes = {"circle", "square", "triangle", "star", "cross", "ring"};
inline constexpr std::array<const char*, 4> general_textures = {"solid", "stripes", "checker", "dots"};
inline constexpr std::array<const char*, 2> general_palettes = {"warm", "cool"};

// "03_triangle_solid_warm": numbered so the folder order is the class order.
DERMTL_DECL std::string general_class_name(int c);

DERMTL_DECL cv::Mat render_general(int class_index, int size, rng& r);

// Writes the folder tree under `root` and loads it with load_folder_tree.
// Requires: root absent, empty, or generated before with the same options (then only loaded).
DERMTL_DECL dataset generate_general(const std::filesystem::path& root, const synthetic_general_options& o = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/synthetic_general.ipp"
#endif
