#pragma once
// Synthetic retina fundus images graded 0-4: the stand-in for Kaggle Diabetic Retinopathy.
//
// Represents: a Kaggle-layout dataset (<root>/trainLabels.csv with `image,level`, images
// <root>/train/<patient>_<left|right>.jpeg) that load_retinopathy reads end to end. Each image:
// black surround, an orange-red fundus disc with uneven illumination, the optic disc (nasal
// side, mirrored between left and right eyes), the darker macula, a branching vessel tree from
// the optic disc; lesions increasing with grade as in the clinical scale:
//   0 none; 1 a few microaneurysms; 2 more microaneurysms, dot/blot haemorrhages, hard
//   exudates; 3 many haemorrhages, exudates, cotton-wool spots, venous beading; 4 in addition
//   neovascularisation (fine tangled vessels near the disc) and pre-retinal haemorrhage.
// Counts are Poisson-like with overlapping ranges, so neighbouring grades are hard to tell
// apart (as in the real task) while 0 vs >= 2 is learnable. Deterministic per seed.
// The non-template code is defined in impl/synthetic_retina.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image.hpp"

namespace dermtl::data {

struct synthetic_retina_options {
    int size = 96;
    std::size_t count = 100;  // images (two per patient: left and right)
    std::array<double, 5> grade_mix = {0.4, 0.15, 0.2, 0.13, 0.12};  // Kaggle is {0.73, 0.07, 0.15, 0.025, 0.02}
    int jpeg_quality = 90;
    std::uint64_t seed = 1;
};

DERMTL_DECL cv::Mat render_fundus(int grade, bool left_eye, int size, rng& r);

// Writes <root>/train/*.jpeg and <root>/trainLabels.csv, and loads them with load_retinopathy.
// Requires: root absent, empty, or generated before with the same options (then only loaded).
DERMTL_DECL dataset generate_retinas(const std::filesystem::path& root, const synthetic_retina_options& o = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/synthetic_retina.ipp"
#endif
