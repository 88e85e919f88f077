#pragma once
// Loader for ISIC 2017 Part 3 ground truth (`ISIC-2017_{Training,Validation,Test_v2}_Part3_GroundTruth.csv`).
//
// Represents: header `image_id,melanoma,seborrheic_keratosis`, values 0/1 (often 0.0/1.0);
// both 0 = nevus. A copy without the header line (three columns in that order, the first row a
// case: its id holds a digit) is read too. Ensures: class_names {"nevus","melanoma","seborrheic keratosis"} with labels
// 0/1/2 and matching diagnoses; a row flagging both melanoma and seborrheic keratosis, a value
// other than 0/1, a wrong column count, a duplicate id or a missing image is an io_error naming
// file, line and value.
// load_isic2017_challenge reads the official layout: the three image folders and ground-truth
// files under one root, checked pairwise disjoint.
// The non-template code is defined in impl/isic2017.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

DERMTL_DECL dataset load_isic2017(const std::filesystem::path& ground_truth_csv,
                                  const std::filesystem::path& image_dir = {});
// The same from the file as read (io::read_csv; its errors name table.file), so a file given once
// (a pipe) is read once.
DERMTL_DECL dataset load_isic2017(const io::csv_table& table, const std::filesystem::path& image_dir = {});

inline constexpr const char* isic2017_training_folder = "ISIC-2017_Training_Data";
inline constexpr const char* isic2017_validation_folder = "ISIC-2017_Validation_Data";
inline constexpr const char* isic2017_test_folder = "ISIC-2017_Test_v2_Data";
inline constexpr const char* isic2017_training_ground_truth = "ISIC-2017_Training_Part3_GroundTruth.csv";
inline constexpr const char* isic2017_validation_ground_truth = "ISIC-2017_Validation_Part3_GroundTruth.csv";
inline constexpr const char* isic2017_test_ground_truth = "ISIC-2017_Test_v2_Part3_GroundTruth.csv";

// What the official validation set (150 images) is used for.
enum class isic2017_validation {
    merged_into_training,  // training = official training + validation; dermtl takes its own validation split
    validation_split,      // kept apart, as the validation split of the official training set
};

// The official split. `validation` is empty when merged into training.
struct isic2017_split {
    dataset training, validation, test;
};

// Requires: root holds the three ISIC-2017_*_Data folders and *_Part3_GroundTruth.csv files.
// Ensures: training, validation and test pairwise disjoint (an id in two is an io_error naming
// both files and lines); merged: training lists the official training rows, then the validation
// rows (each sample still names its own file and line).
DERMTL_DECL isic2017_split load_isic2017_challenge(const std::filesystem::path& root,
                                                   isic2017_validation use = isic2017_validation::merged_into_training);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/isic2017.ipp"
#endif
