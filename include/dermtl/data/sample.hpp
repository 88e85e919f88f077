#pragma once
// One sample of a dataset.
//
// Represents: an image (by path; images are decoded lazily by io::image / io::image_cache) and
// what is known about it: the dataset it belongs to, its diagnosis and diagnostic difficulty
// (skin lesions), its grade (retinopathy 0-4, source tasks), and the class label of the task the
// dataset was loaded for. `manifest`/`manifest_line` say where the sample was listed, so errors
// found later (a truncated image, say) can name the line that introduced it.
// `group` names the lesion an image shows when a dataset has several images per lesion
// (HAM10000's lesion_id): folds keep a group on one side. `fold_value` is the user's own fold
// assignment from a manifest's fold column (folds_from_column). `metadata` holds the named
// columns a loader keeps for subgroup analysis (data/metadata.hpp): HAM10000's age, sex and
// localization, a manifest's metadata_columns, the Atlas's sex (and age where meta.csv has one).
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "dermtl/data/diagnosis.hpp"

namespace dermtl::data {

struct sample {
    std::string id;                  // as listed, without extension ("ISIC_0000000", "aal002")
    std::filesystem::path image;     // resolved image file; empty when loaded without images
    std::string dataset;             // "isic2016", "isic2017", "atlas", "retinopathy", ...
    diagnosis dx = diagnosis::not_applicable;
    difficulty level = difficulty::unknown;
    std::optional<int> grade;        // retinopathy level 0-4 (source tasks)
    int label = -1;                  // class index for the task; -1 = unlabelled
    std::string location;            // body site when known (Atlas)
    std::string group;               // lesion id shared by images of one lesion; empty = its own group
    std::string fold_value;          // user-given fold (manifest fold column); empty = none
    std::filesystem::path manifest;  // file that listed the sample
    std::size_t manifest_line = 0;   // 1-based line in that file
    // Named metadata columns (lower-case name -> value as written; blank = unknown).
    std::map<std::string, std::string> metadata;

    // "<manifest>:<line>" for error messages.
    std::string where() const { return manifest.string() + ":" + std::to_string(manifest_line); }
};

}  // namespace dermtl::data
