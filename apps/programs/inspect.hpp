#pragma once
// `dermtl inspect`: the first thing to run on a dataset. Summarises labels (and folds, when given)
// without needing the images: per-class counts overall and per fold, train/test sizes, the
// diagnosis and difficulty mix, and -- when an image folder is given -- the ids without an image.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/label_format.hpp"

namespace dermtl::programs {

struct inspection {
    std::vector<std::string> missing_images;  // ids with no image file (only when an image folder was given)
    std::string text;                         // the printed summary
};

// image_root: when given, every sample's id is looked up there (recursively) and the ids without
// an image are listed; samples whose image was already resolved count as present.
inspection inspect(const data::dataset& d, const data::fold_set* folds,
                   const std::optional<std::filesystem::path>& image_root = std::nullopt, std::size_t max_listed = 20);

// `dermtl inspect --labels FILE`: a label CSV of any format data::detect_label_format knows, read
// by that format's loader (without images). `text` opens with the format the file was taken for;
// a format that has no loader as a target yet (HAM10000) is summarised from its columns there
// (rows per diagnosis, images, lesions) and has no dataset.
struct label_file {
    data::label_format format = data::label_format::reference;
    std::optional<data::dataset> dataset;
    std::string text;
};
label_file read_label_file(const std::filesystem::path& csv);

}  // namespace dermtl::programs
