#pragma once
// Loader for ISIC 2016 Part 3 (ISBI 2016 lesion classification), the paper's Table 2.
//
// Represents: one ground-truth CSV and its image folder. Both official variants are read:
//   training GT  `ISIC_0000000,benign` / `ISIC_0000001,malignant`
//   test GT      `ISIC_0000003,0.0`    / `...,1.0` (some copies `0` / `1`)
// with or without a header line (such as `img_id,Label`). The first row is a header only if it
// looks like one: its label is not a valid value and neither field holds a digit (column names
// do not, ISIC ids always do). So a headerless file whose first row has a typo
// (`ISIC_0000000,beningn`) is an error naming file:1, not a dropped row.
// Ensures: label 1 = malignant (diagnosis melanoma: every malignant case of Part 3 is a
// melanoma), 0 = benign (diagnosis benign_unspecified); class_names {"benign","malignant"};
// images resolved in `image_dir` (ISIC_<7 digits>.jpg, any supported extension/case) unless
// `image_dir` is empty. Errors (empty CSV, wrong column count, unknown label, duplicate id,
// missing image, no cases; in the challenge layout, an id in both training and test) are
// io_errors naming file, line and value.
// The non-template code is defined in impl/isic2016.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

// dataset::name of what load_isic2016 returns (also what the paper's Table 2 ran on).
inline constexpr std::string_view isic2016_dataset_name = "isic2016";
inline constexpr const char* isic2016_training_folder = "ISBI2016_ISIC_Part3_Training_Data";
inline constexpr const char* isic2016_test_folder = "ISBI2016_ISIC_Part3_Test_Data";
inline constexpr const char* isic2016_training_ground_truth = "ISBI2016_ISIC_Part3_Training_GroundTruth.csv";
inline constexpr const char* isic2016_test_ground_truth = "ISBI2016_ISIC_Part3_Test_GroundTruth.csv";

namespace detail {
DERMTL_DECL std::optional<int> isic2016_value(const std::string& v);
DERMTL_DECL bool looks_like_header(const io::csv_row& row);
}  // namespace detail

DERMTL_DECL dataset load_isic2016(const std::filesystem::path& ground_truth_csv,
                                  const std::filesystem::path& image_dir = {});
// The same from the file as read (io::read_csv; its errors name table.file), so a file given once
// (a pipe) is read once.
DERMTL_DECL dataset load_isic2016(const io::csv_table& table, const std::filesystem::path& image_dir = {});

// The official split from the challenge's folder layout under `root`:
// root/{ISBI2016_ISIC_Part3_Training_Data, ISBI2016_ISIC_Part3_Test_Data, *_GroundTruth.csv}.
struct isic2016_split {
    dataset training, test;
};
// Ensures: no id is in both training and test (io_error naming both files and lines).
DERMTL_DECL isic2016_split load_isic2016_challenge(const std::filesystem::path& root);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/isic2016.ipp"
#endif
