#pragma once
// Synthetic dermoscopy-like lesions: the embedded default data and the tests' data.
//
// Represents: an Atlas-like dataset written in derm7pt's real layout
// (<root>/release_v0/meta/meta.csv + <root>/release_v0/images/Syn/synNNNN.jpg), so that
// load_atlas reads it end to end. Each image: skin-toned background with smooth texture; a
// lesion with an irregular border (radial harmonics), asymmetry, colour variegation (dark,
// blue-white, regression and red areas), dots/globules and a pigment network; hair, vignetting,
// lighting/colour cast, sensor noise and JPEG artefacts; optionally the Atlas' black frame.
// Class-conditional parameters follow the dermoscopy criteria the paper's classes differ by:
//   melanoma (all subtypes): irregular border, asymmetric, variegated, peripheral irregular
//     globules, broken atypical network; thicker subtypes more atypical;
//   basal cell carcinoma: pinkish translucent lesion, arborizing red vessels, blue-grey ovoid
//     nests, sometimes ulceration;
//   benign kinds: symmetric and uniform (Clark/congenital/dermal nevi with a regular network
//     and central globules; blue nevus uniformly blue-grey; seborrheic keratosis with milia-like
//     cysts and comedo-like openings; lentigo light and uniform; vascular lesion red lacunae;
//     dermatofibroma a central white patch; Reed/Spitz a starburst).
// A latent "atypia" drives the melanocytic criteria; the difficulty knob (low/medium/high)
// pulls the class means of atypia (and of the BCC cues) together so the classes overlap more.
// Colour/lighting/skin tone vary independently of the class, so the mean colour alone does not
// separate the classes. Deterministic per seed; diagnosis and difficulty recorded in meta.csv,
// with a location and sex, and (its last column) an age drawn from a stream of its own
// (rng(seed ^ salt)), so that the images are those of the generator before ages existed.
// The non-template code is defined in impl/synthetic_lesions.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image.hpp"

namespace dermtl::data {

struct synthetic_lesion_options {
    int size = 96;                     // images are size x size (tests: 64 or 96; demo: 224+)
    std::size_t count = 120;
    double melanoma_fraction = 0.3;
    double bcc_fraction = 0.1;         // the rest are benign kinds
    std::array<double, 3> difficulty_mix = {0.4, 0.4, 0.2};  // low, medium, high
    std::optional<difficulty> only_difficulty;               // all images at one difficulty
    double frame_probability = 0.2;    // the Atlas' black frame
    double hair_probability = 0.4;
    double acral_fraction = 0.0;       // rows with location "acral" (load_atlas drops them)
    lesion_task task = lesion_task::malignant_vs_benign;  // labels of the returned dataset
    int jpeg_quality = 92;
    std::uint64_t seed = 1;
};

// The random description of one lesion, drawn before rendering.
struct lesion_spec {
    diagnosis dx = diagnosis::clark_nevus;
    difficulty level = difficulty::low;
    float atypia = 0.2f;     // 0 = textbook benign, 1 = textbook melanoma
    float bcc_cues = 0.0f;   // strength of vessels/pinkness/nests (BCC), 0 otherwise
    bool frame = false, hair = false;
};

DERMTL_DECL lesion_spec draw_lesion_spec(const synthetic_lesion_options& o, rng& r);

// Renders one lesion as an RGB uint8 image of size x size.
DERMTL_DECL cv::Mat render_lesion(const lesion_spec& spec, int size, rng& r);

// Writes the dataset (images + derm7pt meta.csv) under `root` and loads it back with load_atlas.
// Requires: size >= 32, count >= 1; root absent, empty, or generated before with the same
// options (then it is only loaded). Ensures: the same options give byte-identical files.
DERMTL_DECL dataset generate_lesions(const std::filesystem::path& root, const synthetic_lesion_options& o = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/synthetic_lesions.ipp"
#endif
