#pragma once
// `dermtl predict`: a final model (io/model_folder.hpp) applied to new images. Per image: the
// probability of each class, the decision (the most probable class) and, for a two-class model, the
// referral band (refer / confident_negative / confident_positive, from the model's thresholds or the
// options), written by io/predictions.hpp's writer, which `dermtl score` reads.
//
// The images come as image files, folders (searched recursively for .jpg/.jpeg/.png/.tif/.tiff),
// list files (one path per line, relative to the list; blank lines and # comments skipped) and
// manifests (.csv with an `image` column: a path relative to the manifest, or an id found under
// the manifest's folder). An image that cannot be read or found is reported with its reason and
// skipped -- or, with strict, stops the run.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dermtl/io/model_folder.hpp"
#include "dermtl/protocol/registry.hpp"
#include "programs/model_cells.hpp"

namespace dermtl::programs {

// One image to predict: its id (the file name without extension), its file (empty when it could
// not be found) and where it was named, for messages.
struct predict_input {
    std::string id;
    std::filesystem::path file;
    std::string where;
    std::string problem;  // non-empty: why it cannot be predicted (not found, an id used twice)
};

// The images `inputs` name, in order. Throws io_error for an input that does not exist or a
// manifest without its image column (those are the command line's mistakes, not an image's).
std::vector<predict_input> predict_inputs(const std::vector<std::filesystem::path>& inputs,
                                          const std::string& image_column = "image");

struct predict_options {
    std::optional<double> refer_low, refer_high;  // override the model's referral thresholds
    bool strict = false;                          // stop at the first image that cannot be predicted
    std::size_t batch_size = 32;
    std::uint64_t max_image_pixels = 0;           // 0: the reader's default
    std::optional<bool> progress;                 // a live bar; default: when standard error is a terminal
};

struct skipped_image {
    std::string id, where, reason;
};

struct predict_summary {
    std::size_t predicted = 0;
    std::vector<skipped_image> skipped;
    std::size_t refer = 0, confident_negative = 0, confident_positive = 0;
    bool referral = false;  // whether bands were assigned
};

// Checks that `cell` (a compiled cell whose network is the model's family) and `m` can apply the
// model: the same input size and class count, else config_error saying what the model was trained
// for and what this network takes.
void check_model_fits(const io::final_model& model, const protocol::registry_entry& cell, const model_cells& m);

// Applies the model in `dir` (read by read_model_folder) to `images` on cell's network (its backend)
// and writes `out`. Throws io_error naming the image (strict) or the model file; config_error for a
// model that does not fit (check_model_fits) or referral options without two classes.
predict_summary predict_images(const std::filesystem::path& dir, const io::final_model& model,
                               const protocol::registry_entry& cell, const model_cells& m,
                               const std::vector<predict_input>& images, const predict_options& o,
                               const std::filesystem::path& out, std::ostream& log);

}  // namespace dermtl::programs
