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

namespace dermtl::programs {

struct inspection {
    std::vector<std::string> missing_images;  // ids with no image file (only when an image folder was given)
    std::string text;                         // the printed summary
};

// image_root: when given, every sample's id is looked up there (recursively) and the ids without
// an image are listed; samples whose image was already resolved count as present.
inspection inspect(const data::dataset& d, const data::fold_set* folds,
                   const std::optional<std::filesystem::path>& image_root = std::nullopt, std::size_t max_listed = 20);

// `dermtl inspect --labels FILE`, `--atlas`, ...: the dataset formats' registry reads them
// (programs/datasets.hpp: read_label_file, dataset_format::load).

}  // namespace dermtl::programs
